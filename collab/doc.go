package collab

import (
	"fmt"
	"io"
	"strings"
)

// Doc is a live document: text that ops edit in place. It is a rope of
// small UTF-8 chunks indexed by code points, so applying an op costs
// O(c·log n + m) for an op of c components and m bytes of text, however
// large the document; a keystroke in a 1 MB pad moves a few hundred bytes.
// Create one with NewDoc; a Doc is not safe for concurrent use.
type Doc struct {
	r *rope
}

// NewDoc returns a document holding text. Invalid UTF-8 in text is replaced
// by U+FFFD, as each code point must be a whole character.
func NewDoc(text string) *Doc {
	return &Doc{r: newRope(strings.ToValidUTF8(text, "\uFFFD"), defaultShape)}
}

// Len returns the length of the document in Unicode code points.
func (d *Doc) Len() int { return d.r.chars }

// String returns the whole text of the document.
func (d *Doc) String() string { return d.r.text(0, d.r.chars) }

// Slice returns the text of code points [start, end). It fails if the range
// is not within 0 <= start <= end <= d.Len().
func (d *Doc) Slice(start, end int) (string, error) {
	if start < 0 || end < start || end > d.r.chars {
		return "", fmt.Errorf("collab: slice [%d, %d) of a document of %d code points is out of range", start, end, d.r.chars)
	}
	return d.r.text(start, end), nil
}

// WriteTo writes the whole text of the document to w, chunk by chunk, and
// returns the number of bytes written. It implements io.WriterTo.
func (d *Doc) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for chunk := range d.r.chunks(0, d.r.chars) {
		n, err := w.Write(chunk)
		total += int64(n)
		if err != nil {
			return total, fmt.Errorf("collab: write document: %w", err)
		}
	}
	return total, nil
}

// Apply applies op to the document in place, with the meaning of
// ot-text-unicode's apply: components run left to right over the document,
// a skip keeps code points, an insert adds its text, a delete removes
// its count of code points. Like the npm package it does not compare a
// delete's text with the text it removes.
//
// Apply checks the whole op before it changes anything: if op is not valid
// (see Op.Validate; the error wraps ErrInvalidOp) or a skip or delete runs
// past the end of the document (the error wraps ErrPastEnd; npm would throw
// for a skip and cut a delete short), it returns an error and leaves the
// document unchanged.
func (d *Doc) Apply(op Op) error { return d.apply(op, nil, "") }

// apply is Apply that also carries a (nil: none), the attribution of the
// document, through op by author, in the same walk over op's components.
func (d *Doc) apply(op Op, a *Attribution, author string) error {
	if err := op.validate(true); err != nil {
		return err
	}
	if n := op.baseLen(); n > d.r.chars {
		return fmt.Errorf("%w: the op spans %d code points, the document holds %d", ErrPastEnd, n, d.r.chars)
	}
	pos := 0
	for _, p := range op.parts {
		switch {
		case p.n < 0:
			d.r.delete(pos, -int(p.n))
			if a != nil {
				a.delete(pos, -int(p.n))
			}
		case p.off == p.end:
			pos += int(p.n)
		default:
			k := d.r.insert(pos, op.textOf(p))
			if a != nil {
				a.insert(pos, author, k)
			}
			pos += k
		}
	}
	return nil
}
