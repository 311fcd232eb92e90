package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/internal/htmlcheck"
)

// insertText types text into the pad as one op at the head, and returns
// the new head.
func insertText(t *testing.T, ts *testServer, pad, text string) int {
	t.Helper()
	c := dial(t, ts, pad)
	defer c.conn.CloseNow()
	w := c.join("writer", -1)
	parts := []any{text}
	if n := len([]rune(ts.text(t, pad))); n > 0 {
		parts = []any{n, text}
	}
	op, err := json.Marshal(parts)
	if err != nil {
		t.Fatal(err)
	}
	return c.op(w.Rev, 1, string(op))
}

func TestNotesPage(t *testing.T) {
	ts := newTestServer(t, Config{})
	ctx := t.Context()
	sess, err := ts.store.Session(ctx, "main")
	if err != nil {
		t.Fatal(err)
	}
	sess.Speakers, sess.Time, sess.Room = []string{"Ada <Lovelace>", `"><script>__xss(1)</script>`}, "Thu 9:00", "Salon <C>"
	if err := ts.store.UpdateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	code := htmlcheck.Lines("../testdata/xss/code-lines.txt")
	first := insertText(t, ts, "main", "# One\n\n")
	insertText(t, ts, "main", "## Two\n\n### Three\n\n"+strings.Join(code, "\n")+"\n")

	status, body, _ := ts.do(t, "GET", "/p/main/notes", "")
	page := htmlcheck.Parse(body, "form", "input", "button")
	if status != 200 || len(page.Dangers) > 0 {
		t.Fatalf("notes page: %d, dangers %q", status, page.Dangers)
	}
	for _, want := range []string{"Ada <Lovelace>", `"><script>__xss(1)</script>`, "Thu 9:00", "Salon <C>", "Contents"} {
		if !strings.Contains(page.Text, want) {
			t.Errorf("notes page lacks %q", want)
		}
	}
	for _, l := range code {
		if !strings.Contains(page.Text, l) {
			t.Errorf("notes page lacks the line %q", l)
		}
	}
	lines := strings.Count(ts.text(t, "main"), "\n") + 1
	for n := 1; n <= lines; n++ {
		if !page.IDs["L"+strconv.Itoa(n)] {
			t.Errorf("no anchor L%d", n)
		}
	}
	for _, want := range []string{`href="#two"`, `href="/p/main/export.md"`, `href="/p/main/export.html"`, `href="/p/main/export.txt"`, `action="/search"`} {
		if !strings.Contains(body, want) {
			t.Errorf("notes page lacks %s", want)
		}
	}

	status, old, _ := ts.do(t, "GET", "/p/main/notes?rev="+strconv.Itoa(first), "")
	if status != 200 || !strings.Contains(old, `id="one"`) || strings.Contains(old, `id="two"`) || !strings.Contains(old, "revision "+strconv.Itoa(first)+" of") {
		t.Errorf("notes at rev %d: %d\n%s", first, status, old)
	}
	// An old revision's downloads are of that revision.
	for _, ext := range []string{"md", "txt", "html"} {
		want := `href="/p/main/export.` + ext + `?rev=` + strconv.Itoa(first) + `"`
		if !strings.Contains(old, want) {
			t.Errorf("notes at rev %d lack the download %s", first, want)
		}
	}
	for _, tc := range []struct {
		query  string
		status int
	}{{"?rev=-1", 400}, {"?rev=x", 400}, {"?rev=99999", 404}} {
		if status, _, _ := ts.do(t, "GET", "/p/main/notes"+tc.query, ""); status != tc.status {
			t.Errorf("notes%s: %d, want %d", tc.query, status, tc.status)
		}
	}
}

func TestExports(t *testing.T) {
	ts := newTestServer(t, Config{})
	payloads := htmlcheck.Lines("../testdata/xss/payloads.txt")
	code := htmlcheck.Lines("../testdata/xss/code-lines.txt")
	text := strings.Join(code, "\n") + "\n\n" + strings.Join(payloads, "\n\n") + "\n😀 tail without newline"
	insertText(t, ts, "main", text)
	if status, _, _ := ts.do(t, "POST", "/api/v1/pads/main/links", `{"title":"<img src=x onerror=__xss(1)>","url":"https://example.org/deck"}`); status != 201 {
		t.Fatal("adding a link failed")
	}

	tests := []struct {
		ext, ctype string
		check      func(t *testing.T, body string, h http.Header)
	}{
		{"md", "text/markdown; charset=utf-8", func(t *testing.T, body string, _ http.Header) {
			if body != text {
				t.Errorf("export.md is not the pad text:\n%q\nwant\n%q", body, text)
			}
		}},
		{"txt", "text/plain; charset=utf-8", func(t *testing.T, body string, _ http.Header) {
			if !strings.HasPrefix(body, "Main track\n") || !strings.HasSuffix(body, "\n\n"+text) || !strings.Contains(body, "<https://example.org/deck>") {
				t.Errorf("export.txt = %q", body)
			}
		}},
		{"html", "text/html; charset=UTF-8", func(t *testing.T, body string, h http.Header) {
			page := htmlcheck.Parse(body)
			if len(page.Dangers) > 0 {
				t.Errorf("export.html: %q", page.Dangers)
			}
			for _, l := range code {
				if !strings.Contains(page.Text, l) {
					t.Errorf("export.html lacks the line %q", l)
				}
			}
			for _, l := range page.Links {
				if !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "https://") {
					t.Errorf("export.html links to %q", l)
				}
			}
			if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script") {
				t.Errorf("export.html CSP %q", csp)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.ext, func(t *testing.T) {
			status, body, h := ts.do(t, "GET", "/p/main/export."+tt.ext, "")
			if status != 200 || h.Get("Content-Type") != tt.ctype {
				t.Fatalf("status %d, type %q", status, h.Get("Content-Type"))
			}
			_, params, err := mime.ParseMediaType(h.Get("Content-Disposition"))
			if err != nil || params["filename"] != "main."+tt.ext {
				t.Errorf("Content-Disposition %q", h.Get("Content-Disposition"))
			}
			tt.check(t, body, h)
		})
	}
	if status, body, _ := ts.do(t, "GET", "/p/main/export.md?rev=0", ""); status != 200 || body != "" {
		t.Errorf("export.md at rev 0: %d %q", status, body)
	}
	if status, _, _ := ts.do(t, "GET", "/p/nope/export.md", ""); status != 404 {
		t.Errorf("export of an unknown pad: %d", status)
	}
}

func TestExportZip(t *testing.T) {
	ts := newTestServer(t, Config{})
	insertText(t, ts, "main", "# Main\n\nVec<T>\n")
	status, body, h := ts.do(t, "GET", "/export.zip", "")
	if status != 200 || h.Get("Content-Type") != "application/zip" || !strings.Contains(h.Get("Content-Disposition"), "conference.zip") {
		t.Fatalf("zip: %d %q %q", status, h.Get("Content-Type"), h.Get("Content-Disposition"))
	}
	files, err := htmlcheck.Unzip([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"sessions/main.md": "# Main\n\nVec<T>\n", "sessions/old.md": ""}
	for name, text := range want {
		if got, ok := files[name]; !ok || got != text {
			t.Errorf("%s = %q (present %v), want %q", name, got, ok, text)
		}
	}
	for _, name := range []string{"index.html", "conference.json", "sessions/main.html", "sessions/old.html"} {
		if files[name] == "" {
			t.Errorf("the zip lacks %s (has %d files)", name, len(files))
		}
	}
}

// form posts a form to the server as a browser would and returns the
// status, body and headers, without following redirects.
func (ts *testServer) form(t *testing.T, path string, values url.Values) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest("POST", ts.http.URL+path, strings.NewReader(values.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}

func TestBoFs(t *testing.T) {
	ts := newTestServer(t, Config{BoFRate: 3})
	status, body, _ := ts.do(t, "POST", "/api/v1/bofs", `{"title":"Hallway BoF"}`)
	if status != 403 || !strings.Contains(body, "does not take BoF") {
		t.Fatalf("a BoF where BoFs are off: %d %s", status, body)
	}
	if err := ts.store.SetBoFs(t.Context(), true); err != nil {
		t.Fatal(err)
	}

	status, body, _ = ts.do(t, "POST", "/api/v1/bofs", `{"title":"  eBPF & <friends>  ","time":"Thu 18:00","room":"Hall"}`)
	var made padJSON
	if status != 201 || json.Unmarshal([]byte(body), &made) != nil {
		t.Fatalf("start: %d %s", status, body)
	}
	if made.Kind != conference.KindBoF || made.Title != "eBPF & <friends>" || made.Time != "Thu 18:00" || !strings.HasPrefix(made.ID, "bof-ebpf-friends-") || !conference.ValidID(made.ID) {
		t.Errorf("started %+v", made.Session)
	}

	status, body, h := ts.form(t, "/bofs", url.Values{"title": {"Rust in the kernel"}})
	if status != 303 || !strings.HasPrefix(h.Get("Location"), "/p/bof-rust-in-the-kernel-") {
		t.Fatalf("form: %d %q %s", status, h.Get("Location"), body)
	}
	id := strings.TrimPrefix(h.Get("Location"), "/p/")
	insertText(t, ts, id, "notes of the BoF\n")

	_, index, _ := ts.do(t, "GET", "/", "")
	bofs := index[strings.Index(index, `id="bofs"`):]
	for _, want := range []string{made.ID, id, "eBPF &amp; &lt;friends&gt;", `action="/bofs"`} {
		if !strings.Contains(bofs, want) {
			t.Errorf("the index's BoFs lack %q", want)
		}
	}
	if _, md, _ := ts.do(t, "GET", "/p/"+id+"/export.md", ""); md != "notes of the BoF\n" {
		t.Errorf("the BoF's export.md = %q", md)
	}

	// Bad titles, validated as session titles are, and what the form
	// sends when the title is empty.
	for _, bad := range []string{`{"title":""}`, `{"title":"a\nb"}`, `{"title":"` + strings.Repeat("x", 201) + `"}`, `{"title":"x","room":"` + strings.Repeat("r", 201) + `"}`, `{"title":"x","extra":1}`, `{"title":"\u202e"}`, `{"title":"\u3164\u2800"}`, `{"title":"\u0301"}`} {
		if status, body, _ := ts.do(t, "POST", "/api/v1/bofs", bad); status != 400 {
			t.Errorf("start %s: %d %s", bad, status, body)
		}
	}

	// Two started, the third is the last within the rate of 3 an hour.
	if status, _, _ := ts.do(t, "POST", "/api/v1/bofs", `{"title":"Third"}`); status != 201 {
		t.Fatalf("third BoF: %d", status)
	}
	status, body, h = ts.do(t, "POST", "/api/v1/bofs", `{"title":"Fourth"}`)
	if status != 429 || !strings.Contains(body, codeTooManyBoFs) || h.Get("Retry-After") == "" {
		t.Errorf("over the rate: %d %s (Retry-After %q)", status, body, h.Get("Retry-After"))
	}
	status, body, _ = ts.form(t, "/bofs", url.Values{"title": {"Fifth"}})
	if status != 429 || !strings.Contains(body, "Too many BoFs started from your address") || !strings.Contains(body, "<html") {
		t.Errorf("form over the rate: %d %s", status, body)
	}

	// An admin renames and removes a BoF like any session.
	if status, body, _ := ts.do(t, "PATCH", "/api/v1/pads/"+id, `{"title":"Rust, renamed"}`, bearer...); status != 200 {
		t.Fatalf("rename: %d %s", status, body)
	}
	if s, err := ts.store.Session(t.Context(), id); err != nil || s.Title != "Rust, renamed" || s.Kind != conference.KindBoF {
		t.Errorf("renamed BoF %+v, %v", s, err)
	}
	if status, _, _ := ts.do(t, "DELETE", "/api/v1/pads/"+id, "", bearer...); status != 204 && status != 200 {
		t.Fatalf("delete: %d", status)
	}
	if _, index, _ = ts.do(t, "GET", "/", ""); strings.Contains(index, id) {
		t.Error("a removed BoF is still listed")
	}
}

func TestRateLimit(t *testing.T) {
	l := newRateLimit(2)
	now := time.Unix(1000, 0)
	for i, tt := range []struct {
		addr  string
		after time.Duration
		ok    bool
	}{
		{"a", 0, true}, {"a", 0, true}, {"a", 0, false}, {"b", 0, true},
		{"a", 29 * time.Minute, false}, {"a", time.Minute, true}, {"a", 0, false},
	} {
		now = now.Add(tt.after)
		wait, ok := l.allow(tt.addr, now)
		if ok != tt.ok || (!ok && wait <= 0) || (ok && wait != 0) {
			t.Errorf("step %d (%s): allow = %v, %v; want %v", i, tt.addr, wait, ok, tt.ok)
		}
	}
	for i := range maxLimitedAddrs + 10 {
		l.allow(fmt.Sprint(i), now)
	}
	if len(l.buckets) > maxLimitedAddrs {
		t.Errorf("%d addresses remembered, at most %d", len(l.buckets), maxLimitedAddrs)
	}
}

func TestIndexByProgramme(t *testing.T) {
	ts := newTestServer(t, Config{})
	ctx := t.Context()
	for i, s := range []conference.Session{
		{ID: "fri", Title: "Friday talk", Time: "Fri 9:00"},
		{ID: "thu-late", Title: "Late", Time: "Thu 14:00", Speakers: []string{"Linus"}, Room: "Salon B"},
		{ID: "thu-early", Title: "Early", Time: "Thursday 9:00-12:30"},
	} {
		s.State, s.Order, s.Created = conference.StateLive, i+1, time.Now()
		if err := ts.store.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	status, body, _ := ts.do(t, "GET", "/", "")
	order := []string{"<h2>Thursday</h2>", "thu-early", "thu-late", "Salon B", "Linus", "<h2>Friday</h2>", "fri", "Other sessions", `"/p/main"`}
	at := 0
	for _, w := range order {
		i := strings.Index(body[at:], w)
		if i < 0 {
			t.Fatalf("index (%d): %q missing or out of order in\n%s", status, w, body)
		}
		at += i
	}
	for _, want := range []string{`<form class="search" action="/search" method="get"`, `name="q"`, `href="/export.zip"`, `href="/p/fri/export.md"`} {
		if !strings.Contains(body, want) {
			t.Errorf("index lacks %s", want)
		}
	}
	if bytes.Contains([]byte(body), []byte(`id="bofs"`)) {
		t.Error("the index shows BoFs where the conference takes none")
	}
}

func TestBoFID(t *testing.T) {
	for _, tt := range []struct{ title, prefix string }{
		{"Rust in the kernel", "bof-rust-in-the-kernel-"},
		{"  eBPF & <friends>!! ", "bof-ebpf-friends-"},
		{"日本語", "bof-"},
		{"", "bof-"},
		{strings.Repeat("ab ", 40), "bof-" + strings.Repeat("ab-", 13) + "a-"},
	} {
		id := bofID(tt.title)
		rest, ok := strings.CutPrefix(id, tt.prefix)
		if !ok || len(rest) != 6 || !conference.ValidID(id) {
			t.Errorf("bofID(%q) = %q, want %q and 6 hex digits, a valid id", tt.title, id, tt.prefix)
		}
	}
}

// TestBoFRatePerClientBehindProxy: the BoF rate counts the client address
// as the connection limit does (Config.TrustedProxies): behind a trusted
// proxy each client named by X-Forwarded-For has its own budget; without
// one, a forged X-Forwarded-For does not escape the limit.
func TestBoFRatePerClientBehindProxy(t *testing.T) {
	_, local, _ := net.ParseCIDR("127.0.0.0/8")
	for _, tt := range []struct {
		name    string
		trusted []*net.IPNet
		other   int // the status of a BoF from a second client
	}{
		{"behind a trusted proxy", []*net.IPNet{local}, 201},
		{"no trusted proxy", nil, 429},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, Config{BoFRate: 1, TrustedProxies: tt.trusted})
			if err := ts.store.SetBoFs(t.Context(), true); err != nil {
				t.Fatal(err)
			}
			start := func(client string) int {
				status, _, _ := ts.do(t, "POST", "/api/v1/bofs", `{"title":"Hallway"}`, "X-Forwarded-For", client)
				return status
			}
			if status := start("203.0.113.1"); status != 201 {
				t.Fatalf("first BoF: %d", status)
			}
			if status := start("203.0.113.1"); status != 429 {
				t.Errorf("second BoF of one client: %d, want 429", status)
			}
			if status := start("203.0.113.2"); status != tt.other {
				t.Errorf("a BoF of another client: %d, want %d", status, tt.other)
			}
		})
	}
}
