package httpapi

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
)

// codeCrossOrigin: a browser page of another origin tried to write.
const codeCrossOrigin = "cross_origin"

// ParseOrigin checks that s is a web origin, scheme://host[:port] with
// scheme http or https and nothing after the host, and returns it in the
// form browsers send in the Origin header (lower case).
func ParseOrigin(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("want an origin such as https://notes.example.org, not %q", s)
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}

// sameOrigin reports whether r may write: it comes from no browser page
// (no Origin header, and no Sec-Fetch-Site saying it is cross-site: curl,
// scripts, the Go client), from a page of this server (the Origin's
// scheme and host are the request's, the scheme being https behind TLS or
// a proxy that says so in X-Forwarded-Proto; or the Origin is "null" and
// Sec-Fetch-Site says same-origin: browsers send "null" for a form
// posted under a no-referrer policy), or from an origin in
// Config.AllowedOrigins.
func (s *Server) sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "null" {
		return r.Header.Get("Sec-Fetch-Site") == "same-origin"
	}
	if origin == "" {
		site := r.Header.Get("Sec-Fetch-Site")
		return site == "" || site == "same-origin" || site == "none"
	}
	if origin == "null" {
		// An opaque origin: a same-origin form sent under a no-referrer
		// policy, or a sandboxed or data: page anywhere. The browser's
		// Sec-Fetch-Site, which no page can set, tells them apart.
		return r.Header.Get("Sec-Fetch-Site") == "same-origin"
	}
	origin = strings.ToLower(origin)
	if slices.Contains(s.cfg.AllowedOrigins, origin) {
		return true
	}
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return origin == scheme+"://"+strings.ToLower(r.Host)
}

// refuseCrossOrigin answers 403 cross_origin to a write (any method but
// GET, HEAD and OPTIONS) that a page of another origin sends, so that no
// web page can make a visitor's browser add links or, with a stored
// admin token, change sessions.
func (s *Server) refuseCrossOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if !s.sameOrigin(c.Request()) {
			return apiError(http.StatusForbidden, codeCrossOrigin, "requests from pages of another origin may not write; the server's --allowed-origins lists the origins that may")
		}
		return next(c)
	}
}
