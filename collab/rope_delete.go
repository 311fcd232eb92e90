package collab

// delete removes n code points at pos (0 <= pos, n >= 0, pos+n <= r.chars).
//
// Each step walks down one path: it drops whole children that the range
// covers at the highest level where the range starts at a child's start,
// or else cuts the range's part of one leaf, and then repairs underfull
// nodes on the way back up. Steps repeat until n code points are gone; a
// range spanning many leaves takes O(log n) steps of O(log n) each, plus
// the cut leaves.
func (r *rope) delete(pos, n int) {
	for n > 0 {
		if pos == 0 && n == r.chars {
			r.root = &node{n: 1}
			r.root.leaves[0] = make([]byte, 0, r.shape.leafMax)
			r.height, r.chars = 1, 0
			return
		}
		k := r.deleteIn(r.root, r.height, pos, n)
		r.chars -= k
		n -= k
		for r.height > 1 && r.root.n == 1 {
			r.root = r.root.kids[0]
			r.height--
		}
	}
}

// deleteIn removes up to n code points at off under x, a branch at height h
// with off < its length, and returns how many it removed (at least one). x
// may be left underfull; its children are not.
func (r *rope) deleteIn(x *node, h, off, n int) int {
	i := 0
	for off >= x.chars[i] {
		off -= x.chars[i]
		i++
	}
	if off == 0 && n >= x.chars[i] {
		j, gone := i, 0
		for j < x.n && gone+x.chars[j] <= n {
			gone += x.chars[j]
			j++
		}
		x.removeRange(i, j)
		return gone
	}
	var k int
	if h > 1 {
		k = r.deleteIn(x.kids[i], h-1, off, n)
		x.chars[i] -= k
		r.fixKid(x, i)
	} else {
		leaf, chars := x.leaves[i], x.chars[i]
		k = min(n, chars-off)
		b := byteOffset(leaf, chars, off)
		e := b + k
		if chars != len(leaf) {
			e = skipRunes(leaf, b, k)
		}
		copy(leaf[b:], leaf[e:])
		x.leaves[i] = leaf[:len(leaf)-(e-b)]
		x.chars[i] -= k
		r.fixLeaf(x, i)
	}
	return k
}

// fixLeaf repairs leaf i of x, a branch at height 1, if it holds fewer than
// leafMin bytes: it merges the leaf with a neighbour or, when the two do not
// fit in one leaf, shares their text evenly.
func (r *rope) fixLeaf(x *node, i int) {
	if len(x.leaves[i]) >= r.shape.leafMin() || x.n < 2 {
		return
	}
	l := min(i, x.n-2)
	a, b := x.leaves[l], x.leaves[l+1]
	chars := x.chars[l] + x.chars[l+1]
	if len(a)+len(b) <= r.shape.leafMax {
		x.leaves[l] = append(a, b...)
		x.chars[l] = chars
		x.removeRange(l+1, l+2)
		return
	}
	r.scratch = append(append(r.scratch[:0], a...), b...)
	a, b, bChars := r.rebalance(a, b, chars)
	x.leaves[l], x.leaves[l+1] = a, b
	x.chars[l], x.chars[l+1] = chars-bChars, bChars
}

// fixKid repairs child i of x, a branch above height 1, if it has fewer
// than fanMin children: it merges the child with a neighbour or, when the
// two do not fit in one node, moves children across until both hold half.
func (r *rope) fixKid(x *node, i int) {
	if x.kids[i].n >= r.shape.fanMin() || x.n < 2 {
		return
	}
	l := min(i, x.n-2)
	a, b := x.kids[l], x.kids[l+1]
	if a.n+b.n <= r.shape.fanMax {
		copy(a.kids[a.n:], b.kids[:b.n])
		copy(a.leaves[a.n:], b.leaves[:b.n])
		copy(a.chars[a.n:], b.chars[:b.n])
		a.n += b.n
		x.chars[l] += x.chars[l+1]
		x.removeRange(l+1, l+2)
		return
	}
	half := (a.n + b.n) / 2
	for a.n < half {
		a.insertAt(a.n, b.kids[0], b.leaves[0], b.chars[0])
		x.chars[l] += b.chars[0]
		x.chars[l+1] -= b.chars[0]
		b.removeRange(0, 1)
	}
	for a.n > half {
		last := a.n - 1
		b.insertAt(0, a.kids[last], a.leaves[last], a.chars[last])
		x.chars[l] -= a.chars[last]
		x.chars[l+1] += a.chars[last]
		a.removeRange(last, a.n)
	}
}
