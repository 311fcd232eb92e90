package httpapi

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/search/ftsindex"
	"github.com/confpad/confpad/search/searchtest"
)

// BenchmarkSearchAPI answers GET /api/v1/search through the whole handler
// (query parsing, FTS5 ranking, snippets, session titles, JSON) over 100
// sessions of 100 KB of notes each, with the queries of
// searchtest.BenchQueries in turn, and reports the median and 99th
// percentile.
func BenchmarkSearchAPI(b *testing.B) {
	ix, err := ftsindex.Open(b.Context(), filepath.Join(b.TempDir(), "search.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	ts := newTestServer(b, Config{Search: ix})
	for i := range 100 {
		id := fmt.Sprintf("session-%03d", i)
		sess := conference.Session{ID: id, Title: "Session " + id, State: conference.StateLive, Created: time.Now()}
		if err := ts.store.CreateSession(b.Context(), sess); err != nil {
			b.Fatal(err)
		}
		if err := ix.Update(b.Context(), id, 1, searchtest.Notes(uint64(i), 100<<10)); err != nil {
			b.Fatal(err)
		}
	}
	h := ts.srv.Handler()
	var took []time.Duration
	i := 0
	for b.Loop() {
		q := searchtest.BenchQueries[i%len(searchtest.BenchQueries)]
		req := httptest.NewRequest("GET", "/api/v1/search?q="+url.QueryEscape(q), nil)
		rec := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(rec, req)
		took = append(took, time.Since(start))
		if rec.Code != http.StatusOK {
			b.Fatalf("search %q: %d %s", q, rec.Code, rec.Body)
		}
		i++
	}
	searchtest.ReportPercentiles(b, took)
}
