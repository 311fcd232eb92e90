package httpapi

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/protocol"
)

// typeRevisions has a client type "a", "b", ... as revisions 1..n of main
// and returns the client.
func typeRevisions(t *testing.T, ts *testServer, n int) *wsClient {
	t.Helper()
	c := dial(t, ts, "main")
	rev := c.join("typist", -1).Rev
	for i := range n {
		op := `[` + itoa(i) + `,"` + string(rune('a'+i)) + `"]`
		if i == 0 {
			op = `["a"]`
		}
		rev = c.op(rev, i+1, op)
	}
	return c
}

func TestRevisionsAPI(t *testing.T) {
	ts := newTestServer(t, Config{})
	typeRevisions(t, ts, 5)
	cases := []struct {
		name, path string
		status     int
		want       string
	}{
		{"first page", "/api/v1/pads/main/revisions", 200, `"head":5`},
		{"one revision", "/api/v1/pads/main/revisions?from=2&limit=1", 200, `"revisions":[{"rev":3,`},
		{"next page", "/api/v1/pads/main/revisions?from=2&limit=1", 200, `"next":3`},
		{"the head is the end", "/api/v1/pads/main/revisions?from=5", 200, `"revisions":[]`},
		{"after the head", "/api/v1/pads/main/revisions?from=6", 404, "this pad has revisions 0 to 5"},
		{"limit too large", "/api/v1/pads/main/revisions?limit=1001", 400, codeBadRequest},
		{"limit zero", "/api/v1/pads/main/revisions?limit=0", 400, codeBadRequest},
		{"bad from", "/api/v1/pads/main/revisions?from=x", 400, codeBadRequest},
		{"negative from", "/api/v1/pads/main/revisions?from=-1", 400, codeBadRequest},
		{"unknown pad", "/api/v1/pads/nope/revisions", 404, codeNotFound},
		{"text after the head", "/api/v1/pads/main/text?rev=9", 404, "revision 9 does not exist: this pad has revisions 0 to 5"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := ts.do(t, "GET", tc.path, "")
			if status != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("%d %s, want %d with %s", status, body, tc.status, tc.want)
			}
		})
	}
	_, body, _ := ts.do(t, "GET", "/api/v1/pads/main/revisions?limit=2", "")
	var page revisionsJSON
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Revisions) != 2 || page.Next == nil || *page.Next != 2 {
		t.Fatalf("page %+v, want revisions 1 and 2 and next 2", page)
	}
	r := page.Revisions[0]
	if r.Rev != 1 || r.Author != pub("typist") || r.Inserted != 1 || r.Deleted != 0 || r.Time.IsZero() {
		t.Errorf("revision %+v, want 1 by typist's public id inserting 1", r)
	}
}

func TestRestore(t *testing.T) {
	ts := newTestServer(t, Config{})
	typeRevisions(t, ts, 5) // abcde
	editor := dial(t, ts, "main")
	welcome := editor.join("editor", -1)
	seen := *welcome.Text
	cases := []struct {
		name, pad, body string
		header          []string
		status          int
		want            string
	}{
		{"no rev", "main", `{}`, bearer, 400, codeBadRev},
		{"negative rev", "main", `{"rev":-1}`, bearer, 400, codeBadRev},
		{"after the head", "main", `{"rev":6}`, bearer, 404, "this pad has revisions 0 to 5"},
		{"unknown pad", "nope", `{"rev":0}`, bearer, 404, codeNotFound},
		{"archived", "old", `{"rev":0}`, bearer, 409, protocol.ReadOnly},
		{"restore", "main", `{"rev":2}`, bearer, 200, `{"rev":6,"inserted":0,"deleted":3,"restored":2}`},
		{"restore what is there", "main", `{"rev":2}`, bearer, 200, `{"rev":6,"inserted":0,"deleted":0,"restored":2}`},
		{"restore the empty pad", "main", `{"rev":0}`, bearer, 200, `{"rev":7,"inserted":0,"deleted":2,"restored":0}`},
		{"restore the latest", "main", `{"rev":5}`, bearer, 200, `{"rev":8,"inserted":5,"deleted":0,"restored":5}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := ts.do(t, "POST", "/api/v1/pads/"+tc.pad+"/restore", tc.body, tc.header...)
			if status != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("%d %s, want %d with %s", status, body, tc.status, tc.want)
			}
		})
	}
	// The live editor saw every restore as an op, and converges.
	for rev := 6; rev <= 8; rev++ {
		m := editor.readType("op")
		if m.Rev != rev {
			t.Fatalf("editor got op of revision %d, want %d", m.Rev, rev)
		}
		var err error
		if seen, err = collab.Apply(seen, mustParseOp(t, m.Op)); err != nil {
			t.Fatal(err)
		}
	}
	if head := ts.text(t, "main"); seen != head || head != "abcde" {
		t.Errorf("editor has %q, the pad %q; want abcde", seen, head)
	}
	_, body, _ := ts.do(t, "GET", "/api/v1/pads/main/revisions?from=5", "")
	if !strings.Contains(body, `"author":"admin"`) {
		t.Errorf("restores are not by admin: %s", body)
	}
}

func TestImport(t *testing.T) {
	ts := newTestServer(t, Config{MaxDocLen: 1000})
	typeRevisions(t, ts, 2) // ab
	meeting, err := os.ReadFile("../etherpad/testdata/meeting.etherpad")
	if err != nil {
		t.Fatal(err)
	}
	text := []string{"Content-Type", "text/plain; charset=utf-8", "Authorization", bearer[1]}
	md := []string{"Content-Type", "text/markdown", "Authorization", bearer[1]}
	alice, bob := protocol.EtherpadAuthorID("a.alice"), protocol.EtherpadAuthorID("a.bob")
	cases := []struct {
		name, query, body string
		header            []string
		status            int
		want, pad         string
	}{
		{"no token", "", "x", nil, 401, codeUnauthorized, "ab"},
		{"append text", "?format=text", "hello", text, 200, `"rev":3,"inserted":6,"deleted":0,"mode":"append","format":"text","at":3,"characters":5`, "ab\nhello"},
		{"replace with markdown", "?mode=replace&format=markdown", "\ufeff# Title\r\n\r\n- a 😀\r\n", md, 200, `"mode":"replace","format":"markdown","at":0,"characters":15`, "# Title\n\n- a 😀\n"},
		{"append after a newline", "?format=text", "more", text, 200, `"at":15`, "# Title\n\n- a 😀\nmore"},
		{"etherpad", "?mode=replace", string(meeting), bearer, 200, `"etherpad":{"pad":"meeting","head":1,"authors":[{"id":"a.alice","author":"` + alice + `","name":"Alice","color":"#ff8800","characters":5},{"id":"a.bob","author":"` + bob + `","name":"","color":"` + protocol.DefaultColor(bob) + `","characters":4}],"attribution":[{"author":"a.alice","length":5},{"author":"a.bob","length":4},{"author":"","length":1}]}`, "Hi 😀\nß ok\n"},
		{"bad mode", "?mode=merge", "x", text, 400, "mode must be", "Hi 😀\nß ok\n"},
		{"bad format", "?format=docx", "x", text, 400, "format must be", "Hi 😀\nß ok\n"},
		{"not UTF-8", "?format=text", "caf\xe9", text, 400, "not UTF-8", "Hi 😀\nß ok\n"},
		{"malformed etherpad", "?format=etherpad", `{"pad:x": `, text, 400, "not a JSON object", "Hi 😀\nß ok\n"},
		{"etherpad whose changesets do not match", "", strings.Replace(string(meeting), `ß ok"`, `ß OK"`, 1), bearer, 400, "not the pad's text", "Hi 😀\nß ok\n"},
		{"etherpad with a long name", "", strings.Replace(string(meeting), `"Alice"`, `"`+strings.Repeat("A", 51)+`"`, 1), bearer, 400, "author a.alice is longer than 50", "Hi 😀\nß ok\n"},
		{"etherpad whose attributes do not cover the text", "", strings.Replace(string(meeting), `"*0|1+6*1+4|1+1"`, `"*0|1+6*1+4"`, 1), bearer, 400, "the attributes cover the text but its last 1 characters", "Hi 😀\nß ok\n"},
		{"etherpad with a bad colour", "", strings.Replace(string(meeting), `"#FF8800"`, `"orange"`, 1), bearer, 400, "the colour of author a.alice must look like #3366ff", "Hi 😀\nß ok\n"},
		{"over the pad size limit", "?format=text", strings.Repeat("x", 1000), text, 413, "limit is 1000", "Hi 😀\nß ok\n"},
		{"over the file size limit", "?format=text", strings.Repeat("x", maxImportBytes+1), text, 413, "larger than 16 MiB", "Hi 😀\nß ok\n"},
		{"unknown pad", "", "x", text, 404, codeNotFound, "Hi 😀\nß ok\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pad := "main"
			if tc.name == "unknown pad" {
				pad = "nope"
			}
			status, body, _ := ts.do(t, "POST", "/api/v1/pads/"+pad+"/import"+tc.query, tc.body, tc.header...)
			if status != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("%d %s, want %d with %s", status, body, tc.status, tc.want)
			}
			if got := ts.text(t, "main"); got != tc.pad {
				t.Errorf("the pad holds %q, want %q", got, tc.pad)
			}
		})
	}
	if status, body, _ := ts.do(t, "POST", "/api/v1/pads/old/import", "x", text...); status != 409 {
		t.Errorf("import into an archived session: %d %s, want 409", status, body)
	}
}

// TestImportAPadFull checks that an admin imports as much text as a pad
// holds, in one op, beyond the per-op limit of clients.
func TestImportAPadFull(t *testing.T) {
	ts := newTestServer(t, Config{})
	text := []string{"Content-Type", "text/plain; charset=utf-8", "Authorization", bearer[1]}
	big := strings.Repeat("notes 😀\n", collab.DefaultMaxOpLen/8+1) // > the per-op limit
	for _, mode := range []string{"append", "replace"} {
		status, body, _ := ts.do(t, "POST", "/api/v1/pads/main/import?format=text&mode="+mode, big, text...)
		if status != 200 {
			t.Fatalf("%s %d characters: %d %s", mode, len([]rune(big)), status, body)
		}
	}
	if got := ts.text(t, "main"); got != big {
		t.Errorf("the pad holds %d characters, want the %d imported", len([]rune(got)), len([]rune(big)))
	}
	// The pad's size limit still holds.
	over := strings.Repeat("x", collab.DefaultMaxDocLen-len([]rune(big))+1)
	if status, body, _ := ts.do(t, "POST", "/api/v1/pads/main/import?format=text", over, text...); status != 413 {
		t.Errorf("import past the pad size limit: %d %s, want 413", status, body)
	}
}

// TestEngineHTTPError checks the status each pad engine error gets, so
// that a commit refused after a handler's own checks (a session archived
// meanwhile, a pad at its quota) answers as documented.
func TestEngineHTTPError(t *testing.T) {
	for _, tc := range []struct {
		code   string
		status int
	}{
		{collab.CodeBadOp, 400},
		{collab.CodeRevAhead, 400},
		{collab.CodeTooLarge, 413},
		{collab.CodeReadOnly, 409},
		{collab.CodeQuotaExceeded, 507},
		{collab.CodeUnavailable, 503},
	} {
		var he *httpError
		if err := engineHTTPError(&collab.Error{Code: tc.code, Message: "m"}); !errors.As(err, &he) || he.Status != tc.status || he.Code != tc.code {
			t.Errorf("%s: %v, want %d with its code", tc.code, err, tc.status)
		}
	}
}

// TestImportIntoAFullPad imports into a pad whose history has reached the
// quota: 507 quota_exceeded, the pad unchanged.
func TestImportIntoAFullPad(t *testing.T) {
	ts := newTestServer(t, Config{PadQuota: 4 << 10})
	text := []string{"Content-Type", "text/plain; charset=utf-8", "Authorization", bearer[1]}
	status, body, _ := ts.do(t, "POST", "/api/v1/pads/main/import?format=text", strings.Repeat("x", 3<<10), text...)
	if status != 200 {
		t.Fatalf("first import: %d %s", status, body)
	}
	before := ts.text(t, "main")
	status, body, _ = ts.do(t, "POST", "/api/v1/pads/main/import?format=text", strings.Repeat("y", 3<<10), text...)
	if status != 507 || !strings.Contains(body, collab.CodeQuotaExceeded) {
		t.Errorf("import past the quota: %d %s, want 507 quota_exceeded", status, body)
	}
	if got := ts.text(t, "main"); got != before {
		t.Errorf("the refused import changed the pad to %d bytes", len(got))
	}
}
