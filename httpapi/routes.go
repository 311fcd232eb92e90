package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/confpad/confpad/frontend"
	"github.com/confpad/confpad/protocol"
	"github.com/confpad/confpad/site"
)

// maxBodyBytes limits request bodies of the JSON API.
const maxBodyBytes = 64 << 10

// routes builds the Echo router with every route of the server.
func (s *Server) routes() (*echo.Echo, error) {
	pages, err := site.NewPages()
	if err != nil {
		return nil, err
	}
	s.pages = pages
	if s.assets, err = newAssets(frontend.Assets()); err != nil {
		return nil, err
	}
	if s.assets.files[site.StylesheetFile], err = newAsset(site.StylesheetFile, site.Stylesheet); err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = ipExtractor(s.cfg.TrustedProxies)
	// Before routing: every answer, a 404 or 405 too, is logged and has
	// the security headers.
	e.Pre(s.accessLog, s.securityHeaders)
	e.Use(s.recoverPanics, s.limitBodyTime, limitBody, s.refuseCrossOrigin)

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	switch s.cfg.Metrics {
	case MetricsPublic:
		e.GET("/metrics", echo.WrapHandler(s.metrics.handler()))
	case MetricsAdmin:
		e.GET("/metrics", echo.WrapHandler(s.metrics.handler()), s.requireAdmin)
	}

	const api = "/api/v1"
	e.GET(api+"/openapi.json", s.openAPI)
	e.GET(api+"/pads", s.listPads)
	e.GET(api+"/pads/:id", s.getPad)
	e.GET(api+"/pads/:id/text", s.getText)
	e.GET(api+"/search", s.searchAPI)
	e.POST(api+"/pads/:id/links", s.addLink)
	e.GET(api+"/pads/:id/revisions", s.listRevisions)
	e.GET(api+"/pads/:id/authors", s.listAuthors)
	e.GET(api+"/pads/:id/attribution", s.getAttribution)
	e.POST(api+"/bofs", s.startBoFAPI)

	e.POST(api+"/pads", s.createPad, s.requireAdmin)
	e.PATCH(api+"/pads/:id", s.updatePad, s.requireAdmin)
	e.DELETE(api+"/pads/:id", s.deletePad, s.requireAdmin)
	e.DELETE(api+"/pads/:id/links/:linkID", s.deleteLink)
	e.PATCH(api+"/pads/:id/links/:linkID", s.updateLink)
	e.POST(api+"/pads/:id/restore", s.restore)
	e.GET(api+"/pads/:id/edit-link", s.getEditLink, s.requireAdmin)
	e.POST(api+"/pads/:id/edit-link/rotate", s.rotateEditLink, s.requireAdmin)
	e.POST(importPath, s.importText, s.requireAdmin)
	e.POST(api+"/pads/:id/archive", s.archivePad, s.requireAdmin)
	e.POST(api+"/pads/:id/unarchive", s.unarchivePad, s.requireAdmin)

	e.GET("/pads/:id/ws", s.serveWS, s.limitConns)

	e.GET("/", s.indexPage)
	e.GET("/p/:id", s.padPage)
	e.GET("/p/:id/notes", s.notesPage)
	e.GET("/p/:id/history", s.historyPage)
	e.GET("/p/:id/export.md", s.exportText("md"))
	e.GET("/p/:id/export.txt", s.exportText("txt"))
	e.GET("/p/:id/export.html", s.exportText("html"))
	e.GET("/export.zip", s.exportZip)
	e.POST("/bofs", s.startBoFForm)
	e.GET("/search", s.searchPage)
	e.GET("/assets/*", s.assets.serve)
	return e, nil
}

// recoverPanics turns a panic in a handler into a 500 and a log line.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("handler panicked", "path", c.Path(), "panic", r)
				err = apiError(http.StatusInternalServerError, codeInternal, "internal error")
			}
		}()
		return next(c)
	}
}

// limitBody caps request bodies at maxBodyBytes (imports at
// maxImportBytes); reading past it fails with *http.MaxBytesError.
func limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		limit, tooLarge := int64(maxBodyBytes), errBodyTooLarge
		if c.Path() == importPath {
			limit, tooLarge = maxImportBytes, errImportTooLarge
		}
		if r.ContentLength > limit {
			return tooLarge
		}
		r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
		return next(c)
	}
}

var errBodyTooLarge = apiError(http.StatusRequestEntityTooLarge, codeTooLarge, "request body is larger than 64 KiB")

// healthz answers 200 while the process runs, with the server's version.
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok", "version": s.cfg.Version})
}

// readyz answers 200 when Config.Ready says the server can serve, and 503
// with the reason otherwise (and while shutting down).
func (s *Server) readyz(c echo.Context) error {
	if s.closing.Load() {
		return apiError(http.StatusServiceUnavailable, codeUnavailable, "shutting down")
	}
	if s.cfg.Ready != nil {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		defer cancel()
		if err := s.cfg.Ready(ctx); err != nil {
			return apiError(http.StatusServiceUnavailable, codeUnavailable, err.Error())
		}
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}

// httpError is an error answered as {"error":{"code","message"}} with
// Status (or as the HTML error page, for pages).
type httpError struct {
	Status  int
	Code    string
	Message string
}

func (e *httpError) Error() string { return e.Code + ": " + e.Message }

func apiError(status int, code, message string) error {
	return &httpError{Status: status, Code: code, Message: message}
}

// HTTP API error codes. The first three are the websocket protocol's,
// with the same meaning in both.
const (
	codeInternal     = protocol.Internal
	codeTooLarge     = protocol.TooLarge
	codeUnavailable  = protocol.Unavailable
	codeBadRequest   = "bad_request"
	codeNotFound     = "not_found"
	codeExists       = "exists"
	codeUnauthorized = "unauthorized"
	codeForbidden    = "forbidden"
	codeBadRev       = "bad_rev"
	codeTooManyLinks = "too_many_links"
	codeArchived     = "archived"
)

// handleError is Echo's error handler: JSON errors for the API, an HTML
// page for pages.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	he := toHTTPError(err)
	if he.Status == http.StatusInternalServerError {
		s.log.Error("request failed", "method", c.Request().Method, "path", c.Path(), "err", err)
	}
	s.metrics.errors.WithLabelValues(he.Code).Inc()
	if wantsHTML(c.Request()) {
		_ = s.errorPage(c, he)
		return
	}
	if he.Status == http.StatusUnauthorized {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="confpad admin"`)
	}
	body := map[string]any{"error": map[string]string{"code": he.Code, "message": he.Message}}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(he.Status)
		return
	}
	_ = c.JSON(he.Status, body)
}

// toHTTPError maps any handler error to a status, code and message.
func toHTTPError(err error) *httpError {
	var he *httpError
	if errors.As(err, &he) {
		return he
	}
	var ee *echo.HTTPError
	if errors.As(err, &ee) {
		msg := http.StatusText(ee.Code)
		if m, ok := ee.Message.(string); ok {
			msg = m
		}
		code := "error"
		switch ee.Code {
		case http.StatusNotFound:
			code = codeNotFound
		case http.StatusMethodNotAllowed:
			code = "method_not_allowed"
		case http.StatusBadRequest:
			code = codeBadRequest
		case http.StatusInternalServerError:
			code, msg = codeInternal, "internal error"
		}
		return &httpError{Status: ee.Code, Code: code, Message: msg}
	}
	return &httpError{Status: http.StatusInternalServerError, Code: codeInternal, Message: "internal error"}
}

// wantsHTML reports whether a request is for a page rather than the API.
func wantsHTML(r *http.Request) bool {
	p := r.URL.Path
	return p == "/" || p == "/bofs" || strings.HasPrefix(p, "/p/") ||
		!strings.HasPrefix(p, "/api/") && !strings.HasPrefix(p, "/pads/") &&
			strings.Contains(r.Header.Get("Accept"), "text/html")
}
