package collab

import (
	"fmt"
	"strconv"
)

// Side breaks the tie when two ops insert at the same position: the op
// transformed with Left keeps its insert first (before the other op's), the
// one transformed with Right puts it after. The two ops of a concurrent pair
// are always transformed with opposite sides. In confpad the server
// transforms an incoming op against history with Left (docs/protocol.md,
// "op"; docs/architecture.md, step 4).
type Side int8

// The two sides, as the npm package's 'left' and 'right'. The zero Side is
// neither and is rejected.
const (
	Left Side = iota + 1
	Right
)

// String returns "left" or "right", the npm package's names.
func (s Side) String() string {
	switch s {
	case Left:
		return "left"
	case Right:
		return "right"
	}
	return "Side(" + strconv.Itoa(int(s)) + ")"
}

// Transform returns op rewritten to apply after other, where both ops were
// made for the same document: the npm package's transform(op, other, side),
// with the same result down to the JSON. Together with Transform(other, op,
// side') for the opposite side it satisfies convergence (TP1):
//
//	Apply(Apply(d, other), Transform(op, other, Left)) ==
//	Apply(Apply(d, op), Transform(other, op, Right))
//
// provided neither op holds two neighbouring inserts. Ops made by
// Normalize, Transform and Compose never do, but ParseOp accepts them (as
// the npm package's checkOp does), and with them the reference type itself
// diverges; so a server should Normalize the ops it receives.
//
// Inserts of op survive (moved past text other inserted at the same place
// only on the Right side); deletes of op shrink by what other already
// deleted; op keeps the delete texts it carries.
//
// It fails if side is not Left or Right, and (wrapping ErrInvalidOp) if
// either op breaks a rule of Validate; like the npm package's checkOp, it
// does not re-check that texts are valid UTF-8, which ParseOp guarantees.
// It allocates only the result's components, which share op's text (a
// result that merges texts that are not neighbours in op's text gets one
// of its own).
func Transform(op, other Op, side Side) (Op, error) {
	if side != Left && side != Right {
		return Op{}, fmt.Errorf("collab: transform: side %v must be Left or Right", side)
	}
	if err := op.validate(false); err != nil {
		return Op{}, fmt.Errorf("transform op: %w", err)
	}
	if err := other.validate(false); err != nil {
		return Op{}, fmt.Errorf("transform against other: %w", err)
	}
	return transform(op, other, side), nil
}

// scratch is how many components an op being built (by Transform, Compose,
// Invert, Normalize or ParseOp) can have before it leaves the stack.
const scratch = 12

// transform is Transform on valid input: the npm algorithm, walking other
// and taking matching pieces of op (inserts of op are never split). It
// builds the result on the stack and allocates it once, at its final size,
// sharing the text of op: allocation is most of the cost of transforming
// small ops.
func transform(op, other Op, side Side) Op {
	var buf [scratch]part
	b := builder{parts: buf[:0]}
	r := reader{op: &op}
	for _, c2 := range other.parts {
		switch {
		case c2.n < 0:
			// other deletes: skips of op there go, and so do its deletes
			// (already done); its inserts stay.
			for n := -int(c2.n); n > 0 && r.more(); {
				switch c := r.cur(); {
				case c.n < 0:
					k, _, _ := r.takeDelete(n)
					n -= k
				case c.off == c.end:
					n -= r.takeSkip(n)
				default:
					b = b.insert(int(c.n), int(c.off), int(c.end))
					r.next()
				}
			}
		case c2.off == c2.end: // other skips
			n := int(c2.n)
			for n > 0 && r.more() {
				switch c := r.cur(); {
				case c.n < 0:
					k, off, end := r.takeDelete(n)
					b = b.del(k, off, end)
					n -= k
				case c.off == c.end:
					k := r.takeSkip(n)
					b = b.skip(k)
					n -= k
				default:
					b = b.insert(int(c.n), int(c.off), int(c.end))
					r.next()
				}
			}
			b = b.skip(n)
		default: // other inserts
			if side == Left && r.more() {
				if c := r.cur(); c.n >= 0 && c.off != c.end {
					b = b.insert(int(c.n), int(c.off), int(c.end))
					r.next()
				}
			}
			b = b.skip(int(c2.n))
		}
	}
	return r.rest(b).done(op.text)
}

// reader walks an op, handing out whole components or pieces of them, as
// the npm package's makeTake does (Transform and Compose share it). Past
// the end the op skips forever. Texts are handed out as byte offsets in
// the op's text.
//
// The components of a valid op, which is all a reader reads, are told
// apart by their parts alone: n < 0 is a delete, otherwise a part with no
// text is a skip and one with text an insert.
type reader struct {
	op   *Op
	i    int // index of the current component
	used int // code points of the current component already handed out
	off  int // bytes of its text (inserted or deleted) already handed out
}

// more reports whether components are left.
func (r *reader) more() bool {
	return r.i < len(r.op.parts)
}

// cur returns the current component, of which pieces may have been handed
// out already.
func (r *reader) cur() part {
	return r.op.parts[r.i]
}

// next moves to the next component.
func (r *reader) next() {
	r.i++
	r.used, r.off = 0, 0
}

// takeSkip consumes up to n > 0 code points of the current skip and
// returns how many.
func (r *reader) takeSkip(n int) int {
	total := int(r.op.parts[r.i].n)
	k := min(total-r.used, n)
	if r.used += k; r.used == total {
		r.next()
	}
	return k
}

// takeDelete consumes up to n > 0 code points of the current delete and
// returns their count and text [off, end) (empty if the delete has none).
func (r *reader) takeDelete(n int) (k, off, end int) {
	c := r.cur()
	off, end = int(c.off)+r.off, int(c.end)
	if k = -int(c.n) - r.used; k <= n {
		r.next()
		return k, off, end
	}
	if off != end {
		cut, _ := runeOffset(r.op.text[off:end], n)
		end = off + cut
		r.off += cut
	}
	r.used += n
	return n, off, end
}

// takeInsert consumes up to n > 0 code points of the current insert and
// returns their count and text [off, end).
func (r *reader) takeInsert(n int) (k, off, end int) {
	c := r.cur()
	off, end = int(c.off)+r.off, int(c.end)
	if k = int(c.n) - r.used; k <= n {
		r.next()
		return k, off, end
	}
	cut, _ := runeOffset(r.op.text[off:end], n)
	r.off += cut
	r.used += n
	return n, off, off + cut
}

// rest appends what is left of the op to b, whose texts are the op's text.
func (r *reader) rest(b builder) builder {
	if !r.more() {
		return b
	}
	c := r.cur()
	if c.n < 0 {
		c.n += int32(r.used)
	} else {
		c.n -= int32(r.used)
	}
	c.off += uint32(r.off)
	b = b.push(c)
	for _, c := range r.op.parts[r.i+1:] {
		b = b.push(c) // neighbouring inserts or deletes merge
	}
	r.i = len(r.op.parts)
	return b
}
