package collab

import (
	"container/list"
	"context"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// DefaultCheckpointCacheBytes is Config.CheckpointCacheBytes's default.
const DefaultCheckpointCacheBytes = 16 << 20

// checkpointKey names a checkpoint: a pad and a revision.
type checkpointKey struct {
	pad string
	rev int
}

// checkpointCache keeps the texts of the checkpoints read last, and the
// ops after each that reads fetched, up to a number of bytes, least
// recently used first out, so that reads of revisions near each other (a
// timeslider, a diff) read and check a checkpoint's text once and fetch
// its ops once. A pad's history never changes while it exists; forget
// drops its checkpoints when it is deleted, and a read that began before
// a forget does not put what it read back (generation).
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
	// ops are those of the revisions after the checkpoint, in order, as
	// far as reads fetched them.
	ops packedOps
}

// packedOps holds ops with no pointer per op, so that the collector marks
// three objects per checkpoint, not two per op (which made each of its
// cycles, and the reads it slowed, longer): their texts one after
// another, their parts one after another (offsets into their op's text),
// and where each op's parts and text end. It is only appended to, so the
// ops handed out (which share its arrays) never change.
type packedOps struct {
	texts []byte
	parts []part
	ends  []opEnd
}

// opEnd is where an op's parts and text end in a packedOps.
type opEnd struct {
	parts, text uint32
}

// len returns the number of ops.
func (p packedOps) len() int { return len(p.ends) }

// bytes returns what the ops cost the cache.
func (p packedOps) bytes() int {
	return len(p.texts) + len(p.parts)*int(unsafe.Sizeof(part{})) + len(p.ends)*int(unsafe.Sizeof(opEnd{}))
}

// append adds ops at the end, copying the texts of their parts.
func (p *packedOps) append(ops []Op) {
	for _, op := range ops {
		start := len(p.texts)
		for _, pt := range op.parts {
			at := uint32(len(p.texts) - start)
			p.texts = append(p.texts, op.text[pt.off:pt.end]...)
			pt.off, pt.end = at, uint32(len(p.texts)-start)
			p.parts = append(p.parts, pt)
		}
		p.ends = append(p.ends, opEnd{parts: uint32(len(p.parts)), text: uint32(len(p.texts))})
	}
}

// ops returns the first n ops, which share p's arrays.
func (p packedOps) ops(n int) []Op {
	out := make([]Op, n)
	var from opEnd
	for i := range out {
		to := p.ends[i]
		out[i] = Op{parts: p.parts[from.parts:to.parts:to.parts], text: bytesString(p.texts[from.text:to.text])}
		from = to
	}
	return out
}

func newCheckpointCache(max int) *checkpointCache {
	return &checkpointCache{max: max, lru: list.New(), entries: map[checkpointKey]*list.Element{}}
}

// get returns the text of the checkpoint at rev of pad and the ops after
// it that are kept, if the checkpoint is kept, and the generation to hand
// to put and extend with what is read from the log instead.
func (c *checkpointCache) get(pad string, rev int) (text string, ops packedOps, ok bool, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[checkpointKey{pad, rev}]; ok {
		c.lru.MoveToFront(el)
		e := el.Value.(*checkpointEntry)
		return e.text, e.ops, true, c.generation
	}
	return "", packedOps{}, false, c.generation
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
	c.trim()
}

// extend keeps ops, those of the revisions after the checkpoint at rev of
// pad in order, beside it: those past the ops it keeps already. It keeps
// nothing if the checkpoint is not kept or a pad was forgotten since gen
// was handed out.
func (c *checkpointCache) extend(pad string, rev int, ops []Op, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[checkpointKey{pad, rev}]
	if !ok || gen != c.generation {
		return
	}
	c.lru.MoveToFront(el)
	e := el.Value.(*checkpointEntry)
	if len(ops) <= e.ops.len() {
		return
	}
	before := e.ops.bytes()
	e.ops.append(ops[e.ops.len():])
	c.size += e.ops.bytes() - before
	c.trim()
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

// trim drops the least recently used checkpoints until the cache holds at
// most max bytes; c.mu is held.
func (c *checkpointCache) trim() {
	for c.size > c.max {
		c.remove(c.lru.Back())
	}
}

// remove drops el; c.mu is held.
func (c *checkpointCache) remove(el *list.Element) {
	e := c.lru.Remove(el).(*checkpointEntry)
	delete(c.entries, e.key)
	c.size -= len(e.text) + e.ops.bytes()
}

// readRevision returns the latest snapshot of pad at or below rev and the
// ops of the revisions after it up to rev, with the log's head. It takes
// the snapshot's text and the ops from the checkpoint cache where they
// are kept, and reads the rest from the log in one step; it reads nothing
// if the cache holds all and the caller knows the head (head >= 0, rev at
// or below it). The text is valid UTF-8 (checked). A rev after the log's
// head is a CodeRevAhead error.
func (e *Engine) readRevision(ctx context.Context, rr RevisionReader, pad string, rev, head int) (int, Snapshot, []Op, error) {
	c := rev - rev%CheckpointEvery
	cached, kept, ok, gen := e.checkpoints.get(pad, c)
	have := 0
	if ok {
		have = c
		if head >= rev && kept.len() >= rev-c {
			return head, Snapshot{Rev: c, Text: cached}, kept.ops(rev - c), nil
		}
	}
	head, snap, ops, err := rr.ReadRevision(ctx, pad, rev, have)
	switch {
	case err != nil:
		return 0, Snapshot{}, nil, unavailable(err)
	case rev > head:
		return head, Snapshot{}, nil, errorf(CodeRevAhead, "revision %d is after the head %d", rev, head)
	}
	if err := recordsFit(snap.Rev, rev, len(ops)); err != nil {
		return 0, Snapshot{}, nil, err
	}
	if ok && snap.Rev == c {
		snap.Text = cached
		e.checkpoints.extend(pad, c, ops, gen)
		return head, snap, ops, nil
	}
	if err := snap.checkText(); err != nil {
		return 0, Snapshot{}, nil, err
	}
	if snap.Rev == c { // a checkpoint, or the empty pad before the first
		e.checkpoints.put(pad, c, snap.Text, gen)
		e.checkpoints.extend(pad, c, ops, gen)
	}
	return head, snap, ops, nil
}

// checkText fails with a CodeUnavailable error if the snapshot's text, as
// the log returned it, is not valid UTF-8.
func (s Snapshot) checkText() error {
	if !utf8.ValidString(s.Text) {
		return errorf(CodeUnavailable, "the snapshot at revision %d is not valid UTF-8", s.Rev)
	}
	return nil
}
