package collab

import "unicode/utf8"

// insert inserts s, which must be valid UTF-8, at code point pos (0 <= pos
// <= r.chars) and returns the number of code points inserted. Text longer
// than half a leaf goes in piece by piece, each piece one walk down the
// tree, so an insert costs O(log n) per half leaf of text.
func (r *rope) insert(pos int, s string) int {
	total := 0
	for len(s) > 0 {
		piece := s
		if half := r.shape.leafMax / 2; len(piece) > half {
			cut := half
			for !utf8.RuneStart(s[cut]) {
				cut--
			}
			piece = s[:cut]
		}
		n := utf8.RuneCountInString(piece)
		r.insertPiece(pos, piece, n)
		pos += n
		total += n
		s = s[len(piece):]
	}
	return total
}

// insertPiece inserts s of n code points, at most half a leaf, at pos.
func (r *rope) insertPiece(pos int, s string, n int) {
	r.chars += n
	sib := r.insertIn(r.root, r.height, pos, s, n)
	if sib == nil {
		return
	}
	root := &node{n: 2}
	root.kids[0], root.chars[0] = r.root, r.root.sum()
	root.kids[1], root.chars[1] = sib, sib.sum()
	r.root = root
	r.height++
}

// insertIn inserts s of n code points at code point off under x, a branch
// at height h. If x overflows it splits, and the new right sibling is
// returned for the caller to link in; otherwise it returns nil.
func (r *rope) insertIn(x *node, h, off int, s string, n int) *node {
	// Prefer the end of a child to the start of the next: typing appends.
	i := 0
	for i < x.n-1 && off > x.chars[i] {
		off -= x.chars[i]
		i++
	}
	if h > 1 {
		x.chars[i] += n
		sib := r.insertIn(x.kids[i], h-1, off, s, n)
		if sib == nil {
			return nil
		}
		c := sib.sum()
		x.chars[i] -= c
		x.insertAt(i+1, sib, nil, c)
	} else {
		leaf, chars := x.leaves[i], x.chars[i]
		b := byteOffset(leaf, chars, off)
		x.chars[i] += n
		if len(leaf)+len(s) <= r.shape.leafMax {
			leaf = leaf[:len(leaf)+len(s)]
			copy(leaf[b+len(s):], leaf[b:])
			copy(leaf[b:], s)
			x.leaves[i] = leaf
			return nil
		}
		r.scratch = append(append(append(r.scratch[:0], leaf[:b]...), s...), leaf[b:]...)
		left, right, rightChars := r.rebalance(leaf, nil, chars+n)
		x.leaves[i] = left
		x.chars[i] -= rightChars
		x.insertAt(i+1, nil, right, rightChars)
	}
	if x.n > r.shape.fanMax {
		return x.split()
	}
	return nil
}

// rebalance divides r.scratch, which holds chars code points, between two
// leaves at the rune boundary nearest its middle. It reuses the buffers of
// left and right, allocating right if it is nil, and returns both with the
// code point count of the right one. Both halves fit a leaf when
// len(r.scratch) <= 1.5*leafMax, and hold at least leafMin bytes when
// len(r.scratch) > leafMax.
func (r *rope) rebalance(left, right []byte, chars int) ([]byte, []byte, int) {
	text := r.scratch
	mid := runeStartFrom(text, len(text)/2)
	if right == nil {
		right = make([]byte, 0, r.shape.leafMax)
	}
	left = append(left[:0], text[:mid]...)
	right = append(right[:0], text[mid:]...)
	leftChars := mid
	if chars != len(text) {
		leftChars = utf8.RuneCount(left)
	}
	return left, right, chars - leftChars
}
