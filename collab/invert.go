package collab

import "fmt"

// Invert returns the op that undoes op: applied after op, it restores the
// document op was applied to. It is the npm package's invert: inserts
// become deletes carrying their text, deletes become inserts of their text,
// skips stay. It fails with ErrNotInvertible if a delete does not carry its
// text ({"d": N}), and with ErrInvalidOp if op breaks a rule of Validate
// (UTF-8 is not re-checked, as in Transform).
func Invert(op Op) (Op, error) {
	if err := op.validate(false); err != nil {
		return Op{}, fmt.Errorf("invert: %w", err)
	}
	var buf [scratch]part
	b := builder{parts: buf[:0]}
	for i, c := range op.parts {
		n, off, end := int(c.n), int(c.off), int(c.end)
		switch c.kind() {
		case kindSkip:
			b = b.skip(n)
		case kindInsert:
			b = b.del(n, off, end)
		case kindDelete:
			if off == end {
				return Op{}, fmt.Errorf("%w: component %d deletes %d code points without their text", ErrNotInvertible, i, -n)
			}
			b = b.insert(-n, off, end)
		}
	}
	return b.done(op.text), nil
}
