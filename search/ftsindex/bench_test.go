package ftsindex

import (
	"fmt"
	"testing"

	"github.com/confpad/confpad/search/searchtest"
)

// BenchmarkSearch searches 100 pads of 100 KB each (a whole large
// conference) with the queries of searchtest.BenchQueries in turn,
// snippets included, and reports the median and 99th percentile.
func BenchmarkSearch(b *testing.B) {
	ix, _ := openTemp(b)
	for i := range 100 {
		if err := ix.Update(b.Context(), fmt.Sprintf("session-%03d", i), 1, searchtest.Notes(uint64(i), 100<<10)); err != nil {
			b.Fatal(err)
		}
	}
	searchtest.BenchmarkIndex(b, ix)
}

// BenchmarkUpdate reindexes one 100 KB pad that changed a little, as the
// Indexer does at most once every 2 s per busy pad.
func BenchmarkUpdate(b *testing.B) {
	ix, _ := openTemp(b)
	text := searchtest.Notes(1, 100<<10)
	rev := 0
	for b.Loop() {
		rev++
		if err := ix.Update(b.Context(), "pad", rev, text+fmt.Sprint(rev)); err != nil {
			b.Fatal(err)
		}
	}
}
