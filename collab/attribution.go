package collab

import (
	"fmt"
	"slices"
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
// runs, in document order, cover the document exactly. Neighbouring runs
// have different authors and no run is empty. The zero Attribution belongs
// to the empty document.
//
// Apply carries an attribution through an op, so that it follows the
// document it belongs to op by op. An Attribution is not safe for
// concurrent use; Clone copies one.
type Attribution struct {
	runs  []Run
	spare []Run // the buffer Apply builds the next runs in
	n     int   // the total length of runs
}

// NewAttribution returns the attribution made of runs in order, with empty
// runs dropped and neighbours of the same author merged.
func NewAttribution(runs ...Run) *Attribution {
	a := &Attribution{}
	for _, r := range runs {
		a.runs = pushRun(a.runs, r.Author, r.Len)
		a.n += max(r.Len, 0)
	}
	return a
}

// Len returns the number of characters the attribution covers.
func (a *Attribution) Len() int { return a.n }

// Runs returns a copy of the attribution's runs.
func (a *Attribution) Runs() []Run { return slices.Clone(a.runs) }

// Clone returns an independent copy of a.
func (a *Attribution) Clone() *Attribution {
	return &Attribution{runs: slices.Clone(a.runs), n: a.n}
}

// Apply changes a as op, committed by author, changes its document:
// retained characters keep their authors, deleted ones are dropped, and
// inserted ones belong to author. It fails, changing nothing, if op is
// invalid or spans more characters than a covers (ErrPastEnd).
//
// It runs in O(number of runs + components of op) and, once a has grown to
// its size, allocates nothing.
func (a *Attribution) Apply(op Op, author string) error {
	if err := op.validate(false); err != nil {
		return err
	}
	if n := op.baseLen(); n > a.n {
		return fmt.Errorf("%w: the op spans %d code points, the attribution covers %d", ErrPastEnd, n, a.n)
	}
	out := a.spare[:0]
	i, rem := 0, 0 // the run being read, and how much of it is left
	if len(a.runs) > 0 {
		rem = a.runs[0].Len
	}
	// take moves n characters on from the read position, copying them to
	// out if keep; the check above makes sure they are there.
	take := func(n int, keep bool) {
		for n > 0 {
			k := min(n, rem)
			if keep {
				out = pushRun(out, a.runs[i].Author, k)
			}
			n, rem = n-k, rem-k
			if rem == 0 && i+1 < len(a.runs) {
				i++
				rem = a.runs[i].Len
			}
		}
	}
	size := a.n
	for _, p := range op.parts {
		switch p.kind() {
		case kindSkip:
			take(int(p.n), true)
		case kindDelete:
			take(int(-p.n), false)
			size += int(p.n)
		case kindInsert:
			k := int(p.n)
			if k == 0 { // unknown count (see part): count it
				k = countRunes(op.textOf(p))
			}
			out = pushRun(out, author, k)
			size += k
		}
	}
	if rem > 0 {
		out = pushRun(out, a.runs[i].Author, rem)
	}
	for _, r := range a.runs[min(i+1, len(a.runs)):] {
		out = pushRun(out, r.Author, r.Len)
	}
	a.runs, a.spare, a.n = out, a.runs, size
	return nil
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
