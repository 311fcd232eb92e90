package collab

import (
	"iter"
	"strings"
)

// Op is an operation: a normalised list of components (neighbours of the
// same kind merged, no empty components, no trailing skip).
//
// Like the npm package's checkOp, Validate and ParseOp insist on the parts of
// that form that change an op's meaning (no empty components, no adjacent
// skips, no trailing skip) but accept adjacent inserts or adjacent deletes,
// which Transform and Compose then treat exactly as the npm package does.
// Every Op returned by this package's functions is fully normalised.
//
// An Op is a small value, copied freely and never changed once made. Build
// one with NewOp (or ParseOp), read it with Len and At or All, and compare
// two with Equal. The zero Op is the empty op, which changes nothing.
//
// An op keeps its components as counts and offsets into one text that holds
// their texts, 12 bytes each with no pointer in them. Transform, Invert and
// Normalize usually share the text of the op they are given instead of
// copying it. So a result is one small allocation that the garbage collector
// never scans, which is what makes a transform cost about as much as its
// walk (see docs/performance-log.md, 2026-11-26).
type Op struct {
	parts []part
	text  string // holds the texts of parts, and possibly other bytes
}

// part is a component in an Op: a count n and a text, the bytes [off, end)
// of the op's text. A skip has n > 0 and no text; an insert has a text and
// n >= 0, the number of its code points (kept so that transforms need not
// count them; 0 only for a text that is not UTF-8, which Validate
// rejects); a delete has n < 0, -n code points, and its text if known. n
// is 0 for the empty component, and invalidCount for one made from a bad
// count, whose text then says what is wrong.
type part struct {
	n        int32
	off, end uint32
}

// NewOp returns the op made of cs, in order, as they are: it neither
// normalises nor validates them (Normalize and Validate do). The texts of
// an op must add up to at most MaxCount bytes (2 GiB), so that no insert
// has more than MaxCount code points; NewOp panics if they do not.
func NewOp(cs ...Component) Op {
	size, texts, last := 0, 0, ""
	for _, c := range cs {
		if c.s != "" {
			size, texts, last = size+len(c.s), texts+1, c.s
		}
	}
	if size > MaxCount {
		panic("collab: NewOp: the texts of an op must add up to at most 2 GiB")
	}
	text := last // a lone text is the op's text: nothing to copy
	if texts > 1 {
		var b strings.Builder
		b.Grow(size)
		for _, c := range cs {
			b.WriteString(c.s)
		}
		text = b.String()
	}
	parts := make([]part, len(cs))
	off := 0 // where c's text starts in text (all texts before a lone one are empty)
	for i, c := range cs {
		parts[i] = part{n: c.partCount(), off: uint32(off), end: uint32(off + len(c.s))}
		off += len(c.s)
	}
	return Op{parts: parts, text: text}
}

// partCount returns the count of c's part in an Op.
func (c Component) partCount() int32 {
	if c.kind() == kindInsert {
		return int32(countRunes(c.s))
	}
	return int32(c.n)
}

// Len returns the number of components of op.
func (op Op) Len() int {
	return len(op.parts)
}

// At returns component i of op, for 0 <= i < op.Len().
func (op Op) At(i int) Component {
	return op.component(i)
}

// component is At.
func (op *Op) component(i int) Component {
	p := op.parts[i]
	if p.kind() == kindInsert {
		return Component{s: op.text[p.off:p.end]}
	}
	return Component{n: int(p.n), s: op.text[p.off:p.end]}
}

// All returns an iterator over the index and value of each component of op.
func (op Op) All() iter.Seq2[int, Component] {
	return func(yield func(int, Component) bool) {
		for i := range op.parts {
			if !yield(i, op.component(i)) {
				return
			}
		}
	}
}

// Components returns the components of op in a new slice.
func (op Op) Components() []Component {
	cs := make([]Component, op.Len())
	for i := range cs {
		cs[i] = op.component(i)
	}
	return cs
}

// Equal reports whether op and other have the same components (equal
// counts and equal texts, wherever the texts are kept).
func (op Op) Equal(other Op) bool {
	if len(op.parts) != len(other.parts) {
		return false
	}
	for i := range op.parts {
		if op.component(i) != other.component(i) {
			return false
		}
	}
	return true
}

// textOf returns the text of part p of op.
//
// This and the other unexported methods of Op take a pointer: an Op is
// five words, more than the compiler keeps in registers, and calling a
// method on an Op value copies it through memory (inlined or not), which
// costs more than most of these methods do. The exported methods take
// values, as a small immutable type's should, and call these.
func (op *Op) textOf(p part) string {
	return op.text[p.off:p.end]
}

// MaxCount is the largest skip or delete count an Op may hold. Larger counts
// cannot describe a real pad and are rejected by ParseOp and Validate, which
// also keeps every length computation here far from integer overflow.
const MaxCount = 1<<31 - 1

// kind reports what p does.
func (p part) kind() kind {
	switch {
	case p.n >= 0 && p.off != p.end:
		return kindInsert
	case p.n > 0:
		return kindSkip
	case p.n == 0:
		return kindNone
	case p.n == invalidCount:
		return kindInvalid
	}
	return kindDelete
}

// BaseLen returns the number of code points op skips or deletes: the
// length of the shortest document op applies to. op must be valid.
func (op Op) BaseLen() int {
	return op.baseLen()
}

// baseLen is BaseLen.
func (op *Op) baseLen() int {
	n := 0
	for _, p := range op.parts {
		if p.off == p.end || p.n < 0 { // a skip or a delete
			n += int(max(p.n, -p.n))
		}
	}
	return n
}

// InsertLen returns the number of code points op inserts. op must be valid.
func (op Op) InsertLen() int {
	return op.insertLen()
}

// insertLen is InsertLen.
func (op *Op) insertLen() int {
	n := 0
	for _, p := range op.parts {
		if p.n >= 0 && p.off != p.end {
			n += int(p.n)
		}
	}
	return n
}

// DeleteLen returns the number of code points op deletes. op must be valid.
func (op Op) DeleteLen() int {
	return op.deleteLen()
}

// deleteLen is DeleteLen.
func (op *Op) deleteLen() int {
	n := 0
	for _, p := range op.parts {
		n += int(max(-p.n, 0))
	}
	return n
}
