package collab

import (
	"container/list"
	"context"
	"sync"
	"unicode/utf8"
)

// DefaultCheckpointCacheBytes is Config.CheckpointCacheBytes's default.
const DefaultCheckpointCacheBytes = 16 << 20

// checkpointKey names a checkpoint: a pad and a revision.
type checkpointKey struct {
	pad string
	rev int
}

// checkpointCache keeps the texts of the checkpoints read last, up to a
// number of bytes, least recently used first out, so that reads of
// revisions near each other (a timeslider, a diff) read and check a
// checkpoint's text once. A pad's checkpoints never change while it
// exists; forget drops them when it is deleted, and a read that began
// before a forget does not put its text back (generation).
type checkpointCache struct {
	max int

	mu         sync.Mutex
	size       int
	lru        *list.List // of *checkpointEntry, most recent first
	entries    map[checkpointKey]*list.Element
	generation uint64 // counts forgets
}

type checkpointEntry struct {
	key  checkpointKey
	text string
}

func newCheckpointCache(max int) *checkpointCache {
	return &checkpointCache{max: max, lru: list.New(), entries: map[checkpointKey]*list.Element{}}
}

// get returns the text of the checkpoint at rev of pad, if it is kept, and
// the generation to hand to put with a text read from the log instead.
func (c *checkpointCache) get(pad string, rev int) (text string, ok bool, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[checkpointKey{pad, rev}]; ok {
		c.lru.MoveToFront(el)
		return el.Value.(*checkpointEntry).text, true, c.generation
	}
	return "", false, c.generation
}

// put keeps text, valid UTF-8, as the checkpoint at rev of pad, unless a
// pad was forgotten since gen was handed out or the text alone is larger
// than the cache.
func (c *checkpointCache) put(pad string, rev int, text string, gen uint64) {
	if len(text) > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	key := checkpointKey{pad, rev}
	if _, ok := c.entries[key]; ok || gen != c.generation {
		return
	}
	c.entries[key] = c.lru.PushFront(&checkpointEntry{key: key, text: text})
	c.size += len(text)
	for c.size > c.max {
		c.remove(c.lru.Back())
	}
}

// forget drops every checkpoint of pad.
func (c *checkpointCache) forget(pad string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.generation++
	for el := c.lru.Front(); el != nil; {
		next := el.Next()
		if el.Value.(*checkpointEntry).key.pad == pad {
			c.remove(el)
		}
		el = next
	}
}

// remove drops el; c.mu is held.
func (c *checkpointCache) remove(el *list.Element) {
	e := c.lru.Remove(el).(*checkpointEntry)
	delete(c.entries, e.key)
	c.size -= len(e.text)
}

// readRevision returns the log's head, the latest snapshot of pad at or
// below rev and the records after it up to rev, read in one step, with
// the snapshot's text from the checkpoint cache where it is kept. The
// text is valid UTF-8 (checked). A rev after the log's head is a
// CodeRevAhead error.
func (e *Engine) readRevision(ctx context.Context, rr RevisionReader, pad string, rev int) (head int, snap Snapshot, recs []Record, err error) {
	c := rev - rev%CheckpointEvery
	cached, ok, gen := e.checkpoints.get(pad, c)
	have := 0
	if ok {
		have = c
	}
	head, snap, recs, err = rr.ReadRevision(ctx, pad, rev, have)
	switch {
	case err != nil:
		return 0, Snapshot{}, nil, unavailable(err)
	case rev > head:
		return head, Snapshot{}, nil, errorf(CodeRevAhead, "revision %d is after the head %d", rev, head)
	}
	if err := recordsFit(snap.Rev, rev, len(recs)); err != nil {
		return 0, Snapshot{}, nil, err
	}
	if ok && snap.Rev == c {
		snap.Text = cached
		return head, snap, recs, nil
	}
	if err := snap.checkText(); err != nil {
		return 0, Snapshot{}, nil, err
	}
	if snap.Rev == c && IsCheckpoint(c) {
		e.checkpoints.put(pad, c, snap.Text, gen)
	}
	return head, snap, recs, nil
}

// checkText fails with a CodeUnavailable error if the snapshot's text, as
// the log returned it, is not valid UTF-8.
func (s Snapshot) checkText() error {
	if !utf8.ValidString(s.Text) {
		return errorf(CodeUnavailable, "the snapshot at revision %d is not valid UTF-8", s.Rev)
	}
	return nil
}
