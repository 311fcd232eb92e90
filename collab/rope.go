package collab

import (
	"iter"
	"slices"
	"unicode/utf8"
)

// The live document is a rope: a B+tree whose leaves are byte slices of
// UTF-8 text and whose branches count the code points under each child.
//
// Positions are Unicode code points because that is the unit of the
// ot-text-unicode operations the document receives: a branch stores, for
// each child, how many code points lie under it, so finding a position is a
// walk down one path. Text stays UTF-8 in the leaves (the form Go strings and
// the wire use), and a leaf converts a code point offset to a byte offset by
// scanning at most leafMax bytes, or not at all when the leaf is ASCII (its
// code point count equals its byte count).
//
// Invariants (checked by the tests' check method):
//   - every leaf is at the same depth, height levels of branches below the
//     root; the root is a branch;
//   - a leaf is valid UTF-8, at most leafMax bytes, with capacity leafMax,
//     so an insert that fits never reallocates; it holds at least leafMin
//     bytes unless it is the only leaf;
//   - a branch has at most fanMax children and, unless it is the root, at
//     least fanMin; a root above height 1 has at least two;
//   - chars[i] of a branch is the number of code points under child i.

// fanCap is the largest fanMax a ropeShape may use.
const fanCap = 16

// ropeShape sets the node sizes of a rope. Tests use tiny shapes so that
// every split, merge and redistribution runs on small inputs.
type ropeShape struct {
	// leafMax is the most bytes a leaf holds; at least 32, so that halves
	// of a split leaf, cut at rune boundaries, stay above leafMin.
	leafMax int
	// fanMax is the most children a branch holds, between 3 and fanCap.
	fanMax int
}

// defaultShape is the shape of every Doc outside tests. A leaf of 512 bytes
// keeps the memmove of a keystroke short; 16 children keep a 1 MB document
// three or four levels deep.
var defaultShape = ropeShape{leafMax: 512, fanMax: fanCap}

func (s ropeShape) leafMin() int { return s.leafMax / 4 }
func (s ropeShape) fanMin() int  { return (s.fanMax + 1) / 2 }

// node is a branch. At height 1 its children are the leaves; above, they are
// nodes one level down. The arrays have one spare slot so a child can be
// added before an overfull node is split.
type node struct {
	n      int
	chars  [fanCap + 1]int
	kids   [fanCap + 1]*node
	leaves [fanCap + 1][]byte
}

// rope is the text of a Doc. It is not safe for concurrent use.
type rope struct {
	root   *node
	height int // levels of branches; the root's children are leaves at 1
	chars  int // code points in the whole text
	shape  ropeShape
	// scratch holds the text of two leaves being split or rebalanced.
	scratch []byte
}

// newRope builds a rope holding text, which must be valid UTF-8, with
// leaves filled to about leafMax-8 bytes.
func newRope(text string, shape ropeShape) *rope {
	r := &rope{shape: shape, chars: utf8.RuneCountInString(text)}
	leaves, chars := r.cutLeaves(text)
	kids := make([]*node, 0, len(leaves)/shape.fanMax+1)
	for lo, hi := range evenGroups(len(leaves), shape.fanMax) {
		x := &node{n: hi - lo}
		copy(x.leaves[:], leaves[lo:hi])
		copy(x.chars[:], chars[lo:hi])
		kids = append(kids, x)
	}
	r.height = 1
	for len(kids) > 1 {
		up := make([]*node, 0, len(kids)/shape.fanMax+1)
		for lo, hi := range evenGroups(len(kids), shape.fanMax) {
			x := &node{n: hi - lo}
			for i, k := range kids[lo:hi] {
				x.kids[i], x.chars[i] = k, k.sum()
			}
			up = append(up, x)
		}
		kids = up
		r.height++
	}
	r.root = kids[0]
	return r
}

// cutLeaves splits text into leaves of nearly equal size, each cut at a
// rune boundary, and returns them with their code point counts.
func (r *rope) cutLeaves(text string) ([][]byte, []int) {
	target := r.shape.leafMax - 8
	count := max(1, (len(text)+target-1)/target)
	leaves := make([][]byte, 0, count)
	chars := make([]int, 0, count)
	start := 0
	for i := 1; i <= count; i++ {
		end := runeStartFrom(text, i*len(text)/count)
		leaf := make([]byte, end-start, r.shape.leafMax)
		copy(leaf, text[start:end])
		leaves = append(leaves, leaf)
		chars = append(chars, utf8.RuneCount(leaf))
		start = end
	}
	return leaves, chars
}

// evenGroups yields the bounds [lo, hi) of the fewest groups of at most most
// items that cover count items, sized within one of each other. With two or
// more groups each holds at least (most+1)/2.
func evenGroups(count, most int) iter.Seq2[int, int] {
	groups := (count + most - 1) / most
	return func(yield func(int, int) bool) {
		for g := range groups {
			if !yield(g*count/groups, (g+1)*count/groups) {
				return
			}
		}
	}
}

// runeStartFrom returns the first rune boundary of s at or after i.
func runeStartFrom[S ~string | ~[]byte](s S, i int) int {
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return i
}

// byteOffset returns the byte offset in leaf of its code point k; chars is
// the leaf's code point count.
func byteOffset(leaf []byte, chars, k int) int {
	if chars == len(leaf) {
		return k
	}
	return skipRunes(leaf, 0, k)
}

// skipRunes returns the byte offset k code points after byte offset i, a
// rune boundary of b (len(b) if b has fewer).
func skipRunes(b []byte, i, k int) int {
	off, _ := runeOffset(b[i:], k)
	return i + off
}

// sum returns the code points under x.
func (x *node) sum() int {
	total := 0
	for _, c := range x.chars[:x.n] {
		total += c
	}
	return total
}

// insertAt makes kid (or leaf) with chars code points child i of x.
func (x *node) insertAt(i int, kid *node, leaf []byte, chars int) {
	copy(x.kids[i+1:x.n+1], x.kids[i:x.n])
	copy(x.leaves[i+1:x.n+1], x.leaves[i:x.n])
	copy(x.chars[i+1:x.n+1], x.chars[i:x.n])
	x.kids[i], x.leaves[i], x.chars[i] = kid, leaf, chars
	x.n++
}

// removeRange drops children [i, j) of x.
func (x *node) removeRange(i, j int) {
	copy(x.kids[i:], x.kids[j:x.n])
	copy(x.leaves[i:], x.leaves[j:x.n])
	copy(x.chars[i:], x.chars[j:x.n])
	gone := j - i
	clear(x.kids[x.n-gone : x.n])
	clear(x.leaves[x.n-gone : x.n])
	x.n -= gone
}

// split moves the upper half of x's children to a new node and returns it.
func (x *node) split() *node {
	m := x.n / 2
	y := &node{n: x.n - m}
	copy(y.kids[:], x.kids[m:x.n])
	copy(y.leaves[:], x.leaves[m:x.n])
	copy(y.chars[:], x.chars[m:x.n])
	clear(x.kids[m:x.n])
	clear(x.leaves[m:x.n])
	x.n = m
	return y
}

// chunks yields the text of code points [start, end) as consecutive byte
// slices that alias the leaves: the caller must not keep or modify them.
// It requires 0 <= start <= end <= r.chars.
func (r *rope) chunks(start, end int) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		if start < end {
			chunksOf(r.root, r.height, start, end, yield)
		}
	}
}

// text returns code points [start, end) as a string, copying them once.
// It requires 0 <= start <= end <= r.chars.
func (r *rope) text(start, end int) string {
	return bytesString(r.appendText(nil, start, end))
}

// appendText appends the text of code points [start, end) to dst, growing
// it once.
func (r *rope) appendText(dst []byte, start, end int) []byte {
	size := 0
	for chunk := range r.chunks(start, end) {
		size += len(chunk)
	}
	dst = slices.Grow(dst, size)
	for chunk := range r.chunks(start, end) {
		dst = append(dst, chunk...)
	}
	return dst
}

// chunksOf yields the text of code points [start, end) under x, which is at
// height h, and reports whether the caller wants more.
func chunksOf(x *node, h, start, end int, yield func([]byte) bool) bool {
	for i := 0; i < x.n && end > 0; i++ {
		c := x.chars[i]
		if start < c {
			lo, hi := max(start, 0), min(end, c)
			if h > 1 {
				if !chunksOf(x.kids[i], h-1, lo, hi, yield) {
					return false
				}
			} else {
				leaf := x.leaves[i]
				b := byteOffset(leaf, c, lo)
				e := hi
				if c != len(leaf) {
					e = skipRunes(leaf, b, hi-lo)
				}
				if !yield(leaf[b:e]) {
					return false
				}
			}
		}
		start -= c
		end -= c
	}
	return true
}
