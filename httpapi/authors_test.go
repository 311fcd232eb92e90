package httpapi

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/internal/testutil"
	"github.com/confpad/confpad/protocol"
)

// joinAsAuthor joins as the client called label (secretOf) with an author
// secret and returns the welcome.
func (c *wsClient) joinAsAuthor(label, secret, name string) serverMsg {
	c.t.Helper()
	c.send(map[string]any{"type": "join", "client": secretOf(label), "author": secret, "name": name, "color": "#336699"})
	return c.readType("welcome")
}

// getJSON GETs path, wants 200 and decodes the body into v; it returns
// the body.
func (ts *testServer) getJSON(t *testing.T, path string, v any) string {
	t.Helper()
	status, body, _ := ts.do(t, "GET", path, "")
	if status != 200 {
		t.Fatalf("GET %s: %d %s", path, status, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return body
}

// checkRuns fails t unless the attribution of revision rev is want.
func (ts *testServer) checkRuns(t *testing.T, rev string, want []collab.Run) {
	t.Helper()
	var got attributionJSON
	ts.getJSON(t, "/api/v1/pads/main/attribution"+rev, &got)
	if !slices.Equal(got.Runs, want) {
		t.Errorf("attribution%s: %+v, want %+v", rev, got.Runs, want)
	}
}

// TestAuthorsAndAttribution: two authors with secrets edit a pad, one
// renames and comes back on a new page load; the op broadcasts, the
// attribution of every revision and the contributors carry their public
// ids, never the secrets, and stay after an archive and a restart.
func TestAuthorsAndAttribution(t *testing.T) {
	const annSecret, bobSecret = "ann-secret-0123456789abcdef", "bob-secret-0123456789abcdef"
	ann, bob := protocol.PublicID(protocol.DomainAuthor, annSecret), protocol.PublicID(protocol.DomainAuthor, bobSecret)
	ts := newTestServer(t, Config{})
	a := dial(t, ts, "main")
	rev := a.joinAsAuthor("ann-tab-1", annSecret, "Ann").Rev
	b := dial(t, ts, "main")
	b.joinAsAuthor("bob-tab-1", bobSecret, "Bob")
	rev = a.op(rev, 1, `["hello"]`)
	rev = b.op(rev, 1, `[5," world"]`)
	if m := a.readType("op"); m.By != bob || m.Author != pub("bob-tab-1") {
		t.Errorf("Ann sees Bob's op by %q from %q, want by %q from bob-tab-1", m.By, m.Author, bob)
	}
	a.send(map[string]any{"type": "rename", "name": "Ann L."})
	rev = a.op(rev, 2, `[11,"!"]`)
	a.conn.CloseNow()
	again := dial(t, ts, "main") // a new page load: new client id, same secret
	again.joinAsAuthor("ann-tab-2", annSecret, "Ann L.")
	again.op(rev, 1, `[12,"?"]`)

	want := []collab.Run{{Author: ann, Len: 5}, {Author: bob, Len: 6}, {Author: ann, Len: 2}}
	ts.checkRuns(t, "", want)
	ts.checkRuns(t, "?rev=1", []collab.Run{{Author: ann, Len: 5}})
	ts.checkRuns(t, "?rev=0", []collab.Run{})
	for _, tc := range []struct {
		path   string
		status int
		want   string
	}{
		{"/api/v1/pads/main/attribution?rev=5", 404, "this pad has revisions 0 to 4"},
		{"/api/v1/pads/main/attribution?rev=-1", 400, codeBadRev},
		{"/api/v1/pads/main/attribution?rev=x", 400, codeBadRev},
		{"/api/v1/pads/nope/attribution", 404, codeNotFound},
		{"/api/v1/pads/nope/authors", 404, codeNotFound},
	} {
		if status, body, _ := ts.do(t, "GET", tc.path, ""); status != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("GET %s: %d %s, want %d with %s", tc.path, status, body, tc.status, tc.want)
		}
	}

	checkAuthors := func(ts *testServer) {
		t.Helper()
		var got authorsJSON
		// The ack of an op goes out as it commits, and the handler notes
		// its author just after: wait until the last op is counted.
		var body string
		testutil.Eventually(t, "Ann's three ops to be counted", func() bool {
			got = authorsJSON{}
			body = ts.getJSON(t, "/api/v1/pads/main/authors", &got)
			return len(got.Authors) > 0 && got.Authors[0].Ops == 3
		})
		if strings.Contains(body, annSecret) || strings.Contains(body, bobSecret) {
			t.Fatalf("the authors list shows a secret: %s", body)
		}
		if got.Head != 4 || got.Characters != 13 || len(got.Authors) != 2 {
			t.Fatalf("authors %s, want head 4, 13 characters, 2 authors", body)
		}
		for i, w := range []authorJSON{{ID: ann, Name: "Ann L.", Color: "#336699", Characters: 7, Ops: 3}, {ID: bob, Name: "Bob", Color: "#336699", Characters: 6, Ops: 1}} {
			g := got.Authors[i]
			if g.ID != w.ID || g.Name != w.Name || g.Color != w.Color || g.Characters != w.Characters || g.Ops != w.Ops || g.First == nil || g.Last == nil || g.Last.Before(*g.First) {
				t.Errorf("author %d: %+v, want %+v with first and last edit", i, g, w)
			}
		}
	}
	checkAuthors(ts)

	bearer := []string{"Authorization", "Bearer " + testToken}
	if status, body, _ := ts.do(t, "PATCH", "/api/v1/pads/main", `{"state":"archived"}`, bearer...); status != 200 {
		t.Fatalf("archive: %d %s", status, body)
	}
	ts.checkRuns(t, "", want)
	checkAuthors(ts)

	b.conn.CloseNow()
	again.conn.CloseNow()
	ts.stop()
	restarted := startServer(t, ts.store, Config{})
	restarted.checkRuns(t, "", want)
	restarted.checkRuns(t, "?rev=2", want[:2:2])
	checkAuthors(restarted)
}
