package httpapi

import (
	"bytes"
	"crypto/rand"
	"errors"
	"net/http"
	"strconv"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/site"
)

// renderPage writes a page of package site with status.
func renderPage(c echo.Context, status int, write func(*bytes.Buffer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// siteTitle is the conference title for page headers, "confpad" if unset.
func siteTitle(title string) string {
	if title == "" {
		return "confpad"
	}
	return title
}

// indexPage serves GET /: the programme by day, the BoFs, and the form
// that starts a BoF where the conference allows it; plain HTML.
func (s *Server) indexPage(c echo.Context) error {
	return s.renderIndex(c, http.StatusOK, "")
}

// renderIndex renders the index page with a notice above the programme.
func (s *Server) renderIndex(c echo.Context, status int, notice string) error {
	ctx := c.Request().Context()
	list, err := s.padList(ctx)
	if err != nil {
		return err
	}
	allow, err := s.cfg.Catalog.BoFs(ctx)
	if err != nil {
		return catalogError(err)
	}
	entries := make([]site.Entry, len(list.Pads))
	for i, p := range list.Pads {
		entries[i] = site.Entry{Session: p.Session, People: p.People}
	}
	days, bofs := site.Programme(entries)
	title := siteTitle(list.Title)
	data := site.IndexPage{
		Page: site.Page{Title: title, Site: title, URLs: site.LiveURLs()},
		Days: days, BoFs: bofs, AllowBoFs: allow, Notice: notice,
	}
	return renderPage(c, status, func(b *bytes.Buffer) error { return s.pages.Index(b, data) })
}

// notesPage serves GET /p/:id/notes[?rev=R]: the pad's notes rendered
// from Markdown, read-only, with the session's metadata, slide links and
// downloads; no JavaScript needed.
func (s *Server) notesPage(c echo.Context) error {
	v, release, err := s.padVersion(c)
	if err != nil {
		return err
	}
	defer release()
	authorship, err := s.authorship(c.Request().Context(), v.sess.ID, v.rev)
	if err != nil {
		return err
	}
	return s.renderNotes(c, v, site.LiveURLs(), authorship)
}

// renderNotes renders the notes page of v, linked to others by urls, with
// its authorship (nil: none).
func (s *Server) renderNotes(c echo.Context, v padVersion, urls site.URLs, authorship *site.Authorship) error {
	title, err := s.cfg.Catalog.Title(c.Request().Context())
	if err != nil {
		return catalogError(err)
	}
	data, err := site.NotesData(v.sess, siteTitle(title), urls, string(v.text), v.rev, v.head, authorship, s.notes)
	if err != nil {
		return err
	}
	return renderPage(c, http.StatusOK, func(b *bytes.Buffer) error { return s.pages.Notes(b, data) })
}

// padVersion is a session and its pad's text at a revision.
type padVersion struct {
	sess      conference.Session
	text      []byte
	rev, head int
}

// textBuffers holds the buffers that padVersion reads texts into, so that
// serving a text allocates next to nothing (collab.Engine.AppendText).
var textBuffers = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledText is the largest buffer put back into textBuffers: the
// text of a pad far larger than notes usually are is read into a buffer
// of its own, which the pool does not keep.
const maxPooledText = 1 << 20

// padVersion reads the session :id and its text at ?rev=R (the head when
// absent) into a buffer of textBuffers, which release returns once the
// text is no longer used; errors are HTTP errors.
func (s *Server) padVersion(c echo.Context) (v padVersion, release func(), err error) {
	ctx := c.Request().Context()
	rev, err := revParam(c)
	if err != nil {
		return padVersion{}, nil, err
	}
	sess, err := s.cfg.Catalog.Session(ctx, c.Param("id"))
	if err != nil {
		return padVersion{}, nil, catalogError(err)
	}
	buf := textBuffers.Get().(*[]byte)
	text, head, err := s.engine.AppendText(ctx, (*buf)[:0], sess.ID, rev)
	if err != nil {
		textBuffers.Put(buf)
		return padVersion{}, nil, revisionError(err, rev, head)
	}
	if rev < 0 {
		rev = head
	}
	return padVersion{sess: sess, text: text, rev: rev, head: head}, func() {
		if cap(text) <= maxPooledText {
			*buf = text[:0]
			textBuffers.Put(buf)
		}
	}, nil
}

// revParam reads ?rev=R: -1 when absent, else a revision >= 0.
func revParam(c echo.Context) (int, error) {
	q := c.QueryParam("rev")
	if q == "" {
		return -1, nil
	}
	r, err := strconv.Atoi(q)
	if err != nil || r < 0 {
		return 0, apiError(http.StatusBadRequest, codeBadRev, "rev must be a revision number >= 0")
	}
	return r, nil
}

// padPage serves GET /p/:id: the editor's page shell from the frontend.
func (s *Server) padPage(c echo.Context) error { return s.shellPage(c, "pad.html") }

// historyPage serves GET /p/:id/history: the timeslider's page shell from
// the frontend.
func (s *Server) historyPage(c echo.Context) error { return s.shellPage(c, "history.html") }

// shellPage serves the frontend's page name for the session :id.
func (s *Server) shellPage(c echo.Context, name string) error {
	if _, err := s.cfg.Catalog.Session(c.Request().Context(), c.Param("id")); err != nil {
		return catalogError(err)
	}
	page := s.assets.files[name]
	if page == nil {
		return errors.New("the frontend has no " + name)
	}
	// A fresh nonce for this answer lets the editor's <style> element in,
	// and only it: the page reads it from <meta name="csp-nonce">.
	nonce := rand.Text()
	h := c.Response().Header()
	h.Set("Content-Security-Policy", withStyleNonce(h.Get("Content-Security-Policy"), nonce))
	h.Set("Cache-Control", "no-store")
	body := bytes.Replace(page.plain, []byte("<head>"), []byte(`<head>
<meta name="csp-nonce" content="`+nonce+`">`), 1)
	return c.HTMLBlob(http.StatusOK, body)
}

// errorPage renders an error for a page request.
func (s *Server) errorPage(c echo.Context, he *httpError) error {
	msg := he.Message
	if he.Status == http.StatusNotFound {
		msg = "There is no such page or session."
	}
	data := site.ErrorPage{
		Page:   site.Page{Title: http.StatusText(he.Status), Site: "confpad", URLs: site.LiveURLs()},
		Status: he.Status, Message: msg,
	}
	return renderPage(c, he.Status, func(b *bytes.Buffer) error { return s.pages.Error(b, data) })
}
