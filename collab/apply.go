package collab

import (
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"
	"unsafe"
)

// Apply returns doc with op applied, as the npm package's apply does:
// skips keep code points, inserts add their text, deletes remove code
// points. Like the npm package it does not compare a delete's text with the
// text it removes (a delete whose text differs from the document still
// deletes as many code points as its text holds).
//
// Apply fails, changing nothing, if op is invalid (ErrInvalidOp), if doc is
// not valid UTF-8, or if a skip or a delete runs past the end of doc
// (ErrPastEnd). The npm package also fails on a skip past the end but
// silently stops a delete at the end; confpad rejects both, since such an
// op was not made for this document.
//
// It runs in O(len(doc) + size of op) and allocates the result only.
func Apply(doc string, op Op) (string, error) {
	if !utf8.ValidString(doc) {
		return "", errors.New("collab: apply: document is not valid UTF-8")
	}
	return applyToValid(doc, op)
}

// applyToValid is Apply for a doc known to be valid UTF-8.
func applyToValid(doc string, op Op) (string, error) {
	b, err := appendApplied(nil, doc, op)
	return bytesString(b), err
}

// appendApplied appends doc with op applied to dst, growing it once, for
// a doc known to be valid UTF-8; it fails as Apply does, returning dst
// as it was.
func appendApplied(dst []byte, doc string, op Op) ([]byte, error) {
	if err := op.validate(true); err != nil {
		return dst, err
	}
	grow := len(doc)
	for _, p := range op.parts {
		if p.n >= 0 { // a skip adds 0 bytes, an insert its text
			grow += int(p.end - p.off)
		}
	}
	b := slices.Grow(dst, grow)
	pos := 0 // byte offset into doc
	at := 0  // the same in code points, for error messages
	for i := range op.parts {
		switch c := op.component(i); c.kind() {
		case kindSkip, kindDelete:
			n := max(c.n, -c.n)
			end, ok := runeOffset(doc[pos:], n)
			if !ok {
				return dst, fmt.Errorf("%w: component %d needs %d code points from position %d, the document has %d",
					ErrPastEnd, i, n, at, at+countRunes(doc[pos:]))
			}
			if c.n > 0 {
				b = append(b, doc[pos:pos+end]...)
			}
			pos += end
			at += n
		case kindInsert:
			b = append(b, c.s...)
		}
	}
	return append(b, doc[pos:]...), nil
}

// bytesString returns b as a string without copying it; b must never
// change afterwards.
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}
