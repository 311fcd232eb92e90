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
// breaks a rule of Validate (it does not re-check UTF-8, as Transform). It
// allocates the result and, only where pieces of text merge, their joined
// text.
func Compose(a, b Op) (Op, error) {
	if err := a.validate(false); err != nil {
		return nil, fmt.Errorf("compose first op: %w", err)
	}
	if err := b.validate(false); err != nil {
		return nil, fmt.Errorf("compose second op: %w", err)
	}
	return compose(a, b), nil
}

// compose is Compose on valid input: the npm algorithm, walking b and
// taking matching pieces of a (deletes of a are never split). Like
// transform, it builds the result on the stack and allocates it once.
func compose(a, b Op) Op {
	var buf [scratch]Component
	out := builder{op: buf[:0]}
	r := reader{op: a}
	for i := range b {
		c := &b[i]
		switch {
		case c.n > 0: // b skips
			n := c.n
			for n > 0 && r.more() {
				switch cur := r.cur(); {
				case cur.n > 0:
					k := r.takeSkip(n)
					out = out.skip(k)
					n -= k
				case cur.n == 0:
					s, k := r.takeInsert(n)
					out = out.insert(s)
					n -= k
				default:
					out = out.del(-cur.n, cur.s)
					r.next()
				}
			}
			out = out.skip(n)
		case c.n == 0: // b inserts
			out = out.insert(c.s)
		default: // b deletes
			n, text := -c.n, c.s // what is left of b's delete
			for n > 0 && r.more() {
				switch cur := r.cur(); {
				case cur.n > 0:
					// b deletes text that a kept.
					k := r.takeSkip(n)
					var piece string
					piece, text = cutText(text, k)
					out = out.del(k, piece)
					n -= k
				case cur.n == 0:
					// b deletes text that a inserted: neither remains.
					_, k := r.takeInsert(n)
					_, text = cutText(text, k)
					n -= k
				default:
					out = out.del(-cur.n, cur.s)
					r.next()
				}
			}
			out = out.del(n, text)
		}
	}
	res := r.rest(out).done()
	return append(make(Op, 0, len(res)), res...)
}

// cutText splits the first k code points off text, which may be empty (a
// delete without text).
func cutText(text string, k int) (string, string) {
	if text == "" {
		return "", ""
	}
	off, _ := runeOffset(text, k)
	return text[:off], text[off:]
}
