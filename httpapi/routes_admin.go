package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/confpad/confpad/cluster"
	"github.com/confpad/confpad/conference"
)

// requireAdmin lets a request through only with the header
// "Authorization: Bearer <Config.AdminToken>" (see hasAdminToken).
// Without a configured token the admin routes answer 403.
func (s *Server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.cfg.AdminToken == "" {
			return apiError(http.StatusForbidden, codeForbidden, "admin routes are disabled: the server has no admin token")
		}
		if !s.hasAdminToken(c.Request()) {
			return apiError(http.StatusUnauthorized, codeUnauthorized, "send Authorization: Bearer <admin token>")
		}
		return next(c)
	}
}

// createRequest is the body of POST /api/v1/pads.
type createRequest struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

// createPad answers POST /api/v1/pads: 201 with the new live session, 409
// if the id is taken, 400 for a bad id or title.
func (s *Server) createPad(c echo.Context) error {
	var req createRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sess := conference.Session{
		ID:          req.ID,
		Title:       strings.TrimSpace(req.Title),
		Description: strings.TrimSpace(req.Description),
		State:       conference.StateLive,
		Policy:      conference.PolicyOpen,
		Links:       []conference.Link{},
		Created:     time.Now().UTC(),
	}
	if err := validSession(sess); err != nil {
		return err
	}
	if err := s.cfg.Catalog.CreateSession(c.Request().Context(), sess); err != nil {
		return catalogError(err)
	}
	s.audit(c, "create", sess.ID, "title", sess.Title)
	return c.JSON(http.StatusCreated, padJSON{Session: sess})
}

// updateRequest is the body of PATCH /api/v1/pads/:id; absent fields are
// left as they are.
type updateRequest struct {
	Title       *string   `json:"title"`
	Description *string   `json:"description"`
	Time        *string   `json:"time"`
	Room        *string   `json:"room"`
	Speakers    *[]string `json:"speakers"`
	State       *string   `json:"state"`
	Policy      *string   `json:"policy"`
}

// updatePad answers PATCH /api/v1/pads/:id: rename, describe, move (time
// and room), name the speakers of, archive or reopen a session, or set who
// may edit it; the fields are validated as in programme files
// (conference.ValidateSession). A state change reconnects the pad's
// editors so they learn it; a policy change those whose right to edit it
// changes. The link policy makes the session's edit link if it has none
// (GET .../edit-link shows it).
func (s *Server) updatePad(c echo.Context) error {
	var req updateRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	sess, err := s.cfg.Catalog.Session(ctx, c.Param("id"))
	if err != nil {
		return catalogError(err)
	}
	old := sess
	if req.Title != nil {
		sess.Title = strings.TrimSpace(*req.Title)
	}
	for _, f := range []struct{ from, to *string }{{req.Description, &sess.Description}, {req.Time, &sess.Time}, {req.Room, &sess.Room}} {
		if f.from != nil {
			*f.to = strings.TrimSpace(*f.from)
		}
	}
	if req.Speakers != nil {
		sess.Speakers = make([]string, len(*req.Speakers))
		for i, name := range *req.Speakers {
			sess.Speakers[i] = strings.TrimSpace(name)
		}
	}
	if req.State != nil {
		if *req.State != conference.StateLive && *req.State != conference.StateArchived {
			return apiError(http.StatusBadRequest, codeBadRequest, `state must be "live" or "archived"`)
		}
		sess.State = *req.State
	}
	if req.Policy != nil {
		if *req.Policy != conference.PolicyOpen && *req.Policy != conference.PolicyLink {
			return apiError(http.StatusBadRequest, codeBadRequest, `policy must be "open" or "link"`)
		}
		sess.Policy = *req.Policy
		if sess.Policy == conference.PolicyLink && sess.EditSecret == "" {
			sess.EditSecret = conference.NewSecret()
		}
	}
	return s.saveSession(c, sess, old)
}

// saveSession validates and stores sess, which was old, tells the pad's
// editors on every replica if the state or the editing policy changed,
// and answers with the session.
func (s *Server) saveSession(c echo.Context, sess, old conference.Session) error {
	if err := validSession(sess); err != nil {
		return err
	}
	if err := s.cfg.Catalog.UpdateSession(c.Request().Context(), sess); err != nil {
		return catalogError(err)
	}
	action := "update"
	if accessKey(sess.EditPolicy(), sess.EditSecret) != accessKey(old.EditPolicy(), old.EditSecret) {
		s.changeAccess(sess)
	}
	if sess.State != old.State {
		s.changeState(sess.ID, sess.State)
		action = map[string]string{conference.StateArchived: "archive", conference.StateLive: "reopen"}[sess.State]
	}
	s.audit(c, action, sess.ID, "title", sess.Title, "state", sess.State, "policy", sess.EditPolicy())
	return c.JSON(http.StatusOK, s.padInfo(sess, nil))
}

// deletePad answers DELETE /api/v1/pads/:id: the session, its links and
// its notes are removed, its editors disconnected (close code 4404) and
// the pad unloaded, on every replica.
func (s *Server) deletePad(c echo.Context) error {
	id := c.Param("id")
	if err := s.cfg.Catalog.DeleteSession(c.Request().Context(), id); err != nil {
		return catalogError(err)
	}
	s.changeState(id, cluster.StateDeleted)
	s.audit(c, "delete", id)
	s.search.remove(c.Request().Context(), id)
	return c.NoContent(http.StatusNoContent)
}

// deleteLink answers DELETE /api/v1/pads/:id/links/:linkID, for an admin
// or whoever added the link (its token in X-Link-Token), and pushes the
// remaining links to the pad's editors.
func (s *Server) deleteLink(c echo.Context) error {
	id := c.Param("id")
	admin, err := s.linkOwner(c, c.Param("linkID"))
	if err != nil {
		return err
	}
	if err := s.cfg.Catalog.DeleteLink(c.Request().Context(), id, c.Param("linkID")); err != nil {
		return catalogError(err)
	}
	if admin {
		s.audit(c, "delete_link", id, "link", c.Param("linkID"))
	}
	if err := s.pushLinks(c, id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// validSession checks session metadata with the conference rules.
func validSession(sess conference.Session) error {
	if err := conference.ValidateSession(sess); err != nil {
		return apiError(http.StatusBadRequest, codeBadRequest, err.Error())
	}
	return nil
}
