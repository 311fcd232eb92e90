package httpapi

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/coder/websocket"
)

// TestCrossOriginWritesAreRefused (issue 12, defect 7): a write from a
// page of another origin, or of this host with another scheme, is refused
// with 403 cross_origin; the server's own pages, allow-listed origins and
// non-browser clients may write. The websocket is held to the same rule.
func TestCrossOriginWritesAreRefused(t *testing.T) {
	ts := newTestServer(t, Config{AllowedOrigins: []string{"https://Notes.Example.org"}})
	self := ts.http.URL // http://127.0.0.1:port
	host := strings.TrimPrefix(self, "http://")
	link := `{"title":"Slides","url":"https://example.org/s.pdf"}`
	cases := []struct {
		name   string
		header []string
		status int
	}{
		{"no browser", nil, 201},
		{"own page", []string{"Origin", self}, 201},
		{"own page behind a TLS proxy", []string{"Origin", "https://" + host, "X-Forwarded-Proto", "https"}, 201},
		{"allow-listed origin", []string{"Origin", "https://notes.example.org"}, 201},
		{"another site", []string{"Origin", "https://evil.example"}, 403},
		{"same host, other scheme", []string{"Origin", "https://" + host}, 403},
		{"same host, other port", []string{"Origin", "http://127.0.0.1:1"}, 403},
		{"opaque origin", []string{"Origin", "null"}, 403},
		{"opaque origin, cross-site", []string{"Origin", "null", "Sec-Fetch-Site", "cross-site"}, 403},
		// A form of this server's pages (Referrer-Policy no-referrer).
		{"own form", []string{"Origin", "null", "Sec-Fetch-Site", "same-origin"}, 201},
		{"cross-site without Origin", []string{"Sec-Fetch-Site", "cross-site"}, 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := ts.do(t, "POST", "/api/v1/pads/main/links", link, tc.header...)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			if status == 403 && !strings.Contains(body, codeCrossOrigin) {
				t.Errorf("body %s, want code %s", body, codeCrossOrigin)
			}
		})
	}
	// Admin writes too, even with the token.
	status, _, _ := ts.do(t, "DELETE", "/api/v1/pads/main", "", "Authorization", "Bearer "+testToken, "Origin", "https://evil.example")
	if status != 403 {
		t.Errorf("cross-origin admin delete: %d, want 403", status)
	}

	for _, tc := range []struct {
		origin string
		ok     bool
	}{{"", true}, {self, true}, {"https://evil.example", false}, {"https://" + host, false}} {
		h := http.Header{}
		if tc.origin != "" {
			h.Set("Origin", tc.origin)
		}
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		conn, res, err := websocket.Dial(ctx, ts.wsURL("main"), &websocket.DialOptions{HTTPHeader: h})
		cancel()
		if (err == nil) != tc.ok {
			t.Errorf("websocket from origin %q: %v, want ok %v", tc.origin, err, tc.ok)
		}
		if err != nil && res != nil && res.StatusCode != 403 {
			t.Errorf("websocket from origin %q refused with %d, want 403", tc.origin, res.StatusCode)
		}
		if conn != nil {
			conn.CloseNow()
		}
	}
}

func TestParseOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://Notes.Example.org":      "https://notes.example.org",
		"http://127.0.0.1:9001":          "http://127.0.0.1:9001",
		"https://notes.example.org/":     "https://notes.example.org",
		"notes.example.org":              "",
		"ftp://notes.example.org":        "",
		"https://notes.example.org/p/x":  "",
		"https://user@notes.example.org": "",
	} {
		got, err := ParseOrigin(in)
		if got != want || (err == nil) != (want != "") {
			t.Errorf("ParseOrigin(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
