package collab

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Errors returned (wrapped, with details) by this package's op functions;
// test for them with errors.Is.
var (
	// ErrInvalidOp: the op is malformed or not in canonical form.
	ErrInvalidOp = errors.New("collab: invalid op")
	// ErrOpTooLarge: the op inserts and deletes more code points than the
	// limit given to ParseOpLimit.
	ErrOpTooLarge = errors.New("collab: op too large")
	// ErrPastEnd: a skip or delete runs past the end of the document.
	ErrPastEnd = errors.New("collab: op runs past the end of the document")
	// ErrNotInvertible: a delete does not carry the text it removes.
	ErrNotInvertible = errors.New("collab: op is not invertible")
)

// Validate reports whether op is in the canonical form that ParseOp accepts
// and every function here requires: no component is empty or was made from
// a bad count (skips and deletes count from 1 to MaxCount); texts are valid
// UTF-8 (which excludes surrogates); no two skips are adjacent and the op
// does not end with a skip. The error wraps ErrInvalidOp and names the
// offending component.
func (op Op) Validate() error {
	return op.validate(true)
}

// validate is Validate; with encoding false it leaves out the UTF-8 checks,
// which makes it the npm package's checkOp (plus the rule about counts
// that JSON cannot break). Transform and Compose use that: their ops have
// normally come through ParseOp already, and they never split a text
// inside a code point, whatever the bytes.
//
// The loop is the fast path of the rules (it runs on every Transform and
// Compose); explain states the same rules one by one to say what is wrong.
// The loop has no branch that depends on a component: components of random
// kinds would make such branches mispredict, which cost more than the
// checks themselves.
func (op *Op) validate(encoding bool) error {
	bad, prevSkip := 0, 0
	for _, p := range op.parts {
		n, skip := int(p.n), b2i(p.off == p.end)
		// A skip or an insert has a count in range, and a skip does not
		// follow a skip; a delete's count is in range (which rules out
		// invalidCount). An insert's count is that of its text, 0 only
		// if the text is not UTF-8: explain then finds what is wrong.
		ok := b2i(uint(n-1) < MaxCount)&^(skip&prevSkip) |
			b2i(uint(-n-1) < MaxCount)
		bad |= ok ^ 1
		prevSkip = b2i(n > 0) & skip
	}
	if encoding {
		for _, p := range op.parts {
			bad |= b2i(!utf8.ValidString(op.textOf(p)))
		}
	}
	if bad|prevSkip == 0 {
		return nil
	}
	last := op.Len() - 1
	for i := range last {
		if err := explain(op, i, encoding); err != nil {
			return err
		}
	}
	return explain(op, last, encoding)
}

// b2i returns 1 for true and 0 for false, without a branch.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// explain returns the ErrInvalidOp error saying why component i of op
// breaks a rule of Validate, or nil if it breaks none.
func explain(op *Op, i int, encoding bool) error {
	c := op.component(i)
	var err error
	switch c.kind() {
	case kindNone:
		err = errors.New("empty component (a zero skip or delete, or an empty insert or delete text)")
	case kindInvalid:
		err = errors.New(c.s)
	case kindSkip:
		if i > 0 && op.parts[i-1].kind() == kindSkip {
			err = errors.New("adjacent skip components should be combined")
		} else if i == op.Len()-1 {
			err = errors.New("op has a trailing skip")
		} else {
			err = countError("skip", c.n)
		}
	case kindInsert:
		if encoding && !utf8.ValidString(c.s) {
			err = errors.New("insert is not valid UTF-8")
		}
	case kindDelete:
		if err = countError("delete", -c.n); err == nil && encoding && !utf8.ValidString(c.s) {
			err = errors.New("delete text is not valid UTF-8")
		}
	}
	if err == nil {
		return nil
	}
	return invalidf(i, "%s", err)
}

// invalidf builds an ErrInvalidOp error about component i.
func invalidf(i int, format string, args ...any) error {
	return fmt.Errorf("%w: component %d: %s", ErrInvalidOp, i, fmt.Sprintf(format, args...))
}
