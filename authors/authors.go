// Package authors describes who edited a pad: each author's public id
// (protocol.PublicID), latest name and colour, first and last edit and
// number of ops, as the stores keep them in a table per pad (Table).
package authors

import (
	"context"
	"time"
)

// Author is one author of a pad.
type Author struct {
	// ID is the public author id.
	ID string
	// Name and Color are the author's latest display name and colour
	// (empty while unknown).
	Name  string
	Color string
	// First and Last are the times of the author's first and last edit of
	// the pad; zero while they have made none.
	First time.Time
	Last  time.Time
	// Ops counts the author's ops in the pad.
	Ops int
}

// Merge returns a with b, a later note about the same author, folded in:
// b's name and colour where set, the earlier first and the later last
// edit (zero times count as none), and the sum of the ops.
func Merge(a, b Author) Author {
	if b.Name != "" {
		a.Name = b.Name
	}
	if b.Color != "" {
		a.Color = b.Color
	}
	if !b.First.IsZero() && (a.First.IsZero() || b.First.Before(a.First)) {
		a.First = b.First
	}
	if b.Last.After(a.Last) {
		a.Last = b.Last
	}
	a.Ops += b.Ops
	return a
}

// Table is where a store keeps the authors of its pads. Deleting a
// session deletes its pad's authors. Implementations pass the conformance
// suite store/storetest.TestAuthors.
type Table interface {
	// NoteAuthors merges each of authors into the pad's row of the same
	// ID (see Merge), adding the rows that do not exist yet, in one
	// atomic step. Times are kept to the millisecond.
	NoteAuthors(ctx context.Context, pad string, authors []Author) error
	// Authors returns the pad's authors sorted by ID (none for a pad
	// without).
	Authors(ctx context.Context, pad string) ([]Author, error)
}

// Millis returns t in Unix milliseconds, and 0 for the zero time (no edit
// yet): the form in which the stores keep First and Last.
func Millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// FromMillis reverses Millis, in UTC.
func FromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}
