package collab

import "strings"

// Normalize returns op in canonical form, as the npm package's normalize
// does: empty components are dropped, neighbours of the same kind are
// merged (two deletes keep their text only if both carry it) and a
// trailing skip is removed. Normalize does not check counts or UTF-8;
// Validate does (a component made from a bad count is kept as it is, for
// Validate to reject; a count merged beyond MaxCount becomes such a
// component).
func Normalize(op Op) Op {
	var buf [scratch]part
	b := builder{parts: buf[:0]}
	for _, p := range op.parts {
		b = b.push(p)
	}
	return b.done(op.text)
}

// builder builds an op the way the npm package's makeAppend does:
// components that do nothing are dropped, and one of the same kind as the
// last is merged into it (a merged delete keeps its text only if both parts
// carry text).
//
// Texts are given as byte offsets in one text, src, that the caller passes
// to done at the end, and the op built shares it. Two cases need more: two
// texts to merge that are not neighbours in src, and two counts whose sum
// is beyond MaxCount. The builder then appends a second part of the same
// kind and marks the op split, and done joins the parts (into an op with a
// text of its own).
//
// The builder is passed by value, each method returning the updated
// builder, so that it stays in registers and the parts it builds can live
// on the stack. src is not kept in the builder: with it, escape analysis
// would move the parts to the heap.
type builder struct {
	parts []part
	last  kind // kind of the last part, kindNone if there is none
	split bool // some neighbouring parts are of the same kind
}

// push appends p by its kind.
func (b builder) push(p part) builder {
	switch p.kind() {
	case kindSkip:
		return b.skip(int(p.n))
	case kindInsert:
		return b.insert(int(p.n), int(p.off), int(p.end))
	case kindDelete:
		return b.del(-int(p.n), int(p.off), int(p.end))
	case kindInvalid:
		b.parts = append(b.parts, p)
		b.last = kindInvalid
	}
	return b
}

// skip appends a skip of n, at most MaxCount.
func (b builder) skip(n int) builder {
	switch {
	case n == 0:
	case b.last == kindSkip && int(b.parts[len(b.parts)-1].n)+n <= MaxCount:
		b.parts[len(b.parts)-1].n += int32(n)
	default:
		b.split = b.split || b.last == kindSkip
		b.parts = append(b.parts, part{n: int32(n)})
		b.last = kindSkip
	}
	return b
}

// insert appends an insert of the text [off, end), of n code points (at
// most MaxCount).
func (b builder) insert(n, off, end int) builder {
	switch {
	case off == end:
	case b.last == kindInsert && int(b.parts[len(b.parts)-1].end) == off &&
		int(b.parts[len(b.parts)-1].n)+n <= MaxCount:
		b.parts[len(b.parts)-1].n += int32(n)
		b.parts[len(b.parts)-1].end = uint32(end)
	default:
		b.split = b.split || b.last == kindInsert
		b.parts = append(b.parts, part{n: int32(n), off: uint32(off), end: uint32(end)})
		b.last = kindInsert
	}
	return b
}

// del appends a delete of n code points (at most MaxCount), whose text is
// [off, end) if known (off == end if not).
func (b builder) del(n, off, end int) builder {
	if n == 0 {
		return b
	}
	if b.last == kindDelete {
		last := &b.parts[len(b.parts)-1]
		fits := int(last.n)-n >= -MaxCount
		switch {
		case fits && (last.off == last.end || off == end):
			// The merged delete has no text: nor does its last part.
			last.n -= int32(n)
			last.off, last.end = 0, 0
			return b
		case fits && int(last.end) == off:
			last.n -= int32(n)
			last.end = uint32(end)
			return b
		}
		b.split = true
	}
	b.parts = append(b.parts, part{n: int32(-n), off: uint32(off), end: uint32(end)})
	b.last = kindDelete
	return b
}

// done returns the op built, less a trailing skip, with src as its text.
// The op gets a text of its own instead if the builder split a component,
// or if it would use less than half of src and leave more than keepUnused
// bytes of it unused: an op must not hold on to much text it dropped, or
// ops composed from ops would grow without end.
func (b builder) done(src string) Op {
	ps := b.parts
	if b.last == kindSkip {
		for len(ps) > 0 && ps[len(ps)-1].kind() == kindSkip {
			ps = ps[:len(ps)-1] // a trailing skip, split or not
		}
	}
	used := 0
	for _, p := range ps {
		used += int(p.end - p.off)
	}
	if b.split || (len(src)-used > keepUnused && 2*used < len(src)) {
		return joinParts(ps, src, used)
	}
	return Op{parts: append(make([]part, 0, len(ps)), ps...), text: src}
}

// keepUnused is how many bytes of its source text an op built by a builder
// may leave unused without getting a text of its own.
const keepUnused = 256

// joinParts returns the op of ps, whose texts (size bytes in all) are in
// src, with a text of its own, in which neighbouring parts of the same kind
// are one component (a delete with text only if every part has text) and a
// count beyond MaxCount makes an invalid component.
func joinParts(ps []part, src string, size int) Op {
	var text strings.Builder
	text.Grow(size)
	parts := make([]part, 0, len(ps))
	for i := 0; i < len(ps); {
		k := ps[i].kind()
		j, n, texts := i+1, int(ps[i].n), true
		for ; j < len(ps) && k != kindInvalid && ps[j].kind() == k; j++ {
			n += int(ps[j].n)
		}
		for _, p := range ps[i:j] {
			texts = texts && p.off != p.end
		}
		off := text.Len()
		switch {
		case k != kindInvalid && (n > MaxCount || n < -MaxCount):
			what := [...]string{kindSkip: "skip", kindInsert: "insert", kindDelete: "delete"}[k]
			c := badCount(what, max(n, -n))
			n = c.n
			text.WriteString(c.s)
		case texts:
			for _, p := range ps[i:j] {
				text.WriteString(src[p.off:p.end])
			}
		}
		parts = append(parts, part{n: int32(n), off: uint32(off), end: uint32(text.Len())})
		i = j
	}
	return Op{parts: parts, text: text.String()}
}
