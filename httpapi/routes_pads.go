package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/protocol"
)

// Limits of slide links: a title's characters and a URL's bytes (how
// many a session may have is conference.MaxLinks).
const (
	maxLinkTitle = 200
	maxLinkURL   = 2000
)

// padJSON is a session as the API shows it: its metadata and links, the
// number of people in its pad now (on every replica), and, for a single
// pad, its head revision.
type padJSON struct {
	conference.Session
	People int  `json:"people"`
	Rev    *int `json:"rev,omitempty"`
}

// padInfo shows sess with the people in its pad now and, if rev is not
// nil, its head revision.
func (s *Server) padInfo(sess conference.Session, rev *int) padJSON {
	sess.Links = nonNilLinks(sess.Links)
	sess.Policy = sess.EditPolicy()
	return padJSON{Session: sess, People: s.people(sess.ID), Rev: rev}
}

// padListJSON is the answer of GET /api/v1/pads.
type padListJSON struct {
	Title string    `json:"title"`
	Pads  []padJSON `json:"pads"`
}

// listPads answers GET /api/v1/pads: the conference title and its
// sessions, ordered by id.
func (s *Server) listPads(c echo.Context) error {
	list, err := s.padList(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list)
}

// padList reads the conference title and its sessions from the Catalog,
// with how many people are in each pad now; errors are HTTP errors.
func (s *Server) padList(ctx context.Context) (padListJSON, error) {
	title, err := s.cfg.Catalog.Title(ctx)
	if err != nil {
		return padListJSON{}, catalogError(err)
	}
	sessions, err := s.cfg.Catalog.Sessions(ctx)
	if err != nil {
		return padListJSON{}, catalogError(err)
	}
	out := padListJSON{Title: title, Pads: make([]padJSON, len(sessions))}
	for i, sess := range sessions {
		out.Pads[i] = s.padInfo(sess, nil)
	}
	return out, nil
}

// getPad answers GET /api/v1/pads/:id with the head revision.
func (s *Server) getPad(c echo.Context) error {
	ctx := c.Request().Context()
	sess, err := s.cfg.Catalog.Session(ctx, c.Param("id"))
	if err != nil {
		return catalogError(err)
	}
	head, err := s.engine.Head(ctx, sess.ID)
	if err != nil {
		return engineHTTPError(err)
	}
	return c.JSON(http.StatusOK, s.padInfo(sess, &head))
}

// getText answers GET /api/v1/pads/:id/text[?rev=R] with the plain text
// at the head or at revision R. Headers X-Pad-Rev (the revision served)
// and X-Pad-Head tell which. A rev after the head is 404, naming the
// pad's revisions.
func (s *Server) getText(c echo.Context) error {
	v, release, err := s.padVersion(c)
	if err != nil {
		return err
	}
	defer release()
	h := c.Response().Header()
	h.Set("X-Pad-Rev", strconv.Itoa(v.rev))
	h.Set("X-Pad-Head", strconv.Itoa(v.head))
	return c.Blob(http.StatusOK, "text/plain; charset=utf-8", v.text)
}

// linkRequest is the body of POST /api/v1/pads/:id/links.
type linkRequest struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// addedLinkJSON is the answer of POST /api/v1/pads/:id/links: the link
// and its capability token, which lets whoever holds it change or remove
// the link (X-Link-Token). Only the token's hash is stored.
type addedLinkJSON struct {
	conference.Link
	Token string `json:"token"`
}

// addLink answers POST /api/v1/pads/:id/links: a speaker attaches a slide
// link; it is pushed to the pad's editors on every replica. Under the
// link policy it needs the edit secret (X-Edit-Secret) or the admin
// token. A session with conference.MaxLinks links already gets 409
// too_many_links (the Catalog checks and adds atomically, so concurrent
// adds cannot pass it).
func (s *Server) addLink(c echo.Context) error {
	var req linkRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	link, err := validLink(req)
	if err != nil {
		return err
	}
	sess, err := s.cfg.Catalog.Session(c.Request().Context(), c.Param("id"))
	if err != nil {
		return catalogError(err)
	}
	if !s.mayEdit(c, sess) {
		return errViewOnly()
	}
	token := conference.NewSecret()
	link.TokenHash = conference.HashToken(token)
	link, err = s.cfg.Catalog.AddLink(c.Request().Context(), sess.ID, link)
	if err != nil {
		return catalogError(err)
	}
	if err := s.pushLinks(c, sess.ID); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, addedLinkJSON{Link: link, Token: token})
}

// linkPatch is the body of PATCH /api/v1/pads/:id/links/:linkID; absent
// fields are left as they are.
type linkPatch struct {
	Title *string `json:"title"`
	URL   *string `json:"url"`
}

// updateLink answers PATCH /api/v1/pads/:id/links/:linkID, for an admin or
// whoever added the link (X-Link-Token): a new title or URL, pushed to the
// pad's editors on every replica.
func (s *Server) updateLink(c echo.Context) error {
	var req linkPatch
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	linkID := c.Param("linkID")
	admin, err := s.linkOwner(c, linkID)
	if err != nil {
		return err
	}
	sess, err := s.cfg.Catalog.Session(c.Request().Context(), c.Param("id"))
	if err != nil {
		return catalogError(err)
	}
	i := slices.IndexFunc(sess.Links, func(l conference.Link) bool { return l.ID == linkID })
	if i < 0 {
		return apiError(http.StatusNotFound, codeNotFound, "no such link")
	}
	cur := sess.Links[i]
	merged := linkRequest{Title: cur.Title, URL: cur.URL}
	if req.Title != nil {
		merged.Title = *req.Title
	}
	if req.URL != nil {
		merged.URL = *req.URL
	}
	l, err := validLink(merged)
	if err != nil {
		return err
	}
	cur.Title, cur.URL = l.Title, l.URL
	if err := s.cfg.Catalog.UpdateLink(c.Request().Context(), sess.ID, cur); err != nil {
		return catalogError(err)
	}
	if admin {
		s.audit(c, "update_link", sess.ID, "link", linkID)
	}
	if err := s.pushLinks(c, sess.ID); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cur)
}

// pushLinks sends the pad's current links to its editors everywhere.
func (s *Server) pushLinks(c echo.Context, pad string) error {
	sess, err := s.cfg.Catalog.Session(c.Request().Context(), pad)
	if err != nil {
		return catalogError(err)
	}
	s.linksChanged(pad, sess.Links)
	return nil
}

// validLink checks a link request: a title of 1 to 200 characters on one
// line, and an absolute http or https URL.
func validLink(req linkRequest) (conference.Link, error) {
	title := strings.TrimSpace(req.Title)
	if title == "" {
		return conference.Link{}, apiError(http.StatusBadRequest, codeBadRequest, "title must be 1 to 200 characters")
	}
	if problem := conference.TextProblem(title, maxLinkTitle, false); problem != "" {
		return conference.Link{}, apiError(http.StatusBadRequest, codeBadRequest, "title "+problem)
	}
	raw := strings.TrimSpace(req.URL)
	u, err := url.Parse(raw)
	switch {
	case len(raw) > maxLinkURL:
		return conference.Link{}, apiError(http.StatusBadRequest, codeBadRequest, "url is longer than 2000 bytes")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return conference.Link{}, apiError(http.StatusBadRequest, codeBadRequest, "url must be an absolute http or https URL")
	}
	return conference.Link{Title: title, URL: u.String()}, nil
}

// decodeJSON reads a JSON body into v, rejecting unknown fields and
// trailing data.
func decodeJSON(c echo.Context, v any) error {
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errBodyTooLarge
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return errBodyTimeout
		}
		return apiError(http.StatusBadRequest, codeBadRequest, "body must be a JSON object: "+protocol.JSONProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return apiError(http.StatusBadRequest, codeBadRequest, "body has data after the JSON object")
	}
	return nil
}

// catalogError maps a Catalog error to an HTTP error.
func catalogError(err error) error {
	switch {
	case errors.Is(err, conference.ErrNotFound):
		return apiError(http.StatusNotFound, codeNotFound, "no such session")
	case errors.Is(err, conference.ErrExists):
		return apiError(http.StatusConflict, codeExists, "a session with this id exists")
	case errors.Is(err, conference.ErrArchived):
		return apiError(http.StatusConflict, codeArchived, "this session is archived: its notes and slide links are frozen; an admin can unarchive it")
	case errors.Is(err, conference.ErrTooManyLinks):
		return apiError(http.StatusConflict, codeTooManyLinks, "this session has "+strconv.Itoa(conference.MaxLinks)+" slide links, the most it may have; an admin can remove some")
	}
	return apiError(http.StatusServiceUnavailable, codeUnavailable, "catalog unavailable: "+err.Error())
}

// engineHTTPError maps a pad engine error to an HTTP error.
func engineHTTPError(err error) error {
	var ce *collab.Error
	if errors.As(err, &ce) {
		switch ce.Code {
		case collab.CodeRevAhead:
			return apiError(http.StatusBadRequest, ce.Code, ce.Message)
		case collab.CodeUnavailable:
			return apiError(http.StatusServiceUnavailable, ce.Code, ce.Message)
		case collab.CodeTooLarge:
			return apiError(http.StatusRequestEntityTooLarge, ce.Code, ce.Message)
		case collab.CodeReadOnly: // archived after the caller's own check
			return apiError(http.StatusConflict, ce.Code, ce.Message)
		case collab.CodeQuotaExceeded:
			return apiError(http.StatusInsufficientStorage, ce.Code, ce.Message)
		}
		return apiError(http.StatusBadRequest, ce.Code, ce.Message)
	}
	return err
}

func nonNilLinks(links []conference.Link) []conference.Link {
	if links == nil {
		return []conference.Link{}
	}
	return links
}
