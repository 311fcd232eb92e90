package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/labstack/echo/v4"

	"github.com/confpad/confpad/internal/testsink"
	"github.com/confpad/confpad/internal/testutil"
)

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	ts := newTestServer(t, Config{})
	html := []string{"Accept", "text/html"}
	cases := []struct {
		name, method, path string
		header             []string
		status             int
	}{
		{"index page", "GET", "/", nil, 200},
		{"pad page", "GET", "/p/main", nil, 200},
		{"notes page", "GET", "/p/main/notes", nil, 200},
		{"page 404", "GET", "/p/nope", nil, 404},
		{"unrouted page 404", "GET", "/nowhere", html, 404},
		{"script", "GET", "/assets/pad.js", nil, 200},
		{"stylesheet", "GET", "/assets/pad.css", nil, 200},
		{"pages stylesheet", "GET", "/assets/pages.css", nil, 200},
		{"asset 404", "GET", "/assets/nope.js", nil, 404},
		{"API", "GET", "/api/v1/pads", nil, 200},
		{"API 404", "GET", "/api/v1/pads/nope", nil, 404},
		{"API 401", "DELETE", "/api/v1/pads/main", nil, 401},
		{"API 405", "PUT", "/api/v1/pads", nil, 405},
		{"API 400", "POST", "/api/v1/pads/main/links", []string{"Content-Type", "application/json"}, 400},
		{"healthz", "GET", "/healthz", nil, 200},
		{"metrics", "GET", "/metrics", nil, 200},
		{"websocket without upgrade", "GET", "/pads/main/ws", nil, 426},
		{"HEAD", "HEAD", "/", nil, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, _, h := ts.do(t, tc.method, tc.path, "", tc.header...)
			if status != tc.status {
				t.Fatalf("status %d, want %d", status, tc.status)
			}
			csp := cspWith(nil)
			if tc.name == "pad page" {
				csp = withStyleNonce(csp, "NONCE")
				h.Set("Content-Security-Policy", regexp.MustCompile(`'nonce-[A-Z2-7]{26}'`).ReplaceAllString(h.Get("Content-Security-Policy"), "'nonce-NONCE'"))
			}
			want := map[string]string{
				"Content-Security-Policy": csp,
				"X-Content-Type-Options":  "nosniff",
				"Referrer-Policy":         "same-origin",
				"X-Frame-Options":         "DENY",
			}
			for k, v := range want {
				if got := h.Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
		})
	}
}

// TestPadPageStyleNonce: the editor page gets a fresh nonce for its
// <style> element in each answer, in the header and in the page alike.
func TestPadPageStyleNonce(t *testing.T) {
	ts := newTestServer(t, Config{})
	nonceRE := regexp.MustCompile(`'nonce-([A-Za-z0-9]+)'`)
	seen := map[string]bool{}
	for range 2 {
		_, body, h := ts.do(t, "GET", "/p/main", "")
		m := nonceRE.FindStringSubmatch(h.Get("Content-Security-Policy"))
		if m == nil {
			t.Fatalf("no nonce in %q", h.Get("Content-Security-Policy"))
		}
		if !strings.Contains(body, `<meta name="csp-nonce" content="`+m[1]+`">`) {
			t.Errorf("the page does not carry the header's nonce %s", m[1])
		}
		if strings.Contains(h.Get("Content-Security-Policy"), "script-src 'self' 'nonce") {
			t.Error("the nonce lets scripts in")
		}
		seen[m[1]] = true
	}
	if len(seen) != 2 {
		t.Error("two answers share a nonce")
	}
}

func TestCSPIsStrict(t *testing.T) {
	csp := cspWith(nil)
	for _, bad := range []string{"unsafe-inline", "unsafe-eval", "*"} {
		if strings.Contains(csp, bad) {
			t.Errorf("the policy allows %s: %s", bad, csp)
		}
	}
	for _, want := range []string{"script-src 'self'", "style-src 'self'", "default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("the policy lacks %s: %s", want, csp)
		}
	}
}

func TestFrameAncestorsConfigured(t *testing.T) {
	ts := newTestServer(t, Config{FrameAncestors: []string{"https://stream.example.org", "'self'"}})
	_, _, h := ts.do(t, "GET", "/p/main", "")
	if csp := h.Get("Content-Security-Policy"); !strings.HasSuffix(csp, "frame-ancestors https://stream.example.org 'self'") {
		t.Errorf("CSP %q does not end with the configured frame ancestors", csp)
	}
	if xfo := h.Get("X-Frame-Options"); xfo != "" {
		t.Errorf("X-Frame-Options %q would forbid the configured framing", xfo)
	}
}

func TestHandlerMayOverrideCSP(t *testing.T) {
	ts := newTestServer(t, Config{})
	const own = "default-src 'none'; style-src 'unsafe-inline'"
	ts.srv.echo.GET("/own-policy", func(c echo.Context) error {
		c.Response().Header().Set("Content-Security-Policy", own)
		return c.HTML(http.StatusOK, "<style>p{}</style><p>hi</p>")
	})
	_, _, h := ts.do(t, "GET", "/own-policy", "")
	if got := h.Get("Content-Security-Policy"); got != own {
		t.Errorf("CSP %q, want the handler's %q", got, own)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("the other headers are gone")
	}
}

// TestHeadWherever GET works: every GET route answers HEAD with the same
// status and headers and no body.
func TestHeadWhereverGet(t *testing.T) {
	ts := newTestServer(t, Config{})
	params := strings.NewReplacer(":id", "main", ":linkID", "nope", "*", "pad.js")
	n := 0
	for _, r := range ts.srv.echo.Routes() {
		if r.Method != http.MethodGet {
			continue
		}
		n++
		path := params.Replace(r.Path)
		t.Run(path, func(t *testing.T) {
			getStatus, _, getH := ts.do(t, "GET", path, "")
			headStatus, body, headH := ts.do(t, "HEAD", path, "")
			if headStatus != getStatus {
				t.Errorf("HEAD %d, GET %d", headStatus, getStatus)
			}
			if body != "" {
				t.Errorf("HEAD has a body: %q", body)
			}
			if headH.Get("Content-Type") != getH.Get("Content-Type") {
				t.Errorf("HEAD Content-Type %q, GET %q", headH.Get("Content-Type"), getH.Get("Content-Type"))
			}
		})
	}
	if n < 8 {
		t.Fatalf("only %d GET routes", n)
	}
}

func TestBearerSchemeCaseInsensitive(t *testing.T) {
	ts := newTestServer(t, Config{})
	cases := []struct {
		header string
		status int
	}{
		{"Bearer " + testToken, 200},
		{"bearer " + testToken, 200},
		{"BEARER  " + testToken, 200},
		{"Basic " + testToken, 401},
		{"Bearer wrong", 401},
		{testToken, 401},
		{"", 401},
	}
	for _, tc := range cases {
		status, body, _ := ts.do(t, "PATCH", "/api/v1/pads/main", `{"title":"Main track"}`, "Authorization", tc.header)
		if status != tc.status {
			t.Errorf("Authorization %q: %d %s, want %d", tc.header, status, body, tc.status)
		}
	}
}

func TestMetricsAccess(t *testing.T) {
	for _, tc := range []struct {
		name         string
		access       MetricsAccess
		open, bearer int
	}{
		{"public", MetricsPublic, 200, 200},
		{"admin", MetricsAdmin, 401, 200},
		{"off", MetricsOff, 404, 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t, Config{Metrics: tc.access, Version: "v9.8.7-test"})
			if status, _, _ := ts.do(t, "GET", "/metrics", ""); status != tc.open {
				t.Errorf("without token: %d, want %d", status, tc.open)
			}
			status, body, _ := ts.do(t, "GET", "/metrics", "", bearer...)
			if status != tc.bearer {
				t.Errorf("with token: %d, want %d", status, tc.bearer)
			}
			if status == 200 && !strings.Contains(body, `confpad_build_info{version="v9.8.7-test"} 1`) {
				t.Errorf("no build info in the metrics")
			}
		})
	}
}

func TestHealthzVersion(t *testing.T) {
	ts := newTestServer(t, Config{Version: "v1.2.3"})
	if _, body, _ := ts.do(t, "GET", "/healthz", ""); !strings.Contains(body, `"version":"v1.2.3"`) {
		t.Errorf("healthz %s lacks the version", body)
	}
}

// dialStatus dials a websocket with extra headers and returns the
// connection or the HTTP status of the refusal and its body.
func dialStatus(t *testing.T, ts *testServer, header http.Header) (*websocket.Conn, int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	conn, res, err := websocket.Dial(ctx, ts.wsURL("main"), &websocket.DialOptions{HTTPHeader: header})
	if err != nil {
		if res == nil {
			t.Fatalf("dial: %v", err)
		}
		var b bytes.Buffer
		_, _ = b.ReadFrom(res.Body)
		return nil, res.StatusCode, b.String()
	}
	t.Cleanup(func() { conn.CloseNow() })
	return conn, http.StatusSwitchingProtocols, ""
}

func TestConnectionsPerAddress(t *testing.T) {
	_, local, _ := net.ParseCIDR("127.0.0.0/8")
	ts := newTestServer(t, Config{MaxConnsPerAddr: 2, TrustedProxies: []*net.IPNet{local}})
	from := func(ip string) http.Header { return http.Header{"X-Forwarded-For": {ip}} }

	a, _, _ := dialStatus(t, ts, from("203.0.113.1"))
	dialStatus(t, ts, from("203.0.113.1"))
	if _, status, body := dialStatus(t, ts, from("203.0.113.1")); status != http.StatusTooManyRequests || !strings.Contains(body, codeTooManyConnections) {
		t.Fatalf("third connection from one address: %d %s, want 429 %s", status, body, codeTooManyConnections)
	}
	if _, status, _ := dialStatus(t, ts, from("203.0.113.2")); status != http.StatusSwitchingProtocols {
		t.Fatalf("another address behind the trusted proxy: %d, want 101", status)
	}
	a.Close(websocket.StatusNormalClosure, "")
	testutil.Eventually(t, "a slot is free again after a close", func() bool {
		c, status, _ := dialStatus(t, ts, from("203.0.113.1"))
		if c != nil {
			c.CloseNow()
		}
		return status == http.StatusSwitchingProtocols
	})
}

func TestForwardedForIgnoredWithoutTrustedProxy(t *testing.T) {
	ts := newTestServer(t, Config{MaxConnsPerAddr: 1})
	dialStatus(t, ts, http.Header{"X-Forwarded-For": {"203.0.113.1"}})
	if _, status, _ := dialStatus(t, ts, http.Header{"X-Forwarded-For": {"203.0.113.2"}}); status != http.StatusTooManyRequests {
		t.Fatalf("a forged X-Forwarded-For escaped the limit: %d", status)
	}
}

func TestAccessAndAuditLog(t *testing.T) {
	logs := &testsink.Buffer{}
	ts := newTestServer(t, Config{AccessLog: true, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	ts.do(t, "GET", "/api/v1/pads/main", "")
	ts.do(t, "HEAD", "/healthz", "")
	c := dial(t, ts, "main")
	c.join("logged", -1)
	c.conn.Close(websocket.StatusNormalClosure, "")
	ts.do(t, "PATCH", "/api/v1/pads/main", `{"state":"archived"}`, bearer...)
	ts.do(t, "DELETE", "/api/v1/pads/old", "", bearer...)

	testutil.Eventually(t, "the websocket close is logged", func() bool { return strings.Contains(logs.String(), "websocket closed") })
	out := logs.String()
	for _, want := range []string{
		`msg=request method=GET path=/api/v1/pads/main status=200`,
		`msg=request method=HEAD path=/healthz status=200`,
		`msg="websocket opened" pad=main remote=127.0.0.1`,
		`msg="websocket closed" pad=main remote=127.0.0.1 status=101`,
		`msg="audit: admin action" action=archive pad=main by="admin token" remote=127.0.0.1`,
		`msg="audit: admin action" action=delete pad=old by="admin token" remote=127.0.0.1`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %s", want)
		}
	}
	if !strings.Contains(out, " bytes=") || !strings.Contains(out, " duration=") {
		t.Error("the access log lacks bytes or duration")
	}
	if t.Failed() {
		t.Log(out)
	}
}

// TestSlowBodyTimesOut sends a request whose body never finishes: the
// server answers 408 once BodyTimeout has passed instead of waiting.
func TestSlowBodyTimesOut(t *testing.T) {
	ts := newTestServer(t, Config{BodyTimeout: 100 * time.Millisecond})
	conn, err := net.Dial("tcp", ts.http.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/pads/main/links HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"title\":")
	_ = conn.SetReadDeadline(time.Now().Add(testTimeout))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a stalled body: %v", err)
	}
	if res.StatusCode != http.StatusRequestTimeout {
		t.Fatalf("status %d, want 408", res.StatusCode)
	}
}

// TestPagesNeedNoInlineCode checks that every page works under the
// policy: no inline <style> or <script>, no style or on* attributes.
func TestPagesNeedNoInlineCode(t *testing.T) {
	ts := newTestServer(t, Config{})
	inline := regexp.MustCompile(`(?i)<style|\sstyle=|\son[a-z]+=`)
	script := regexp.MustCompile(`(?i)<script[^>]*>`)
	for _, path := range []string{"/", "/p/main", "/p/main/notes", "/p/nope"} {
		_, body, _ := ts.do(t, "GET", path, "")
		if m := inline.FindString(body); m != "" {
			t.Errorf("%s has inline code the policy blocks: %q", path, m)
		}
		for _, tag := range script.FindAllString(body, -1) {
			if !strings.Contains(tag, " src=") {
				t.Errorf("%s has an inline script: %q", path, tag)
			}
		}
	}
}

// TestConnLimiterLogsRefusalsOncePerMinute: a client over its limit that
// keeps dialling gets one log line, then one a minute with the count of
// refusals since, and an address whose connections all closed is
// forgotten.
func TestConnLimiterLogsRefusalsOncePerMinute(t *testing.T) {
	l := &connLimiter{max: 1, byAddr: map[string]*addrConns{}}
	t0 := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	steps := []struct {
		addr    string
		at      time.Duration
		wantOK  bool
		wantLog int
	}{
		{"a", 0, true, 0},
		{"a", time.Second, false, 1}, // the first refusal is logged at once
		{"a", 2 * time.Second, false, 0},
		{"b", 2 * time.Second, true, 0}, // another address has its own count
		{"a", 30 * time.Second, false, 0},
		{"a", 61 * time.Second, false, 3}, // a minute on: the three since
		{"a", 62 * time.Second, false, 0},
	}
	for i, s := range steps {
		ok, log := l.acquire(s.addr, t0.Add(s.at))
		if ok != s.wantOK || log != s.wantLog {
			t.Fatalf("step %d: acquire(%q) = %v, %d; want %v, %d", i, s.addr, ok, log, s.wantOK, s.wantLog)
		}
	}
	l.release("a")
	if _, kept := l.byAddr["a"]; kept {
		t.Fatal("an address with no open connection is still tracked")
	}
	if ok, log := l.acquire("a", t0.Add(63*time.Second)); !ok || log != 0 {
		t.Fatalf("after its connection closed: acquire = %v, %d; want true, 0", ok, log)
	}
	if ok, log := l.acquire("a", t0.Add(64*time.Second)); ok || log != 1 {
		t.Fatalf("a new refusal episode: acquire = %v, %d; want false, 1", ok, log)
	}
}
