package collab

import (
	"fmt"
	"math"
)

// Component is one part of an Op: a skip, an insert or a delete. Make
// components with Skip, Insert, Delete and DeleteText, and read them with
// the methods of the same names. The zero Component is empty (it does
// nothing, which Validate rejects and Normalize drops).
//
// A Component is a value for building and reading ops; an Op stores its
// components in a more compact form (see Op).
type Component struct {
	// n > 0 skips n code points; n < 0 deletes -n code points, whose text
	// is s if s is not empty; n == 0 inserts s (nothing if s is empty);
	// n == invalidCount marks a component made from a bad count, s saying
	// what is wrong with it.
	n int
	s string
}

// invalidCount is the count of a component made from a count that no
// component may hold (negative or above MaxCount); such a component is
// rejected by Validate with the message its constructor stored. It is
// outside ±MaxCount and fits the 32-bit count of a part.
const invalidCount = math.MinInt32

// Skip returns a component that keeps n code points. n must be > 0 and at
// most MaxCount: Skip(0) is an empty component, and a larger or negative
// count makes a component that Validate rejects, saying why.
func Skip(n int) Component {
	if uint(n-1) < MaxCount {
		return Component{n: n}
	}
	return badCount("skip", n)
}

// Insert returns a component that inserts s, which must be valid UTF-8.
// Insert("") is an empty component.
func Insert(s string) Component {
	return Component{s: s}
}

// Delete returns a component that removes n code points without carrying
// their text (the {"d": N} form). Its limits are those of Skip.
func Delete(n int) Component {
	if uint(n-1) < MaxCount {
		return Component{n: -n}
	}
	return badCount("delete", n)
}

// DeleteText returns a component that removes the code points of s, which
// must be valid UTF-8, and carries them (the {"d": "text"} form, which
// makes the op invertible). DeleteText("") is an empty component.
func DeleteText(s string) Component {
	n := countRunes(s)
	if uint(n-1) < MaxCount {
		return Component{n: -n, s: s}
	}
	return badCount("delete", n)
}

// badCount returns the invalid component of the given kind ("skip" or
// "delete") with count n, or the empty component if n is zero.
func badCount(what string, n int) Component {
	if n == 0 {
		return Component{}
	}
	return Component{n: invalidCount, s: countError(what, n).Error()}
}

// countError says what is wrong with the count n of a skip or delete, or
// returns nil if it is valid.
func countError(what string, n int) error {
	switch {
	case n <= 0:
		return fmt.Errorf("%s %d must be > 0", what, n)
	case n > MaxCount:
		return fmt.Errorf("%s %d exceeds %d", what, n, MaxCount)
	}
	return nil
}

// Skip returns the number of code points c keeps, or 0 if c is not a skip.
func (c Component) Skip() int {
	return max(c.n, 0)
}

// Insert returns the text c inserts, or "" if c is not an insert.
func (c Component) Insert() string {
	if c.n != 0 {
		return ""
	}
	return c.s
}

// Delete returns the number of code points c removes, or 0 if c is not a
// (valid) delete.
func (c Component) Delete() int {
	if c.n >= 0 || c.n == invalidCount {
		return 0
	}
	return -c.n
}

// DeleteText returns the text c removes, or "" if c is not a delete or
// does not carry its text.
func (c Component) DeleteText() string {
	if c.n >= 0 || c.n == invalidCount {
		return ""
	}
	return c.s
}

// String returns the wire JSON of c (an invalid component shows why it is
// invalid), for logs and messages.
func (c Component) String() string {
	return string(c.appendJSON(nil))
}

// kind is what a component does.
type kind uint8

const (
	kindNone kind = iota // the empty component: a no-op
	kindSkip
	kindInsert
	kindDelete
	kindInvalid // made from a bad count
)

// kind reports what c does.
func (c Component) kind() kind {
	switch {
	case c.n > 0:
		return kindSkip
	case c.n == 0:
		if c.s == "" {
			return kindNone
		}
		return kindInsert
	case c.n == invalidCount:
		return kindInvalid
	}
	return kindDelete
}
