package httpapi

import (
	"bytes"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

//go:embed templates/*.html
var templateFS embed.FS

// pagesCSS is the pages' stylesheet, served as /assets/pages.css.
//
//go:embed templates/pages.css
var pagesCSS []byte

// pages holds the parsed page templates and the Markdown renderer.
type pages struct {
	index, notes, errorPage *template.Template
	markdown                goldmark.Markdown
}

func newPages() (*pages, error) {
	parse := func(name string) (*template.Template, error) {
		t, err := template.ParseFS(templateFS, "templates/layout.html", "templates/"+name)
		if err != nil {
			return nil, fmt.Errorf("parsing page template %s: %w", name, err)
		}
		return t, nil
	}
	p := &pages{
		// Raw HTML in notes is not passed through (goldmark's default).
		markdown: goldmark.New(goldmark.WithExtensions(extension.GFM)),
	}
	var err error
	if p.index, err = parse("index.html"); err != nil {
		return nil, err
	}
	if p.notes, err = parse("notes.html"); err != nil {
		return nil, err
	}
	if p.errorPage, err = parse("error.html"); err != nil {
		return nil, err
	}
	return p, nil
}

// render writes a page with status.
func render(c echo.Context, status int, t *template.Template, data any) error {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("rendering page: %w", err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// indexPage serves GET /: the conference and its sessions, plain HTML.
func (s *Server) indexPage(c echo.Context) error {
	list, err := s.padList(c.Request().Context())
	if err != nil {
		return err
	}
	if list.Title == "" {
		list.Title = "confpad"
	}
	return render(c, http.StatusOK, s.pages.index, map[string]any{"Title": list.Title, "Sessions": list.Pads})
}

// notesPage serves GET /p/:id/notes: the pad's notes rendered from
// Markdown, read-only, with the slide links; no JavaScript needed.
func (s *Server) notesPage(c echo.Context) error {
	ctx := c.Request().Context()
	sess, err := s.cfg.Catalog.Session(ctx, c.Param("id"))
	if err != nil {
		return catalogError(err)
	}
	text, head, err := s.engine.Text(ctx, sess.ID, -1)
	if err != nil {
		return engineHTTPError(err)
	}
	var html bytes.Buffer
	if err := s.pages.markdown.Convert([]byte(text), &html); err != nil {
		return fmt.Errorf("rendering notes of %s: %w", sess.ID, err)
	}
	return render(c, http.StatusOK, s.pages.notes, map[string]any{
		"Title":   sess.Title,
		"Session": sess,
		"Rev":     head,
		"Notes":   template.HTML(html.String()), // goldmark escapes raw HTML
		"Empty":   text == "",
	})
}

// padPage serves GET /p/:id: the editor's page shell from the frontend.
func (s *Server) padPage(c echo.Context) error {
	if _, err := s.cfg.Catalog.Session(c.Request().Context(), c.Param("id")); err != nil {
		return catalogError(err)
	}
	page := s.assets.files["pad.html"]
	if page == nil {
		return errors.New("the frontend has no pad.html")
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
	return render(c, he.Status, s.pages.errorPage, map[string]any{
		"Title": http.StatusText(he.Status), "Status": he.Status, "Message": msg,
	})
}
