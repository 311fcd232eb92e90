package search_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/confpad/confpad/internal/testutil"
	"github.com/confpad/confpad/search"
)

// pads is a fake set of pads: their texts and revisions.
type pads struct {
	mu    sync.Mutex
	texts map[string]string
	revs  map[string]int
	reads int
}

func (p *pads) set(pad, text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.texts[pad] = text
	p.revs[pad]++
}

func (p *pads) text(_ context.Context, pad string) (string, int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reads++
	return p.texts[pad], p.revs[pad], nil
}

func (p *pads) list(context.Context) ([]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for pad := range p.texts {
		out = append(out, pad)
	}
	return out, nil
}

// found searches ix for q and returns the pads hit, sorted.
func found(t *testing.T, ix search.Index, q string) []string {
	t.Helper()
	query, err := search.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	hits, err := ix.Search(t.Context(), query, 10)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range hits {
		out = append(out, h.Pad)
	}
	slices.Sort(out)
	return out
}

func TestIndexer(t *testing.T) {
	ix := search.NewMemory()
	// An indexed pad that is no longer listed is dropped at start.
	if err := ix.Update(t.Context(), "deleted", 1, "stale words"); err != nil {
		t.Fatal(err)
	}
	p := &pads{texts: map[string]string{"a": "alpha notes"}, revs: map[string]int{"a": 1}}
	indexer := search.NewIndexer(search.IndexerConfig{Index: ix, Text: p.text, Pads: p.list, Delay: 200 * time.Millisecond})
	defer indexer.Close()

	testutil.Eventually(t, "the start-up sync", func() bool {
		return slices.Equal(found(t, ix, "alpha"), []string{"a"}) && len(found(t, ix, "stale")) == 0
	})

	// Many touches within the delay are one read of the text.
	p.mu.Lock()
	before := p.reads
	p.mu.Unlock()
	for i := range 50 {
		p.set("a", "alpha beta "+string(rune('a'+i%26)))
		indexer.Touch("a")
	}
	testutil.Eventually(t, "the touched pad's new text", func() bool { return slices.Equal(found(t, ix, "beta"), []string{"a"}) })
	p.mu.Lock()
	reads := p.reads - before
	p.mu.Unlock()
	if reads > 3 {
		t.Errorf("50 touches within the delay read the text %d times", reads)
	}

	// A pad created later is indexed when touched; Remove drops it.
	p.set("b", "gamma")
	indexer.Touch("b")
	testutil.Eventually(t, "the new pad", func() bool { return slices.Equal(found(t, ix, "gamma"), []string{"b"}) })
	if err := indexer.Remove(t.Context(), "b"); err != nil {
		t.Fatal(err)
	}
	if got := found(t, ix, "gamma"); len(got) != 0 {
		t.Errorf("removed pad still found: %v", got)
	}
}
