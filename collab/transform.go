package collab

import (
	"fmt"
	"strconv"
)

// Side breaks the tie when two ops insert at the same position: the op
// transformed with Left keeps its insert first (before the other op's), the
// one transformed with Right puts it after. The two ops of a concurrent pair
// are always transformed with opposite sides. In confpad the server
// transforms an incoming op against history with Left (see ARCHITECTURE.md).
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
// It allocates only the result.
func Transform(op, other Op, side Side) (Op, error) {
	if side != Left && side != Right {
		return nil, fmt.Errorf("collab: transform: side %v must be Left or Right", side)
	}
	if err := op.validate(false); err != nil {
		return nil, fmt.Errorf("transform op: %w", err)
	}
	if err := other.validate(false); err != nil {
		return nil, fmt.Errorf("transform against other: %w", err)
	}
	return transform(op, other, side), nil
}

// scratch is how many components the result of Transform and Compose can
// have before it leaves the stack while it is built.
const scratch = 12

// transform is Transform on valid input. It builds the result on the stack
// and allocates it once, at its final size: allocation is most of the cost
// of transforming small ops.
func transform(op, other Op, side Side) Op {
	var buf [scratch]Component
	out := transformTo(buf[:0], op, other, side)
	return append(make(Op, 0, len(out)), out...)
}

// transformTo appends Transform(op, other, side) to out: the npm
// algorithm, walking other and taking matching pieces of op (inserts of op
// are never split).
func transformTo(out, op, other Op, side Side) Op {
	r := newReader(op)
	for i := range other {
		c2 := &other[i]
		switch {
		case c2.Skip != 0:
			n := c2.Skip
			for n > 0 && r.more() {
				c := &r.cur
				switch {
				case c.Skip != 0:
					k := min(c.Skip, n)
					out = appendSkip(out, k)
					n -= k
					r.skip(k)
				case c.Insert != "":
					out = appendInsert(out, c.Insert)
					r.next()
				default:
					k, text := r.cutDelete(n)
					out = appendDelete(out, k, text)
					n -= k
				}
			}
			out = appendSkip(out, n)
		case c2.Insert != "":
			if side == Left && r.more() && r.cur.Insert != "" {
				out = appendInsert(out, r.cur.Insert)
				r.next()
			}
			out = appendSkip(out, countRunes(c2.Insert))
		default:
			// other deletes: skips of op there go, and so do its deletes
			// (already done); its inserts stay.
			for n := c2.Delete; n > 0 && r.more(); {
				c := &r.cur
				switch {
				case c.Skip != 0:
					k := min(c.Skip, n)
					n -= k
					r.skip(k)
				case c.Insert != "":
					out = appendInsert(out, c.Insert)
					r.next()
				default:
					k, _ := r.cutDelete(n)
					n -= k
				}
			}
		}
	}
	return trim(r.appendRest(out))
}

// reader walks an op, handing out whole components or pieces of them, as
// the npm package's makeTake does (Transform and Compose share it). Past
// the end the op skips forever.
type reader struct {
	op   Op
	i    int       // index of the current component
	cur  Component // what is left of op[i]
	insN int       // code points in cur.Insert; -1 if not counted yet
}

func newReader(op Op) reader {
	r := reader{op: op, i: -1}
	r.next()
	return r
}

// more reports whether components are left.
func (r *reader) more() bool {
	return r.i < len(r.op)
}

// next moves to the next component.
func (r *reader) next() {
	r.i++
	if r.i < len(r.op) {
		r.cur = r.op[r.i]
		r.insN = -1
	}
}

// skip consumes k code points of the current skip (k <= cur.Skip).
func (r *reader) skip(k int) {
	r.cur.Skip -= k
	if r.cur.Skip == 0 {
		r.next()
	}
}

// cutDelete consumes up to n > 0 code points of the current delete and
// returns their count and text (empty if the delete has none).
func (r *reader) cutDelete(n int) (int, string) {
	c := &r.cur
	if c.Delete <= n {
		k, text := c.Delete, c.DeleteText
		r.next()
		return k, text
	}
	var text string
	if c.DeleteText != "" {
		off, _ := runeOffset(c.DeleteText, n)
		text, c.DeleteText = c.DeleteText[:off], c.DeleteText[off:]
	}
	c.Delete -= n
	return n, text
}

// cutInsert consumes up to n > 0 code points of the current insert and
// returns them and their count.
func (r *reader) cutInsert(n int) (string, int) {
	c := &r.cur
	if r.insN < 0 {
		r.insN = countRunes(c.Insert)
	}
	if r.insN <= n {
		s, k := c.Insert, r.insN
		r.next()
		return s, k
	}
	off, _ := runeOffset(c.Insert, n)
	s := c.Insert[:off]
	c.Insert = c.Insert[off:]
	r.insN -= n
	return s, n
}

// appendRest appends what is left of op to out.
func (r *reader) appendRest(out Op) Op {
	if !r.more() {
		return out
	}
	out = push(out, r.cur)
	for _, c := range r.op[r.i+1:] {
		if out[len(out)-1].kind() == c.kind() {
			out = push(out, c) // neighbouring inserts or deletes merge
		} else {
			out = append(out, c)
		}
	}
	r.i = len(r.op)
	return out
}
