package httpapi

import (
	"context"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// contentSecurityPolicy is the policy of every response, before its
// frame-ancestors directive: scripts, styles, fonts and connections
// (websockets included) only from this origin, nothing inline; images
// also from https: (slides and pictures in notes) and data: URLs; no
// plugins, no <base>, forms post only here. A handler that serves
// something else (an export with its own inline styles) may set its own.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; " +
	"connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'"

// cspWith returns the Content-Security-Policy header for the frame
// ancestors allowed: 'none' when there are none.
func cspWith(frameAncestors []string) string {
	fa := "'none'"
	if len(frameAncestors) > 0 {
		fa = strings.Join(frameAncestors, " ")
	}
	return contentSecurityPolicy + "; frame-ancestors " + fa
}

// withStyleNonce returns the policy csp that also allows <style> elements
// carrying nonce (the editor's CodeMirror writes its theme into one).
// Scripts stay limited to this origin's files.
func withStyleNonce(csp, nonce string) string {
	return strings.Replace(csp, "style-src 'self'", "style-src 'self' 'nonce-"+nonce+"'", 1)
}

// securityHeaders sets the browser security headers on every response,
// pages, assets, API answers, websocket refusals and errors alike. It
// runs before routing and before the handler, so a handler may replace
// one (Header().Set) for its own response.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	csp := cspWith(s.cfg.FrameAncestors)
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		// Pad and edit URLs may carry secrets: never send them to other
		// sites. Not no-referrer: with it, browsers send "Origin: null" on
		// the pages' own form posts, which the Origin check refuses.
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if len(s.cfg.FrameAncestors) == 0 {
			h.Set("X-Frame-Options", "DENY") // for browsers without CSP frame-ancestors
		}
		return next(c)
	}
}

// headAsGet serves a HEAD request as a GET of the same path, so that HEAD
// works wherever GET does (uptime checkers use it). The handlers see GET;
// the HTTP server still knows the request is HEAD and sends the headers
// (Content-Length included) without the body. requestMethod tells the
// access log the method sent.
func headAsGet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			get := r.WithContext(context.WithValue(r.Context(), headKey{}, true))
			get.Method = http.MethodGet
			r = get
		}
		next.ServeHTTP(w, r)
	})
}

// headKey marks, in a request's context, a HEAD served as GET.
type headKey struct{}

// requestMethod is r's method as the client sent it.
func requestMethod(r *http.Request) string {
	if r.Context().Value(headKey{}) != nil {
		return http.MethodHead
	}
	return r.Method
}

// isUpgrade reports whether r asks for a websocket.
func isUpgrade(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// accessLog logs every request at info level once it is answered: method,
// path, status, duration, bytes written and the client address. Handler
// errors are answered here (through the error handler) so that the line
// has the status sent. Websockets are logged by limitConns instead, when
// they open and close.
func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		method, path := requestMethod(c.Request()), c.Request().URL.Path
		if err := next(c); err != nil {
			c.Error(err)
		}
		res := c.Response()
		if !s.cfg.AccessLog || res.Status == http.StatusSwitchingProtocols {
			return nil
		}
		s.log.Info("request", "method", method, "path", path, "status", res.Status,
			"duration", time.Since(start).Round(time.Microsecond), "bytes", res.Size, "remote", c.RealIP())
		return nil
	}
}

// errBodyTimeout answers a request whose body did not arrive within
// Config.BodyTimeout.
var errBodyTimeout = apiError(http.StatusRequestTimeout, "timeout", "the request body did not arrive in time")

// limitBodyTime bounds the time to read a request's body to
// Config.BodyTimeout, so that a client trickling a body (slowloris) holds
// no handler for long. Requests without a body are left alone (the
// deadline would also end a long answer's wait for the client), and so
// are websocket upgrades: their connection lives on with its own
// deadlines.
func (s *Server) limitBodyTime(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if r := c.Request(); r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody && !isUpgrade(r) {
			rc := http.NewResponseController(c.Response().Writer)
			_ = rc.SetReadDeadline(time.Now().Add(s.cfg.BodyTimeout)) // unsupported only on test recorders
		}
		return next(c)
	}
}

// refusalLogEvery is how often at most the refusals of one client address
// are logged: a client over its limit that keeps dialling gets one line
// and then a count a minute, not a line per attempt.
const refusalLogEvery = time.Minute

// connLimiter counts the open websockets of each client address.
type connLimiter struct {
	max    int
	mu     sync.Mutex
	byAddr map[string]*addrConns
}

// addrConns is what connLimiter keeps for one address with open
// websockets: how many, and the refusals not yet logged.
type addrConns struct {
	open     int
	refused  int       // refusals since the last logged line
	loggedAt time.Time // when the last refusal line was logged; zero: never
}

// acquire counts one more connection from addr, or reports false when
// addr already has max. On a refusal, log is how many refusals (this one
// included) to log now, or 0 while the last line is under
// refusalLogEvery old.
func (l *connLimiter) acquire(addr string, now time.Time) (ok bool, log int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.byAddr[addr]
	if a == nil {
		a = &addrConns{}
		l.byAddr[addr] = a
	}
	if a.open < l.max {
		a.open++
		return true, 0
	}
	a.refused++
	if !a.loggedAt.IsZero() && now.Sub(a.loggedAt) < refusalLogEvery {
		return false, 0
	}
	log, a.refused, a.loggedAt = a.refused, 0, now
	return false, log
}

// release counts one connection from addr less; an address with none
// left is forgotten, its refusal count with it.
func (l *connLimiter) release(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if a := l.byAddr[addr]; a != nil {
		if a.open--; a.open <= 0 {
			delete(l.byAddr, addr)
		}
	}
}

// codeTooManyConnections answers a websocket over the per-address limit.
const codeTooManyConnections = "too_many_connections"

// limitConns guards the websocket route: a client address (see
// Config.TrustedProxies) may hold Config.MaxConnsPerAddr websockets at
// once; one more is refused with 429 before the upgrade. It logs each
// websocket's open and close with its pad. The handler may hand the slot
// to the connection (connSlot.handOff), which outlives the request; the
// connection then releases it.
func (s *Server) limitConns(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		addr := c.RealIP()
		if ok, refused := s.perAddr.acquire(addr, time.Now()); !ok {
			if refused > 0 {
				s.log.Warn("websocket refused: too many connections from one address", "remote", addr, "limit", s.cfg.MaxConnsPerAddr, "refused", refused)
			}
			return apiError(http.StatusTooManyRequests, codeTooManyConnections,
				fmt.Sprintf("this address already has %d open connections (the server's limit)", s.cfg.MaxConnsPerAddr))
		}
		slot := &connSlot{s: s, c: c, addr: addr, pad: c.Param("id"), start: time.Now()}
		if s.cfg.AccessLog {
			s.log.Info("websocket opened", "pad", slot.pad, "remote", addr)
		}
		c.Set(connSlotKey, slot)
		err := next(c)
		if !slot.handed {
			slot.release()
		}
		return err
	}
}

// connSlotKey is the echo context key of a websocket's connSlot.
const connSlotKey = "confpad.connSlot"

// connSlot is a websocket's place in the per-address count, taken by
// limitConns.
type connSlot struct {
	s      *Server
	c      echo.Context // until release
	addr   string
	pad    string
	start  time.Time
	status int
	handed bool
}

// wsSlotOf returns the slot limitConns took for c's request.
func wsSlotOf(c echo.Context) *connSlot {
	slot, _ := c.Get(connSlotKey).(*connSlot)
	return slot
}

// handOff makes the connection responsible for releasing the slot, once
// the handler has upgraded the request.
func (slot *connSlot) handOff() {
	if slot == nil {
		return // a route without limitConns
	}
	slot.handed = true
	slot.status = slot.c.Response().Status
	slot.c = nil // the request is not kept alive by the connection
}

// release frees the slot and logs the websocket's close.
func (slot *connSlot) release() {
	if slot == nil {
		return
	}
	s := slot.s
	s.perAddr.release(slot.addr)
	if !s.cfg.AccessLog {
		return
	}
	status := slot.status
	if slot.c != nil {
		status = slot.c.Response().Status
	}
	s.log.Info("websocket closed", "pad", slot.pad, "remote", slot.addr, "status", status,
		"duration", time.Since(slot.start).Round(time.Millisecond))
}

// ipExtractor finds a request's client address: the peer's, or, when the
// peer is one of the trusted proxies, the last address in
// X-Forwarded-For that is not a trusted proxy.
func ipExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// hasAdminToken reports whether r carries "Authorization: Bearer
// <Config.AdminToken>" (the scheme in any case), compared in constant
// time. It is false when the server has no admin token.
func (s *Server) hasAdminToken(r *http.Request) bool {
	if s.cfg.AdminToken == "" {
		return false
	}
	scheme, token, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	return ok && strings.EqualFold(scheme, "Bearer") &&
		subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.cfg.AdminToken)) == 1
}

// audit logs an admin action at info level: what was done to what, by
// whom (the admin token's holder, from which address).
func (s *Server) audit(c echo.Context, action, pad string, attrs ...any) {
	s.log.Info("audit: admin action", append([]any{
		"action", action, "pad", pad, "by", "admin token", "remote", c.RealIP(),
		slog.String("user_agent", c.Request().UserAgent()),
	}, attrs...)...)
}
