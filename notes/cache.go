package notes

import (
	"container/list"
	"sync"
	"sync/atomic"
)

// CacheKey names a rendered document: a pad at a revision, with or
// without its authors named on hover (RenderBlamed).
type CacheKey struct {
	Pad    string
	Rev    int
	Blamed bool
}

// Cache keeps the documents of the pad revisions rendered last, so that
// readers of one revision (a crowd opening the notes page, the exports)
// cost one rendering: concurrent requests for a revision being rendered
// wait for it. It holds at most a number of documents and of bytes of
// HTML, dropping the least recently used. It is safe for concurrent use.
type Cache struct {
	maxEntries, maxBytes int
	renders              atomic.Int64

	mu    sync.Mutex
	bytes int
	lru   *list.List // of *cacheEntry, most recently used first
	byKey map[CacheKey]*list.Element
}

// cacheEntry is a document being rendered (done open) or rendered.
type cacheEntry struct {
	key  CacheKey
	done chan struct{}
	doc  Doc
	err  error
	size int // counted in Cache.bytes once done
}

// NewCache returns a cache of at most maxEntries documents and maxBytes
// bytes of HTML.
func NewCache(maxEntries, maxBytes int) *Cache {
	return &Cache{maxEntries: maxEntries, maxBytes: maxBytes, lru: list.New(), byKey: map[CacheKey]*list.Element{}}
}

// Render returns the document of text, the text of key: from the cache,
// or rendered (see Render) and kept. An error is not kept.
//
// With blame not nil the document is RenderBlamed's, under key with
// Blamed set.
func (c *Cache) Render(key CacheKey, text string, blame func(start, end int) string) (Doc, error) {
	key.Blamed = blame != nil
	c.mu.Lock()
	if el, ok := c.byKey[key]; ok {
		c.lru.MoveToFront(el)
		e := el.Value.(*cacheEntry)
		c.mu.Unlock()
		<-e.done
		return e.doc, e.err
	}
	e := &cacheEntry{key: key, done: make(chan struct{})}
	c.byKey[key] = c.lru.PushFront(e)
	c.mu.Unlock()

	c.renders.Add(1)
	doc, err := RenderBlamed(text, blame)

	c.mu.Lock()
	defer c.mu.Unlock()
	// Done under the lock, so that no other Render drops it before this
	// one has counted it.
	e.doc, e.err = doc, err
	close(e.done)
	if e.err != nil {
		c.lru.Remove(c.byKey[key])
		delete(c.byKey, key)
		return e.doc, e.err
	}
	e.size = len(e.doc.HTML)
	c.bytes += e.size
	// Drop the least recently used rendered documents while over a bound;
	// documents still being rendered stay (they count nothing yet).
	for b := c.lru.Back(); b != nil && (c.lru.Len() > c.maxEntries || c.bytes > c.maxBytes); {
		prev := b.Prev()
		if old := b.Value.(*cacheEntry); isDone(old) {
			c.lru.Remove(b)
			delete(c.byKey, old.key)
			c.bytes -= old.size
		}
		b = prev
	}
	return e.doc, nil
}

// isDone reports whether e is rendered.
func isDone(e *cacheEntry) bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}

// Renders returns how many documents the cache has rendered.
func (c *Cache) Renders() int64 { return c.renders.Load() }
