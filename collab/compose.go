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
// is taken to skip the rest). It fails, wrapping ErrInvalidOp, if a or b is
// invalid. It allocates the result and, only where two deletes with text
// merge, their joined text.
func Compose(a, b Op) (Op, error) {
	if err := a.Validate(); err != nil {
		return nil, fmt.Errorf("compose first op: %w", err)
	}
	if err := b.Validate(); err != nil {
		return nil, fmt.Errorf("compose second op: %w", err)
	}
	return compose(a, b), nil
}

// compose is Compose on valid input: the npm algorithm, walking b and
// taking matching pieces of a (deletes of a are never split).
func compose(a, b Op) Op {
	out := make(Op, 0, len(a)+len(b))
	r := newReader(a)
	for _, c := range b {
		switch c.kind() {
		case kindSkip:
			for n := c.Skip; n > 0; {
				chunk, size := r.take(n, kindDelete)
				out = push(out, chunk)
				if chunk.kind() != kindDelete {
					n -= size
				}
			}
		case kindInsert:
			out = push(out, c)
		case kindDelete:
			text := c.DeleteText // what is left of it, if it has text
			for n := c.Delete; n > 0; {
				chunk, size := r.take(n, kindDelete)
				switch chunk.kind() {
				case kindSkip:
					// b deletes text that a kept.
					piece := Component{Delete: size}
					if text != "" {
						off, _ := runeOffset(text, size)
						piece.DeleteText, text = text[:off], text[off:]
					}
					out = push(out, piece)
					n -= size
				case kindInsert:
					// b deletes text that a inserted: neither remains.
					if text != "" {
						off, _ := runeOffset(text, size)
						text = text[off:]
					}
					n -= size
				default:
					out = push(out, chunk)
				}
			}
		}
	}
	for {
		chunk, _, ok := r.rest()
		if !ok {
			break
		}
		out = push(out, chunk)
	}
	return trim(out)
}
