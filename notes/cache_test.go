package notes_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/confpad/confpad/notes"
)

func TestCacheRendersEachRevisionOnce(t *testing.T) {
	c := notes.NewCache(2, 1<<20)
	render := func(pad string, rev int) notes.Doc {
		t.Helper()
		d, err := c.Render(notes.CacheKey{Pad: pad, Rev: rev}, fmt.Sprintf("# %s at %d", pad, rev), nil)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	steps := []struct {
		pad     string
		rev     int
		renders int64
	}{
		{"a", 1, 1}, {"a", 1, 1}, {"a", 2, 2}, {"b", 1, 3}, {"a", 2, 3},
		// Two documents at most: a@1 was the least recently used.
		{"a", 1, 4}, {"a", 2, 4},
	}
	for _, s := range steps {
		d := render(s.pad, s.rev)
		if want := fmt.Sprintf("%s at %d", s.pad, s.rev); len(d.Headings) != 1 || d.Headings[0].Text != want {
			t.Errorf("%s@%d: headings %+v, want %q", s.pad, s.rev, d.Headings, want)
		}
		if got := c.Renders(); got != s.renders {
			t.Errorf("after %s@%d: %d renders, want %d", s.pad, s.rev, got, s.renders)
		}
	}
}

func TestCacheBoundsBytes(t *testing.T) {
	c := notes.NewCache(100, 100)
	for i := range 3 {
		if _, err := c.Render(notes.CacheKey{Pad: "a", Rev: i}, "a long enough paragraph of notes", nil); err != nil {
			t.Fatal(err)
		}
	}
	// Each document is over 50 bytes of HTML: only the last one is kept.
	for _, rev := range []int{2, 0} {
		if _, err := c.Render(notes.CacheKey{Pad: "a", Rev: rev}, "a long enough paragraph of notes", nil); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.Renders(); got != 4 {
		t.Errorf("%d renders, want 4 (rev 2 cached, rev 0 dropped)", got)
	}
}

func TestCacheCrowd(t *testing.T) {
	c := notes.NewCache(4, 1<<20)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := c.Render(notes.CacheKey{Pad: "a", Rev: 7}, "# notes", nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := c.Renders(); got != 1 {
		t.Errorf("20 readers of one revision: %d renders, want 1", got)
	}
}

func ExampleCache() {
	cache := notes.NewCache(64, 64<<20)
	for range 3 {
		doc, err := cache.Render(notes.CacheKey{Pad: "kernel-mm", Rev: 12}, "# Folios", nil)
		if err != nil {
			panic(err)
		}
		fmt.Println(doc.Headings[0].Text)
	}
	fmt.Println(cache.Renders(), "rendering")
	// Output:
	// Folios
	// Folios
	// Folios
	// 1 rendering
}
