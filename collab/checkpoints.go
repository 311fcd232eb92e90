package collab

import (
	"container/list"
	"context"
	"math"
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

// checkpointCache keeps the texts of the checkpoints read last, the ops
// after each that reads fetched and the attribution at each that reads
// computed, up to a number of bytes, least recently used first out, so
// that reads of revisions near each other (a timeslider, a diff) read and
// check a checkpoint's text once, fetch its ops once and replay its
// attribution once. A pad's history never changes while it exists; forget
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
	key checkpointKey
	// text is the checkpoint's text, if hasText: an entry may hold its
	// attribution alone.
	text    string
	hasText bool
	// ops are those of the revisions after the checkpoint, in order, as
	// far as reads fetched them.
	ops packedOps
	// attr is the attribution at the checkpoint, if hasAttr.
	attr    packedRuns
	hasAttr bool
}

// packedRuns is an attribution kept with no pointer per run: its authors,
// each once, and each run as the index of its author and its length.
type packedRuns struct {
	authors []string
	runs    []packedRun
}

// packedRun is a Run in a packedRuns.
type packedRun struct {
	author, len uint32
}

// packRuns packs runs; false if a length does not fit 32 bits.
func packRuns(runs []Run) (packedRuns, bool) {
	var p packedRuns
	index := map[string]uint32{}
	p.runs = make([]packedRun, len(runs))
	for i, r := range runs {
		if r.Len < 0 || int64(r.Len) > math.MaxUint32 {
			return packedRuns{}, false
		}
		a, ok := index[r.Author]
		if !ok {
			a = uint32(len(p.authors))
			index[r.Author] = a
			p.authors = append(p.authors, r.Author)
		}
		p.runs[i] = packedRun{author: a, len: uint32(r.Len)}
	}
	return p, true
}

// unpack returns the runs.
func (p packedRuns) unpack() []Run {
	runs := make([]Run, len(p.runs))
	for i, r := range p.runs {
		runs[i] = Run{Author: p.authors[r.author], Len: int(r.len)}
	}
	return runs
}

// bytes returns what the runs cost the cache.
func (p packedRuns) bytes() int {
	n := len(p.runs) * int(unsafe.Sizeof(packedRun{}))
	for _, a := range p.authors {
		n += len(a) + int(unsafe.Sizeof(a))
	}
	return n
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
	if el, ok := c.entries[checkpointKey{pad, rev}]; ok && el.Value.(*checkpointEntry).hasText {
		c.lru.MoveToFront(el)
		e := el.Value.(*checkpointEntry)
		return e.text, e.ops, true, c.generation
	}
	return "", packedOps{}, false, c.generation
}

// entry returns the entry of the checkpoint at rev of pad, made if there
// is none, as the most recently used; c.mu is held.
func (c *checkpointCache) entry(pad string, rev int) *checkpointEntry {
	key := checkpointKey{pad, rev}
	if el, ok := c.entries[key]; ok {
		c.lru.MoveToFront(el)
		return el.Value.(*checkpointEntry)
	}
	e := &checkpointEntry{key: key}
	c.entries[key] = c.lru.PushFront(e)
	return e
}

// put keeps text, which passed its check, as the checkpoint at rev of
// pad, unless a pad was forgotten since gen was handed out or the text
// alone is larger than the cache.
func (c *checkpointCache) put(pad string, rev int, text string, gen uint64) {
	if len(text) > c.max {
		return
	}
	c.fill(pad, rev, gen, func(e *checkpointEntry) int {
		if e.hasText {
			return 0
		}
		e.text, e.hasText = text, true
		return len(text)
	})
}

// fill lets set fill in the entry of the checkpoint at rev of pad, made if
// there is none, unless a pad was forgotten since gen was handed out; set
// returns the bytes it added.
func (c *checkpointCache) fill(pad string, rev int, gen uint64, set func(e *checkpointEntry) int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.generation {
		return
	}
	if n := set(c.entry(pad, rev)); n > 0 {
		c.size += n
		c.trim()
	}
}

// attribution returns the attribution at the checkpoint at rev of pad, if
// it is kept, and the generation to hand to putAttribution.
func (c *checkpointCache) attribution(pad string, rev int) (runs []Run, ok bool, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[checkpointKey{pad, rev}]
	if !ok || !el.Value.(*checkpointEntry).hasAttr {
		return nil, false, c.generation
	}
	c.lru.MoveToFront(el)
	attr := el.Value.(*checkpointEntry).attr
	return attr.unpack(), true, c.generation
}

// putAttribution keeps runs as the attribution at the checkpoint at rev of
// pad, unless a pad was forgotten since gen was handed out or they are
// larger than the cache.
func (c *checkpointCache) putAttribution(pad string, rev int, runs []Run, gen uint64) {
	packed, ok := packRuns(runs)
	if !ok || packed.bytes() > c.max {
		return
	}
	c.fill(pad, rev, gen, func(e *checkpointEntry) int {
		if e.hasAttr {
			return 0
		}
		e.attr, e.hasAttr = packed, true
		return packed.bytes()
	})
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
	c.size -= len(e.text) + e.ops.bytes() + e.attr.bytes()
}

// readRevision returns the latest snapshot of pad at or below rev and the
// ops of the revisions after it up to rev, with the log's head. It takes
// the snapshot's text and the ops from the checkpoint cache where they
// are kept, and reads the rest from the log in one step; it reads nothing
// if the cache holds all and the caller knows the head (head >= 0, rev at
// or below it). The text passed its check (Snapshot.checkText). A rev
// after the log's head is a CodeRevAhead error.
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

// checkText fails with a CodeUnavailable error unless the snapshot's
// text, as the log returned it, is the one the engine saved, by its Sum,
// or, where the log kept none, is valid UTF-8. A read of an old revision
// refuses a snapshot that fails (confpad check reports it); loading a pad
// takes it for a lost one (LoadIntact).
func (s Snapshot) checkText() error {
	switch {
	case s.Sum != 0 && TextSum(s.Text) != s.Sum:
		return errorf(CodeUnavailable, "the snapshot at revision %d does not match its checksum", s.Rev)
	case s.Sum == 0 && !utf8.ValidString(s.Text):
		return errorf(CodeUnavailable, "the snapshot at revision %d is not valid UTF-8", s.Rev)
	}
	return nil
}
