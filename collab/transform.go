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
// Inserts of op survive (moved past text other inserted at the same place
// only on the Right side); deletes of op shrink by what other already
// deleted; op keeps the delete texts it carries. It fails, wrapping
// ErrInvalidOp, if either op is invalid or side is not Left or Right.
// It allocates only the result.
func Transform(op, other Op, side Side) (Op, error) {
	if side != Left && side != Right {
		return nil, fmt.Errorf("collab: transform: side %v must be Left or Right", side)
	}
	if err := op.Validate(); err != nil {
		return nil, fmt.Errorf("transform op: %w", err)
	}
	if err := other.Validate(); err != nil {
		return nil, fmt.Errorf("transform against other: %w", err)
	}
	return transform(op, other, side), nil
}

// transform is Transform on valid input: the npm algorithm, walking other
// and taking matching pieces of op (inserts of op are never split).
func transform(op, other Op, side Side) Op {
	out := make(Op, 0, len(op)+len(other))
	r := newReader(op)
	for _, c2 := range other {
		switch c2.kind() {
		case kindSkip:
			for n := c2.Skip; n > 0; {
				c1, size := r.take(n, kindInsert)
				out = push(out, c1)
				if c1.Insert == "" {
					n -= size
				}
			}
		case kindInsert:
			if side == Left && r.atInsert() {
				c1, _, _ := r.rest()
				out = push(out, c1)
			}
			out = push(out, Component{Skip: countRunes(c2.Insert)})
		case kindDelete:
			for n := c2.Delete; n > 0; {
				c1, size := r.take(n, kindInsert)
				if c1.Insert != "" {
					out = push(out, c1)
				} else {
					// A skip of op is deleted by other; a delete of op
					// is already done.
					n -= size
				}
			}
		}
	}
	for {
		c1, _, ok := r.rest()
		if !ok {
			break
		}
		out = push(out, c1)
	}
	return trim(out)
}

// reader walks an op, handing out whole components or pieces of them, as
// the npm package's makeTake does. Past the end the op skips forever.
type reader struct {
	op  Op
	i   int       // index of the current component
	cur Component // what is left of op[i]
	n   int       // code points in cur; -1 for an insert not yet counted
}

func newReader(op Op) reader {
	r := reader{op: op}
	r.load()
	return r
}

// load makes op[i] the current component.
func (r *reader) load() {
	if r.i < len(r.op) {
		r.cur = r.op[r.i]
		r.n = r.cur.Skip + r.cur.Delete
		if r.cur.Insert != "" {
			r.n = -1
		}
	}
}

// atInsert reports whether the current component is an insert.
func (r *reader) atInsert() bool {
	return r.i < len(r.op) && r.cur.Insert != ""
}

// take returns the next piece of op covering at most n > 0 code points,
// and its size in code points. Components of kind whole are returned
// entire even if longer than n; a returned insert taken entire has size
// -1 if it was not counted. Past the end it returns a skip of n.
func (r *reader) take(n int, whole kind) (Component, int) {
	if r.i == len(r.op) {
		return Component{Skip: n}, n
	}
	c := r.cur
	switch {
	case c.Skip != 0:
		if r.n > n {
			r.cur.Skip -= n
			r.n -= n
			return Component{Skip: n}, n
		}
	case c.Insert != "":
		if whole == kindInsert {
			break
		}
		if r.n < 0 {
			r.n = countRunes(c.Insert)
		}
		if r.n > n {
			off, _ := runeOffset(c.Insert, n)
			r.cur.Insert = c.Insert[off:]
			r.n -= n
			return Component{Insert: c.Insert[:off]}, n
		}
	default:
		if whole == kindDelete || r.n <= n {
			break
		}
		piece := Component{Delete: n}
		if c.DeleteText != "" {
			off, _ := runeOffset(c.DeleteText, n)
			piece.DeleteText = c.DeleteText[:off]
			r.cur.DeleteText = c.DeleteText[off:]
		}
		r.cur.Delete -= n
		r.n -= n
		return piece, n
	}
	size := r.n
	r.i++
	r.load()
	return c, size
}

// rest returns what is left of the current component and its size (-1 for
// an uncounted insert), or false at the end of op.
func (r *reader) rest() (Component, int, bool) {
	if r.i == len(r.op) {
		return Component{}, 0, false
	}
	c, size := r.cur, r.n
	r.i++
	r.load()
	return c, size, true
}
