package ftsindex

import (
	"path/filepath"
	"testing"

	"github.com/confpad/confpad/search"
	"github.com/confpad/confpad/search/searchtest"
)

// openTemp opens an index in a temporary directory, closed at the end.
func openTemp(t testing.TB) (*Index, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "search.db")
	ix, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix, path
}

func TestIndex(t *testing.T) {
	searchtest.TestIndex(t, func(t *testing.T) search.Index {
		ix, _ := openTemp(t)
		return ix
	})
}

// TestSurvivesReopen: the index is kept in its file, with its revisions.
func TestSurvivesReopen(t *testing.T) {
	ix, path := openTemp(t)
	if err := ix.Update(t.Context(), "pad", 7, "kept words"); err != nil {
		t.Fatal(err)
	}
	ix.Close()
	ix, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	q, _ := search.ParseQuery("kept")
	hits, err := ix.Search(t.Context(), q, 10)
	if err != nil || len(hits) != 1 || hits[0].Pad != "pad" {
		t.Fatalf("after reopening: %v, %v", hits, err)
	}
	var rev int
	if err := ix.db.QueryRowContext(t.Context(), `SELECT rev FROM docs WHERE pad = 'pad'`).Scan(&rev); err != nil || rev != 7 {
		t.Errorf("stored revision = %d, %v; want 7", rev, err)
	}
}

// FuzzSearch: whatever a user types, the query either is refused with
// ErrBadQuery or runs without an SQL error.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{`"`, `""`, `a"b`, `*`, `a*`, `NEAR(a b)`, `a OR b`, `-a`, `col:a`, `^a`, `a AND`, `(a`, `{a b}: c`, `'`, `\`, "\x00", "é*", "\xff\xfe"} {
		f.Add(s)
	}
	ix, err := Open(f.Context(), filepath.Join(f.TempDir(), "search.db"))
	if err != nil {
		f.Fatal(err)
	}
	defer ix.Close()
	if err := ix.Update(f.Context(), "pad", 1, "some text: a b c, NEAR OR AND, été"); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		query, err := search.ParseQuery(q)
		if err != nil {
			return
		}
		if _, err := ix.Search(t.Context(), query, 10); err != nil {
			t.Fatalf("Search(%q) as %s: %v", q, query.FTS5(), err)
		}
	})
}
