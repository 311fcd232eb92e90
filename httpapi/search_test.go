package httpapi

import (
	"encoding/json"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confpad/confpad/internal/testutil"
	"github.com/confpad/confpad/search"
	"github.com/confpad/confpad/search/ftsindex"
)

// searchIndexes are the indexes a server may search with, by name.
var searchIndexes = []struct {
	name string
	open func(t *testing.T) search.Index
}{
	{"memory", func(*testing.T) search.Index { return search.NewMemory() }},
	{"fts5", func(t *testing.T) search.Index {
		ix, err := ftsindex.Open(t.Context(), filepath.Join(t.TempDir(), "search.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ix.Close() })
		return ix
	}},
}

// searchFor runs GET /api/v1/search?q= and returns the decoded results.
func searchFor(t *testing.T, ts *testServer, q string) searchResults {
	t.Helper()
	status, body, _ := ts.do(t, "GET", "/api/v1/search?q="+url.QueryEscape(q), "")
	if status != 200 {
		t.Fatalf("search %q: %d %s", q, status, body)
	}
	var res searchResults
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatal(err)
	}
	return res
}

// TestSearchFindsWhatWasJustTyped: a token typed over the websocket is
// found a moment later, with its session, line and highlighted snippet,
// by the API and the results page; once the session is deleted it is not.
func TestSearchFindsWhatWasJustTyped(t *testing.T) {
	for _, tt := range searchIndexes {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, Config{Search: tt.open(t)})
			c := dial(t, ts, "main")
			rev := c.join("ada", -1).Rev
			c.op(rev, 1, `["# Notes\nWe met the <script>alert(1)</script> Xylophone42 team\n"]`)

			var res searchResults
			testutil.Eventually(t, "the typed token in the search results", func() bool {
				res = searchFor(t, ts, "xylophone42")
				return len(res.Results) == 1
			})
			r := res.Results[0]
			if r.Pad != "main" || r.Title != "Main track" || r.Line != 2 || r.URL != "/p/main/notes#L2" {
				t.Errorf("result = %+v", r)
			}
			if r.Snippet != "We met the <script>alert(1)</script> Xylophone42 team" ||
				len(r.Highlights) != 1 || r.Highlights[0] != (search.Range{Start: 37, End: 48}) {
				t.Errorf("snippet %q highlights %v", r.Snippet, r.Highlights)
			}

			status, page, _ := ts.do(t, "GET", "/search?q=xylophone42", "")
			if status != 200 || !strings.Contains(page, `href="/p/main/notes#L2"`) || !strings.Contains(page, "<mark>Xylophone42</mark>") {
				t.Errorf("results page: %d %s", status, page)
			}
			if strings.Contains(page, "<script>alert") || !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("results page does not escape the notes: %s", page)
			}

			if status, body, _ := ts.do(t, "DELETE", "/api/v1/pads/main", "", bearer...); status != 204 {
				t.Fatalf("delete: %d %s", status, body)
			}
			if res := searchFor(t, ts, "xylophone42"); len(res.Results) != 0 {
				t.Errorf("a deleted session is found: %+v", res.Results)
			}
		})
	}
}

// TestSearchBadQueries: queries that cannot be run get 400 bad_query (or
// bad_request for a bad limit), as JSON from the API and as the page with
// the reason from /search; queries full of FTS5 syntax run safely.
func TestSearchBadQueries(t *testing.T) {
	for _, tt := range searchIndexes {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, Config{Search: tt.open(t)})
			bad := []struct{ query, code string }{
				{"", codeBadQuery},
				{"q=", codeBadQuery},
				{"q=" + url.QueryEscape(`"" * ( ) : ^`), codeBadQuery},
				{"q=" + strings.Repeat("a", 10<<10), codeBadQuery},
				{"q=" + url.QueryEscape(strings.Repeat("w ", 40)), codeBadQuery},
				{"q=x&limit=0", codeBadRequest},
				{"q=x&limit=51", codeBadRequest},
				{"q=x&limit=ten", codeBadRequest},
			}
			for _, b := range bad {
				status, body, _ := ts.do(t, "GET", "/api/v1/search?"+b.query, "")
				if status != 400 || !strings.Contains(body, `"code":"`+b.code+`"`) {
					t.Errorf("GET /api/v1/search?%.40s: %d %s, want 400 %s", b.query, status, body, b.code)
				}
			}
			if status, page, _ := ts.do(t, "GET", "/search?q=%22%22", ""); status != 400 || !strings.Contains(page, "cannot be run") {
				t.Errorf("results page of a bad query: %d %s", status, page)
			}
			if status, page, _ := ts.do(t, "GET", "/search", ""); status != 200 || !strings.Contains(page, `<form action="/search" method="get"`) {
				t.Errorf("search page without a query: %d %s", status, page)
			}
			for _, q := range []string{`NEAR(a b)`, `a OR b`, `col:x`, `"unterminated`, `x*`, `'; DROP TABLE docs; --`, `{a b}: c`, `-a`} {
				if res := searchFor(t, ts, q); len(res.Results) != 0 {
					t.Errorf("search %q in empty notes: %+v", q, res.Results)
				}
			}
		})
	}
}
