package search_test

import (
	"fmt"
	"testing"

	"github.com/confpad/confpad/search"
	"github.com/confpad/confpad/search/searchtest"
)

// BenchmarkMemorySearch is ftsindex's BenchmarkSearch on the in-memory
// index of cluster mode.
func BenchmarkMemorySearch(b *testing.B) {
	ix := search.NewMemory()
	for i := range 100 {
		if err := ix.Update(b.Context(), fmt.Sprintf("session-%03d", i), 1, searchtest.Notes(uint64(i), 100<<10)); err != nil {
			b.Fatal(err)
		}
	}
	searchtest.BenchmarkIndex(b, ix)
}
