package httpapi

import (
	"context"
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/confpad/confpad/site"
)

// exportCSP is the Content-Security-Policy of an exported HTML file: its
// inline styles and nothing else; no script, no frame, no form.
const exportCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// attachment sets Content-Disposition so that browsers save the response
// as name.
func attachment(c echo.Context, name string) {
	c.Response().Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
}

// exportText serves GET /p/:id/export.{md,txt,html}[?rev=R]: the pad's
// notes as a file. .md is the pad text byte for byte; .txt adds a header
// with the session's metadata; .html is one self-contained page (inline
// CSS, no scripts, no links to other pages).
func (s *Server) exportText(format string) echo.HandlerFunc {
	return func(c echo.Context) error {
		v, release, err := s.padVersion(c)
		if err != nil {
			return err
		}
		defer release()
		attachment(c, v.sess.ID+"."+format)
		switch format {
		case "md":
			return c.Blob(http.StatusOK, "text/markdown; charset=utf-8", v.text)
		case "txt":
			return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(site.PlainText(v.sess, string(v.text))))
		}
		c.Response().Header().Set("Content-Security-Policy", exportCSP)
		return s.renderNotes(c, v, site.StandaloneURLs(), nil)
	}
}

// Bounds of the work readers can ask for: the rendered notes kept (by pad
// revision, so that a crowd reading one revision renders it once), and
// the whole-conference zip exports run at once.
const (
	notesCacheEntries = 512
	notesCacheBytes   = 64 << 20
	maxZipExports     = 2
	// zipRetryAfter is the Retry-After, in seconds, of a zip export
	// refused because others are running.
	zipRetryAfter = "10"
)

// codeBusy answers a request for work the server is doing at its limit.
const codeBusy = "busy"

// exportZip serves GET /export.zip: the whole conference (see
// site.Pages.Export), streamed as it is read, one pad at a time. At most
// maxZipExports run at once; one more gets 429 with Retry-After.
func (s *Server) exportZip(c echo.Context) error {
	select {
	case s.zipSlots <- struct{}{}:
		defer func() { <-s.zipSlots }()
	default:
		c.Response().Header().Set("Retry-After", zipRetryAfter)
		return apiError(http.StatusTooManyRequests, codeBusy, "other exports of the conference are running; try again in "+zipRetryAfter+" seconds")
	}
	ctx := c.Request().Context()
	title, err := s.cfg.Catalog.Title(ctx)
	if err != nil {
		return catalogError(err)
	}
	sessions, err := s.cfg.Catalog.Sessions(ctx)
	if err != nil {
		return catalogError(err)
	}
	conf := site.Conference{Title: siteTitle(title), Sessions: sessions, Text: s.latestText, Notes: s.notes}
	attachment(c, "conference.zip")
	c.Response().Header().Set(echo.HeaderContentType, "application/zip")
	c.Response().WriteHeader(http.StatusOK)
	if err := s.pages.WriteZip(ctx, c.Response(), conf); err != nil {
		// The status is sent; a cut archive is all the client can get.
		s.log.Warn("export zip cut short", "err", err)
	}
	return nil
}

// latestText returns a pad's latest text and revision.
func (s *Server) latestText(ctx context.Context, id string) (string, int, error) {
	return s.engine.Text(ctx, id, -1)
}
