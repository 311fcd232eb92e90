package collab

import "fmt"

// Compose returns one op with the effect of a followed by b, where b was
// made for the document a produces: the npm package's compose(a, b), with
// the same result down to the JSON. For every document d that a applies to
// (and that b then applies to):
//
//	Apply(d, Compose(a, b)) == Apply(Apply(d, a), b)
//
// Text that a inserts and b deletes disappears from the result; a delete
// keeps its text where both parts it merges carry text. Like the npm
// package, Compose does not check that b fits the output of a (a shorter a
// is taken to skip the rest). It fails, wrapping ErrInvalidOp, if a or b
// breaks a rule of Validate (it does not re-check UTF-8, as Transform), and
// with ErrOpTooLarge if the texts of a and b hold more than MaxCount bytes.
// It allocates the result's components and, when both ops have text, the
// result's text (the two texts joined, or only what the result keeps of
// them if that is much less).
func Compose(a, b Op) (Op, error) {
	if err := a.validate(false); err != nil {
		return Op{}, fmt.Errorf("compose first op: %w", err)
	}
	if err := b.validate(false); err != nil {
		return Op{}, fmt.Errorf("compose second op: %w", err)
	}
	return composeValid(a, b)
}

// composeValid is Compose for ops known to be valid (checked, or results
// of composeValid).
func composeValid(a, b Op) (Op, error) {
	if n := len(a.text) + len(b.text); n > MaxCount {
		return Op{}, fmt.Errorf("%w: compose: the ops' texts hold %d bytes, more than %d", ErrOpTooLarge, n, MaxCount)
	}
	return compose(a, b), nil
}

// compose is Compose on valid input: the npm algorithm, walking b and
// taking matching pieces of a (deletes of a are never split). Like
// transform, it builds the result on the stack and allocates it once. The
// result's text is the texts of a and b joined, to which it refers.
func compose(a, b Op) Op {
	src := a.text + b.text
	shift := len(a.text) // b's texts are at this offset in src
	var buf [scratch]part
	out := builder{parts: buf[:0]}
	r := reader{op: &a}
	for _, c := range b.parts {
		switch {
		case c.n < 0: // b deletes
			// What is left of b's delete: n code points, text [off, end).
			n, off, end := -int(c.n), shift+int(c.off), shift+int(c.end)
			for n > 0 && r.more() {
				switch cur := r.cur(); {
				case cur.n < 0:
					out = out.del(-int(cur.n), int(cur.off), int(cur.end))
					r.next()
				case cur.off == cur.end:
					// b deletes text that a kept.
					k := r.takeSkip(n)
					cut := cutText(src, off, end, k)
					out = out.del(k, off, cut)
					off = cut
					n -= k
				default:
					// b deletes text that a inserted: neither remains.
					k, _, _ := r.takeInsert(n)
					off = cutText(src, off, end, k)
					n -= k
				}
			}
			out = out.del(n, off, end)
		case c.off == c.end: // b skips
			n := int(c.n)
			for n > 0 && r.more() {
				switch cur := r.cur(); {
				case cur.n < 0:
					out = out.del(-int(cur.n), int(cur.off), int(cur.end))
					r.next()
				case cur.off == cur.end:
					k := r.takeSkip(n)
					out = out.skip(k)
					n -= k
				default:
					k, off, end := r.takeInsert(n)
					out = out.insert(k, off, end)
					n -= k
				}
			}
			out = out.skip(n)
		default: // b inserts
			out = out.insert(int(c.n), shift+int(c.off), shift+int(c.end))
		}
	}
	return r.rest(out).done(src)
}

// cutText returns the offset in src just after the first k code points of
// the text [off, end), which may be empty (a delete without text).
func cutText(src string, off, end, k int) int {
	if off == end {
		return off
	}
	cut, _ := runeOffset(src[off:end], k)
	return off + cut
}
