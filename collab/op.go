// Package collab is confpad's operational-transform core and per-pad engine.
//
// The operation format is exactly the JSON form of the npm package
// ot-text-unicode 4.0.0 (ottypes/text-unicode): an operation is an array of
// components, where a number N skips N characters, a string inserts itself,
// and {"d": N} or {"d": "text"} deletes. Positions and lengths count Unicode
// code points, never bytes or UTF-16 units. A trailing skip may be omitted.
// That npm package is the executable specification: every function here
// gives the same result as it on every input.
//
// The package does no I/O. Storage and fan-out reach the pad engine through
// the Log and Feed interfaces defined here.
package collab

import (
	"errors"
	"fmt"
	"iter"
	"math"
	"strings"
	"unicode/utf8"
)

// Component is one part of an Op: a skip, an insert or a delete. Make
// components with Skip, Insert, Delete and DeleteText, and read them with
// the methods of the same names. The zero Component is empty (it does
// nothing, which Validate rejects and Normalize drops).
//
// A Component is a value for building and reading ops; an Op stores its
// components in a more compact form (see Op).
type Component struct {
	// n > 0 skips n code points; n < 0 deletes -n code points, whose text
	// is s if s is not empty; n == 0 inserts s (nothing if s is empty);
	// n == invalidCount marks a component made from a bad count, s saying
	// what is wrong with it.
	n int
	s string
}

// invalidCount is the count of a component made from a count that no
// component may hold (negative or above MaxCount); such a component is
// rejected by Validate with the message its constructor stored. It is
// outside ±MaxCount and fits the 32-bit count of a part.
const invalidCount = math.MinInt32

// Skip returns a component that keeps n code points. n must be > 0 and at
// most MaxCount: Skip(0) is an empty component, and a larger or negative
// count makes a component that Validate rejects, saying why.
func Skip(n int) Component {
	if uint(n-1) < MaxCount {
		return Component{n: n}
	}
	return badCount("skip", n)
}

// Insert returns a component that inserts s, which must be valid UTF-8.
// Insert("") is an empty component.
func Insert(s string) Component {
	return Component{s: s}
}

// Delete returns a component that removes n code points without carrying
// their text (the {"d": N} form). Its limits are those of Skip.
func Delete(n int) Component {
	if uint(n-1) < MaxCount {
		return Component{n: -n}
	}
	return badCount("delete", n)
}

// DeleteText returns a component that removes the code points of s, which
// must be valid UTF-8, and carries them (the {"d": "text"} form, which
// makes the op invertible). DeleteText("") is an empty component.
func DeleteText(s string) Component {
	n := countRunes(s)
	if uint(n-1) < MaxCount {
		return Component{n: -n, s: s}
	}
	return badCount("delete", n)
}

// badCount returns the invalid component of the given kind ("skip" or
// "delete") with count n, or the empty component if n is zero.
func badCount(what string, n int) Component {
	if n == 0 {
		return Component{}
	}
	return Component{n: invalidCount, s: countError(what, n).Error()}
}

// countError says what is wrong with the count n of a skip or delete, or
// returns nil if it is valid.
func countError(what string, n int) error {
	switch {
	case n <= 0:
		return fmt.Errorf("%s %d must be > 0", what, n)
	case n > MaxCount:
		return fmt.Errorf("%s %d exceeds %d", what, n, MaxCount)
	}
	return nil
}

// Skip returns the number of code points c keeps, or 0 if c is not a skip.
func (c Component) Skip() int {
	return max(c.n, 0)
}

// Insert returns the text c inserts, or "" if c is not an insert.
func (c Component) Insert() string {
	if c.n != 0 {
		return ""
	}
	return c.s
}

// Delete returns the number of code points c removes, or 0 if c is not a
// (valid) delete.
func (c Component) Delete() int {
	if c.n >= 0 || c.n == invalidCount {
		return 0
	}
	return -c.n
}

// DeleteText returns the text c removes, or "" if c is not a delete or
// does not carry its text.
func (c Component) DeleteText() string {
	if c.n >= 0 || c.n == invalidCount {
		return ""
	}
	return c.s
}

// String returns the wire JSON of c (an invalid component shows why it is
// invalid), for logs and messages.
func (c Component) String() string {
	return string(c.appendJSON(nil))
}

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
// walk (see docs/PERFORMANCE.md).
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

// Errors returned (wrapped, with details) by this package's op functions;
// test for them with errors.Is.
var (
	// ErrInvalidOp: the op is malformed or not in canonical form.
	ErrInvalidOp = errors.New("collab: invalid op")
	// ErrOpTooLarge: the op inserts and deletes more code points than the
	// limit given to ParseOpLimit.
	ErrOpTooLarge = errors.New("collab: op too large")
	// ErrPastEnd: a skip or delete runs past the end of the document.
	ErrPastEnd = errors.New("collab: op runs past the end of the document")
	// ErrNotInvertible: a delete does not carry the text it removes.
	ErrNotInvertible = errors.New("collab: op is not invertible")
)

// kind is what a component does.
type kind uint8

const (
	kindNone kind = iota // the empty component: a no-op
	kindSkip
	kindInsert
	kindDelete
	kindInvalid // made from a bad count
)

// kind reports what c does.
func (c Component) kind() kind {
	switch {
	case c.n > 0:
		return kindSkip
	case c.n == 0:
		if c.s == "" {
			return kindNone
		}
		return kindInsert
	case c.n == invalidCount:
		return kindInvalid
	}
	return kindDelete
}

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

// Validate reports whether op is in the canonical form that ParseOp accepts
// and every function here requires: no component is empty or was made from
// a bad count (skips and deletes count from 1 to MaxCount); texts are valid
// UTF-8 (which excludes surrogates); no two skips are adjacent and the op
// does not end with a skip. The error wraps ErrInvalidOp and names the
// offending component.
func (op Op) Validate() error {
	return op.validate(true)
}

// validate is Validate; with encoding false it leaves out the UTF-8 checks,
// which makes it the npm package's checkOp (plus the rule about counts
// that JSON cannot break). Transform and Compose use that: their ops have
// normally come through ParseOp already, and they never split a text
// inside a code point, whatever the bytes.
//
// The loop is the fast path of the rules (it runs on every Transform and
// Compose); explain states the same rules one by one to say what is wrong.
// The loop has no branch that depends on a component: components of random
// kinds would make such branches mispredict, which cost more than the
// checks themselves.
func (op *Op) validate(encoding bool) error {
	bad, prevSkip := 0, 0
	for _, p := range op.parts {
		n, skip := int(p.n), b2i(p.off == p.end)
		// A skip or an insert has a count in range, and a skip does not
		// follow a skip; a delete's count is in range (which rules out
		// invalidCount). An insert's count is that of its text, 0 only
		// if the text is not UTF-8: explain then finds what is wrong.
		ok := b2i(uint(n-1) < MaxCount)&^(skip&prevSkip) |
			b2i(uint(-n-1) < MaxCount)
		bad |= ok ^ 1
		prevSkip = b2i(n > 0) & skip
	}
	if encoding {
		for _, p := range op.parts {
			bad |= b2i(!utf8.ValidString(op.textOf(p)))
		}
	}
	if bad|prevSkip == 0 {
		return nil
	}
	last := op.Len() - 1
	for i := range last {
		if err := explain(op, i, encoding); err != nil {
			return err
		}
	}
	return explain(op, last, encoding)
}

// b2i returns 1 for true and 0 for false, without a branch.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// explain returns the ErrInvalidOp error saying why component i of op
// breaks a rule of Validate, or nil if it breaks none.
func explain(op *Op, i int, encoding bool) error {
	c := op.component(i)
	var err error
	switch c.kind() {
	case kindNone:
		err = errors.New("empty component (a zero skip or delete, or an empty insert or delete text)")
	case kindInvalid:
		err = errors.New(c.s)
	case kindSkip:
		if i > 0 && op.parts[i-1].kind() == kindSkip {
			err = errors.New("adjacent skip components should be combined")
		} else if i == op.Len()-1 {
			err = errors.New("op has a trailing skip")
		} else {
			err = countError("skip", c.n)
		}
	case kindInsert:
		if encoding && !utf8.ValidString(c.s) {
			err = errors.New("insert is not valid UTF-8")
		}
	case kindDelete:
		if err = countError("delete", -c.n); err == nil && encoding && !utf8.ValidString(c.s) {
			err = errors.New("delete text is not valid UTF-8")
		}
	}
	if err == nil {
		return nil
	}
	return invalidf(i, "%s", err)
}

// invalidf builds an ErrInvalidOp error about component i.
func invalidf(i int, format string, args ...any) error {
	return fmt.Errorf("%w: component %d: %s", ErrInvalidOp, i, fmt.Sprintf(format, args...))
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

// Code points. Every text here is valid UTF-8 (Validate and ParseOp see to
// that), so a string's code points are its bytes that are not continuation
// bytes (10xxxxxx). Counting those eight bytes at a time is several times
// faster than decoding.

const (
	highBits = 0x8080808080808080
	lowBytes = 0x0101010101010101
)

// load64 reads s[0:8] as a little-endian word; the compiler turns it into
// one load.
func load64[S ~string | ~[]byte](s S) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// continuations returns the number of continuation bytes in the word w.
func continuations(w uint64) int {
	// A continuation byte has bit 7 set and bit 6 clear; shifting left by
	// one moves each byte's bit 6 onto its bit 7.
	c := w &^ (w << 1) & highBits
	return int((c >> 7) * lowBytes >> 56)
}

// load32 reads s[0:4] as a little-endian word.
func load32(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// countRunes returns the number of code points in the valid UTF-8 text s.
// Short texts, the usual case, take one or two overlapping loads.
func countRunes(s string) int {
	n := len(s)
	switch {
	case n >= 8:
		c, i := 0, 0
		for ; i+8 <= n; i += 8 {
			c += continuations(load64(s[i:]))
		}
		if i < n {
			// The last eight bytes, less those already counted.
			c += continuations(load64(s[n-8:]) >> (8 * (i + 8 - n)))
		}
		return n - c
	case n >= 4:
		// Bytes 0-3, and bytes 4 to n-1 from the top of the last four.
		w := uint64(load32(s)) | uint64(load32(s[n-4:])>>(8*(8-n)))<<32
		return n - continuations(w)
	}
	c := 0
	for i := range n {
		if s[i]&0xC0 == 0x80 {
			c++
		}
	}
	return n - c
}

// runeOffset returns the byte offset in the valid UTF-8 text s just after
// its first n code points, and false (with len(s)) if s has fewer than n.
// Ops read strings with it, the rope its []byte leaves.
func runeOffset[S ~string | ~[]byte](s S, n int) (int, bool) {
	i := 0
	// Whole words while the target lies beyond them.
	for i+8 <= len(s) {
		starts := 8 - continuations(load64(s[i:]))
		if starts >= n {
			break
		}
		n -= starts
		i += 8
	}
	for ; i < len(s); i++ {
		if s[i]&0xC0 != 0x80 {
			if n == 0 {
				return i, true
			}
			n--
		}
	}
	return len(s), n == 0
}
