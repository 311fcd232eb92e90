package search_test

import (
	"testing"

	"github.com/confpad/confpad/search"
	"github.com/confpad/confpad/search/searchtest"
)

func TestMemory(t *testing.T) {
	searchtest.TestIndex(t, func(*testing.T) search.Index { return search.NewMemory() })
}
