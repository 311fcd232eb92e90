package collab

import (
	"fmt"
	"sync/atomic"
)

// Run is a stretch of neighbouring characters of a document that one
// author inserted.
type Run struct {
	// Author is the public id of the author who inserted the characters.
	Author string `json:"author"`
	// Len is how many characters (code points) the run covers, at least 1.
	Len int `json:"length"`
}

// Attribution says which author inserted each character of a document: its
// runs, in document order, cover the document exactly. The zero value is
// not usable; NewAttribution returns the attribution of the empty document.
//
// Apply carries an attribution through an op, so that it follows the
// document it belongs to op by op. An Attribution is not safe for
// concurrent use; Clone copies one in O(1), and the copy may be read (or
// changed) in another goroutine while the original changes.
//
// The runs are kept in a B+tree counted by code points, like the Doc's
// rope: leaves hold up to runLeafMax runs, branches the number of code
// points under each child, so an op finds each of its positions in
// O(log runs) and touches one leaf per component. Deletes may leave leaves
// and branches underfull (never empty); when the leaves hold on average
// less than a quarter of what they can, the tree is rebuilt, which costs
// O(runs) but needs as many deletes before it happens again.
//
// Nodes are copied on write: a clone shares every node with the original,
// and each changes in place only the nodes of its own generation, copying
// any other one (and the path to it) the first time it changes it. So a
// clone costs O(1), and the first edit after it O(log runs) more.
type Attribution struct {
	root   *runNode
	height int    // levels of branches above the leaves; 0: the root is a leaf
	n      int    // code points covered
	runs   int    // runs stored in the leaves
	leaves int    // leaves in the tree
	gen    uint64 // the generation of the nodes a may change in place
	at     finger
}

// runGens hands out the generations of Attributions, each one once.
var runGens atomic.Uint64

// finger remembers the leaf the last edit touched, with the path to it, so
// that the next edit nearby (typing goes on where it was) changes that
// leaf without a search from the root. The counts on the path lag behind
// the leaf by pend code points until drop adds them, so that a keystroke
// changes one run and the finger only. The leaf and the path are of the
// attribution's generation.
type finger struct {
	leaf       *runNode   // nil: no finger
	start, end int        // the code points the leaf covers
	run        *Run       // the run of the leaf last changed, or nil
	runStart   int        // the position of that run in the document
	pend       int        // code points the leaf gained that the path's counts lack
	path       []*runNode // the branches from the root down to the leaf
	idx        []int      // the child taken in each of them
}

// Shape of the run tree.
const (
	runLeafMax = 16 // most runs in a leaf
	runFanMax  = 16 // most children of a branch
)

// runNode is a branch (chars and kids, n children) or a leaf (runs); which
// one is told by its height in the tree. A leaf's runs have no empty run
// and no two neighbours of one author; neighbours across leaves may share
// an author (Runs merges them).
type runNode struct {
	gen   uint64 // the generation of the Attribution that may change it
	n     int
	chars [runFanMax + 1]int
	kids  [runFanMax + 1]*runNode
	runs  []Run
}

// NewAttribution returns the attribution made of runs in order, with empty
// runs dropped and neighbours of the same author merged.
func NewAttribution(runs ...Run) *Attribution {
	var norm []Run
	for _, r := range runs {
		norm = pushRun(norm, r.Author, r.Len)
	}
	return buildAttribution(norm)
}

// buildAttribution returns the attribution of runs, which are normal (no
// empty run, no neighbours of one author), with leaves three quarters full.
func buildAttribution(runs []Run) *Attribution {
	a := &Attribution{runs: len(runs), gen: runGens.Add(1)}
	per := runLeafMax * 3 / 4
	var level []*runNode
	var sums []int
	for lo, hi := range evenGroups(len(runs), per) {
		leaf := &runNode{gen: a.gen, runs: make([]Run, hi-lo, runLeafMax+2)}
		copy(leaf.runs, runs[lo:hi])
		level = append(level, leaf)
		sums = append(sums, leaf.total(0))
	}
	if len(level) == 0 {
		level = []*runNode{{gen: a.gen, runs: make([]Run, 0, runLeafMax+2)}}
		sums = []int{0}
	}
	a.leaves = len(level)
	for len(level) > 1 {
		var up []*runNode
		var upSums []int
		for lo, hi := range evenGroups(len(level), runFanMax) {
			x := &runNode{gen: a.gen, n: hi - lo}
			copy(x.kids[:], level[lo:hi])
			copy(x.chars[:], sums[lo:hi])
			up = append(up, x)
			upSums = append(upSums, x.total(1))
		}
		level, sums = up, upSums
		a.height++
	}
	a.root = level[0]
	for _, s := range sums {
		a.n += s
	}
	return a
}

// Len returns the number of characters the attribution covers.
func (a *Attribution) Len() int { return a.n }

// Runs returns the attribution's runs in document order: no run is empty
// and neighbouring runs have different authors.
func (a *Attribution) Runs() []Run {
	out := make([]Run, 0, a.runs)
	a.root.appendRuns(a.height, &out)
	return out
}

// appendRuns appends the runs under x, at height h, to *out, merging the
// first with the last of *out if they have the same author.
func (x *runNode) appendRuns(h int, out *[]Run) {
	if h > 0 {
		for _, k := range x.kids[:x.n] {
			k.appendRuns(h-1, out)
		}
		return
	}
	rs := x.runs
	if n := len(*out); n > 0 && len(rs) > 0 && (*out)[n-1].Author == rs[0].Author {
		(*out)[n-1].Len += rs[0].Len
		rs = rs[1:]
	}
	*out = append(*out, rs...)
}

// Clone returns an independent copy of a in O(1): the two share their
// nodes until either changes them (see Attribution). Clone changes a's
// bookkeeping, so it must not run concurrently with other uses of a; the
// copy may then be used in another goroutine.
func (a *Attribution) Clone() *Attribution {
	a.drop()
	c := *a
	c.at = finger{}
	c.gen = runGens.Add(1)
	a.gen = runGens.Add(1)
	return &c
}

// own returns x, a node at height h that a is about to change, if it is
// of a's generation, or else a copy of it that is.
func (a *Attribution) own(x *runNode, h int) *runNode {
	if x.gen == a.gen {
		return x
	}
	c := *x
	c.gen = a.gen
	if h == 0 {
		c.runs = append(make([]Run, 0, runLeafMax+2), x.runs...)
	}
	return &c
}

// total returns the code points under x, at height h.
func (x *runNode) total(h int) int {
	s := 0
	if h == 0 {
		for _, r := range x.runs {
			s += r.Len
		}
		return s
	}
	for _, c := range x.chars[:x.n] {
		s += c
	}
	return s
}

// Apply changes a as op, committed by author, changes its document:
// retained characters keep their authors, deleted ones are dropped, and
// inserted ones belong to author. It fails, changing nothing, if op is
// invalid or spans more characters than a covers (ErrPastEnd).
//
// It costs O(log runs) per component of op.
func (a *Attribution) Apply(op Op, author string) error {
	if err := op.validate(false); err != nil {
		return err
	}
	if n := op.baseLen(); n > a.n {
		return fmt.Errorf("%w: the op spans %d code points, the attribution covers %d", ErrPastEnd, n, a.n)
	}
	a.apply(op, author)
	return nil
}

// apply is Apply for an op known to be valid and to fit: one that a Doc
// of a's length has just applied.
func (a *Attribution) apply(op Op, author string) {
	pos := 0
	for _, p := range op.parts {
		switch p.kind() {
		case kindSkip:
			pos += int(p.n)
		case kindDelete:
			a.delete(pos, int(-p.n))
		case kindInsert:
			k := int(p.n)
			if k == 0 { // unknown count (see part): count it
				k = countRunes(op.textOf(p))
			}
			a.insert(pos, author, k)
			pos += k
		}
	}
}

// locate points the finger at a leaf that covers pos: the one pos is in,
// or with end, one that ends at pos. It makes the leaf and its path a's
// own.
func (a *Attribution) locate(pos int, end bool) {
	a.drop()
	f := &a.at
	f.path, f.idx = f.path[:0], f.idx[:0]
	a.root = a.own(a.root, a.height)
	x, off := a.root, pos
	for h := a.height; h > 0; h-- {
		i := 0
		for i < x.n-1 && (off > x.chars[i] || !end && off == x.chars[i]) {
			off -= x.chars[i]
			i++
		}
		f.path = append(f.path, x)
		f.idx = append(f.idx, i)
		x.kids[i] = a.own(x.kids[i], h-1)
		x = x.kids[i]
	}
	f.leaf, f.start, f.run = x, pos-off, nil
	f.end = f.start + x.total(0)
}

// grow records that the finger's leaf gained k code points (lost, if k is
// negative); drop adds them to the counts on its path.
func (f *finger) grow(k int) {
	f.pend += k
	f.end += k
}

// drop adds what the finger's leaf gained to the counts on its path and
// forgets the finger, before the tree is read or changed otherwise.
func (a *Attribution) drop() {
	f := &a.at
	if f.pend != 0 {
		for i, x := range f.path {
			x.chars[f.idx[i]] += f.pend
		}
		f.pend = 0
	}
	f.leaf, f.run = nil, nil
}

// insert gives k > 0 new characters at pos to author. Typing on in the
// run last changed, by its author, is the fast path: it changes that run
// and the finger only.
func (a *Attribution) insert(pos int, author string, k int) {
	f := &a.at
	if r := f.run; r != nil && uint(pos-f.runStart) <= uint(r.Len) && r.Author == author {
		r.Len += k
		f.grow(k)
		a.n += k
		return
	}
	a.insertAny(pos, author, k)
}

// insertAny is insert off the fast path.
func (a *Attribution) insertAny(pos int, author string, k int) {
	if k <= 0 {
		return
	}
	a.n += k
	f := &a.at
	if f.leaf == nil || pos < f.start || pos > f.end {
		a.locate(pos, true)
	}
	before := len(f.leaf.runs)
	var i, at int
	f.leaf.runs, i, at = insertRun(f.leaf.runs, pos-f.start, author, k)
	f.run, f.runStart = &f.leaf.runs[i], f.start+at
	a.runs += len(f.leaf.runs) - before
	f.grow(k)
	if len(f.leaf.runs) > runLeafMax {
		a.split()
	}
}

// split splits the finger's leaf, which has overflowed, in two, and every
// branch on its path that overflows in turn; the finger is dropped.
func (a *Attribution) split() {
	f := &a.at
	x := f.leaf
	a.drop()
	m := len(x.runs) / 2
	sib := &runNode{gen: a.gen, runs: append(make([]Run, 0, runLeafMax+2), x.runs[m:]...)}
	x.runs = x.runs[:m]
	a.leaves++
	for lvl := len(f.path) - 1; lvl >= 0 && sib != nil; lvl-- {
		x, i := f.path[lvl], f.idx[lvl]
		c := sib.total(len(f.path) - 1 - lvl)
		x.chars[i] -= c
		copy(x.kids[i+2:x.n+1], x.kids[i+1:x.n])
		copy(x.chars[i+2:x.n+1], x.chars[i+1:x.n])
		x.kids[i+1], x.chars[i+1] = sib, c
		x.n++
		sib = nil
		if x.n > runFanMax {
			m := x.n / 2
			sib = &runNode{gen: a.gen, n: x.n - m}
			copy(sib.kids[:], x.kids[m:x.n])
			copy(sib.chars[:], x.chars[m:x.n])
			clear(x.kids[m:x.n])
			x.n = m
		}
	}
	if sib != nil {
		root := &runNode{gen: a.gen, n: 2}
		root.kids[0], root.chars[0] = a.root, a.root.total(a.height)
		root.kids[1], root.chars[1] = sib, sib.total(a.height)
		a.root = root
		a.height++
	}
}

// insertRun inserts k > 0 characters of author at off (at most their
// total) into runs, which stay normal, and returns them with the index and
// the offset of the run that holds the new characters.
func insertRun(rs []Run, off int, author string, k int) ([]Run, int, int) {
	i, base := 0, 0
	for i < len(rs)-1 && off > base+rs[i].Len {
		base += rs[i].Len
		i++
	}
	off -= base
	switch {
	case len(rs) == 0:
		return append(rs, Run{author, k}), 0, 0
	case rs[i].Author == author:
		rs[i].Len += k
		return rs, i, base
	case off == rs[i].Len: // at the end of run i
		if i+1 < len(rs) && rs[i+1].Author == author {
			rs[i+1].Len += k
			return rs, i + 1, base + off
		}
		return insertRuns(rs, i+1, Run{author, k}), i + 1, base + off
	case off == 0: // at the start of the first run
		return insertRuns(rs, 0, Run{author, k}), 0, 0
	}
	rest := Run{rs[i].Author, rs[i].Len - off}
	rs[i].Len = off
	return insertRuns(rs, i+1, Run{author, k}, rest), i + 1, base + off
}

// insertRuns inserts add at index i of rs.
func insertRuns(rs []Run, i int, add ...Run) []Run {
	n := len(rs)
	rs = append(rs, add...)
	copy(rs[i+len(add):], rs[i:n])
	copy(rs[i:], add)
	return rs
}

// delete drops n characters at pos (pos+n <= a.n).
func (a *Attribution) delete(pos, n int) {
	f := &a.at
	if r := f.run; r != nil && pos >= f.runStart && pos+n <= f.runStart+r.Len && n < r.Len {
		// Deleting in the run last changed.
		r.Len -= n
		f.grow(-n)
		a.n -= n
		return
	}
	if f.leaf == nil || pos < f.start || pos >= f.end {
		a.locate(pos, false)
	}
	if pos+n <= f.end && n < f.end-f.start { // within the leaf, which keeps a run
		before := len(f.leaf.runs)
		f.leaf.runs, _ = deleteRuns(f.leaf.runs, pos-f.start, n)
		a.runs -= before - len(f.leaf.runs)
		f.grow(-n)
		a.n -= n
		f.aim(pos)
	} else {
		a.drop()
		for n > 0 {
			// Owned anew each time: the root may have shrunk to a child
			// that a clone shares.
			a.root = a.own(a.root, a.height)
			k := a.deleteIn(a.root, a.height, pos, n)
			a.n -= k
			n -= k
			for a.height > 0 && a.root.n == 1 {
				a.root = a.root.kids[0]
				a.height--
			}
		}
	}
	if a.n == 0 {
		*a = *buildAttribution(nil)
	} else if a.leaves > 4 && a.leaves*runLeafMax > 4*a.runs {
		*a = *buildAttribution(a.Runs())
	}
}

// aim points the finger's run at the run of its leaf that holds the
// character before pos, or at its first run if pos is where the leaf
// starts, so that deleting on backwards (backspace) stays in that run.
func (f *finger) aim(pos int) {
	at := f.start
	for i, r := range f.leaf.runs {
		if pos <= at+r.Len {
			f.run, f.runStart = &f.leaf.runs[i], at
			return
		}
		at += r.Len
	}
	f.run = nil
}

// deleteIn drops up to n characters at off under x, a node of a's
// generation at height h, with off less than x's total, and returns how
// many it dropped (at least one). Children left empty are removed.
func (a *Attribution) deleteIn(x *runNode, h, off, n int) int {
	if h == 0 {
		before := len(x.runs)
		var k int
		x.runs, k = deleteRuns(x.runs, off, n)
		a.runs -= before - len(x.runs)
		return k
	}
	i := 0
	for off >= x.chars[i] {
		off -= x.chars[i]
		i++
	}
	if off == 0 && n >= x.chars[i] {
		j, gone := i, 0
		for j < x.n && gone+x.chars[j] <= n {
			gone += x.chars[j]
			a.forget(x.kids[j], h-1)
			j++
		}
		x.removeRange(i, j)
		return gone
	}
	x.kids[i] = a.own(x.kids[i], h-1)
	k := a.deleteIn(x.kids[i], h-1, off, n)
	x.chars[i] -= k
	if x.chars[i] == 0 {
		a.forget(x.kids[i], h-1)
		x.removeRange(i, i+1)
	}
	return k
}

// removeRange drops children [i, j) of the branch x.
func (x *runNode) removeRange(i, j int) {
	copy(x.kids[i:], x.kids[j:x.n])
	copy(x.chars[i:], x.chars[j:x.n])
	clear(x.kids[x.n-(j-i) : x.n])
	x.n -= j - i
}

// forget subtracts the leaves and runs under x, at height h, from a's
// counts, as x leaves the tree.
func (a *Attribution) forget(x *runNode, h int) {
	if h == 0 {
		a.leaves--
		a.runs -= len(x.runs)
		return
	}
	for _, k := range x.kids[:x.n] {
		a.forget(k, h-1)
	}
}

// deleteRuns drops up to n characters at off (less than their total) from
// runs, which stay normal, and returns them with how many it dropped.
func deleteRuns(rs []Run, off, n int) ([]Run, int) {
	i := 0
	for off >= rs[i].Len {
		off -= rs[i].Len
		i++
	}
	gone := 0
	if off > 0 { // keep the head of run i
		k := min(n, rs[i].Len-off)
		rs[i].Len -= k
		gone, n = k, n-k
		i++
	}
	j := i
	for j < len(rs) && n >= rs[j].Len {
		gone, n = gone+rs[j].Len, n-rs[j].Len
		j++
	}
	if j < len(rs) && n > 0 {
		rs[j].Len -= n
		gone += n
	}
	rs = append(rs[:i], rs[j:]...)
	if i > 0 && i < len(rs) && rs[i-1].Author == rs[i].Author {
		rs[i-1].Len += rs[i].Len
		rs = append(rs[:i], rs[i+1:]...)
	}
	return rs, gone
}

// pushRun appends n characters of author to runs, merging them into the
// last run if it has the same author.
func pushRun(runs []Run, author string, n int) []Run {
	switch {
	case n <= 0:
		return runs
	case len(runs) > 0 && runs[len(runs)-1].Author == author:
		runs[len(runs)-1].Len += n
		return runs
	}
	return append(runs, Run{Author: author, Len: n})
}

// applyAttributed applies op, by author, to doc and to a, its attribution,
// as the pad engine does for every committed op: the op is checked once,
// by doc, and both follow it in one walk over its components.
func applyAttributed(doc *Doc, a *Attribution, op Op, author string) error {
	return doc.apply(op, a, author)
}
