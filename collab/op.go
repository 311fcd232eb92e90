// Package collab is confpad's operational-transform core and per-pad engine.
//
// The operation format is exactly the JSON form of the npm package
// ot-text-unicode 4.0.0 (ottypes/text-unicode): an operation is an array of
// components, where a number N skips N characters, a string inserts itself,
// and {"d": N} or {"d": "text"} deletes. Positions and lengths count Unicode
// code points, never bytes or UTF-16 units. A trailing skip may be omitted.
// That npm package is the executable specification: every function here
// gives the same result as it on every input.
//
// The package does no I/O. Storage and fan-out reach the pad engine through
// the Log and Feed interfaces defined here.
package collab

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Component is one part of an Op. Exactly one of Skip, Insert and Delete is
// set (non-zero) in a valid component.
type Component struct {
	// Skip > 0 keeps this many code points.
	Skip int
	// Insert, when non-empty, inserts this text.
	Insert string
	// Delete > 0 removes this many code points.
	Delete int
	// DeleteText, when non-empty, is the text removed by Delete (the
	// {"d": "text"} form, which makes the op invertible). Delete then equals
	// its length in code points.
	DeleteText string
}

// Op is an operation: a normalised list of components (neighbours of the
// same kind merged, no empty components, no trailing skip).
//
// Like the npm package's checkOp, Validate and ParseOp insist on the parts of
// that form that change an op's meaning (no empty components, no adjacent
// skips, no trailing skip) but accept adjacent inserts or adjacent deletes,
// which Transform and Compose then treat exactly as the npm package does.
// Every Op returned by this package's functions is fully normalised.
type Op []Component

// MaxCount is the largest skip or delete count an Op may hold. Larger counts
// cannot describe a real pad and are rejected by ParseOp and Validate, which
// also keeps every length computation here far from integer overflow.
const MaxCount = 1<<31 - 1

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

// kind is what a component does.
type kind uint8

const (
	kindNone kind = iota // no field set: a no-op
	kindSkip
	kindInsert
	kindDelete
)

// kind reports what c does, reading its fields in the order Skip, Insert,
// Delete/DeleteText; fields after the first set one are not looked at.
func (c Component) kind() kind {
	switch {
	case c.Skip != 0:
		return kindSkip
	case c.Insert != "":
		return kindInsert
	case c.Delete != 0 || c.DeleteText != "":
		return kindDelete
	}
	return kindNone
}

// Validate reports whether op is in the canonical form that ParseOp accepts
// and every function here requires: each component sets exactly one of
// Skip (> 0), Insert (non-empty) and Delete (> 0), with DeleteText, if set,
// exactly Delete code points long; counts are at most MaxCount; texts are
// valid UTF-8 (which excludes surrogates); no two skips are adjacent and the
// op does not end with a skip. The error wraps ErrInvalidOp and names the
// offending component.
func (op Op) Validate() error {
	return op.validate(true)
}

// validate is Validate; with encoding false it leaves out the UTF-8 checks,
// which makes it the npm package's checkOp (plus the rules about fields and
// counts that JSON cannot break). Transform and Compose use that: their ops
// have normally come through ParseOp already, and they never split a text
// inside a code point, whatever the bytes.
//
// The loop is the fast path of the rules (it runs on every Transform);
// explain states the same rules one by one to say what is wrong.
func (op Op) validate(encoding bool) error {
	prevSkip := false
	for i := range op {
		c := &op[i]
		var ok bool
		if c.Skip != 0 {
			ok = uint(c.Skip-1) < MaxCount && !prevSkip && len(c.Insert)|c.Delete|len(c.DeleteText) == 0
			prevSkip = true
		} else {
			prevSkip = false
			if c.Insert != "" {
				ok = c.Delete|len(c.DeleteText) == 0 && (!encoding || utf8.ValidString(c.Insert))
			} else {
				ok = uint(c.Delete-1) < MaxCount && (c.DeleteText == "" ||
					(!encoding || utf8.ValidString(c.DeleteText)) && countRunes(c.DeleteText) == c.Delete)
			}
		}
		if !ok {
			if err := explain(op, i, encoding); err != nil {
				return err
			}
		}
	}
	if prevSkip {
		return explain(op, len(op)-1, encoding)
	}
	return nil
}

// explain returns the ErrInvalidOp error saying why component i of op
// breaks a rule of Validate, or nil if it breaks none.
func explain(op Op, i int, encoding bool) error {
	c := &op[i]
	k := c.kind()
	var err error
	switch k {
	case kindNone:
		err = errors.New("empty component (no skip, insert or delete)")
	case kindSkip:
		if c.Insert != "" || c.Delete != 0 || c.DeleteText != "" {
			err = errSeveral
		} else if i > 0 && op[i-1].Skip != 0 {
			err = errors.New("adjacent skip components should be combined")
		} else if i == len(op)-1 {
			err = errors.New("op has a trailing skip")
		}
	case kindInsert:
		if c.Delete != 0 || c.DeleteText != "" {
			err = errSeveral
		}
	}
	if err == nil {
		err = checkComponent(k, c, encoding)
	}
	if err == nil {
		return nil
	}
	return invalidf(i, "%s", err)
}

var errSeveral = errors.New("component sets more than one of skip, insert and delete")

// checkComponent applies the rules of Validate about one component to c,
// read as a component of kind k (kindSkip, kindInsert or kindDelete); with
// encoding it also checks that texts are valid UTF-8. ParseOp shares it.
func checkComponent(k kind, c *Component, encoding bool) error {
	switch k {
	case kindSkip:
		if c.Skip <= 0 {
			return fmt.Errorf("skip %d must be > 0", c.Skip)
		}
		if c.Skip > MaxCount {
			return fmt.Errorf("skip %d exceeds %d", c.Skip, MaxCount)
		}
	case kindInsert:
		if c.Insert == "" {
			return errors.New("insert must not be empty")
		}
		if encoding && !utf8.ValidString(c.Insert) {
			return errors.New("insert is not valid UTF-8")
		}
	case kindDelete:
		if c.Delete <= 0 && c.DeleteText == "" {
			return fmt.Errorf("delete %d must be > 0", c.Delete)
		}
		if c.Delete > MaxCount {
			return fmt.Errorf("delete %d exceeds %d", c.Delete, MaxCount)
		}
		if c.DeleteText != "" {
			if encoding && !utf8.ValidString(c.DeleteText) {
				return errors.New("delete text is not valid UTF-8")
			}
			if n := countRunes(c.DeleteText); n != c.Delete {
				return fmt.Errorf("delete count %d does not match its text (%d code points)", c.Delete, n)
			}
		}
	}
	return nil
}

// invalidf builds an ErrInvalidOp error about component i.
func invalidf(i int, format string, args ...any) error {
	return fmt.Errorf("%w: component %d: %s", ErrInvalidOp, i, fmt.Sprintf(format, args...))
}

// BaseLen returns the number of code points op skips or deletes: the
// length of the shortest document op applies to. op must be valid.
func (op Op) BaseLen() int {
	n := 0
	for _, c := range op {
		n += c.Skip + c.Delete
	}
	return n
}

// InsertLen returns the number of code points op inserts. op must be valid.
func (op Op) InsertLen() int {
	n := 0
	for _, c := range op {
		n += countRunes(c.Insert)
	}
	return n
}

// DeleteLen returns the number of code points op deletes. op must be valid.
func (op Op) DeleteLen() int {
	n := 0
	for _, c := range op {
		n += c.Delete
	}
	return n
}

// Normalize returns op in canonical form, as the npm package's normalize
// does: components that do nothing (zero counts, empty texts) are dropped,
// neighbours of the same kind are merged (two deletes keep their text only
// if both carry it) and a trailing skip is removed. Delete is recomputed
// from DeleteText where that is set. A component that sets several fields is
// read by the first one set, in the order Skip, Insert, Delete. Normalize
// does not check counts or UTF-8; Validate does.
func Normalize(op Op) Op {
	b := builder{op: make(Op, 0, len(op))}
	for _, c := range op {
		if c.kind() == kindDelete && c.DeleteText != "" {
			c.Delete = countRunes(c.DeleteText)
		}
		b = b.push(c)
	}
	return b.done()
}

// builder builds an op the way the npm package's makeAppend does:
// components that do nothing are dropped, and one of the same kind as the
// last is merged into it (a merged delete keeps its text only if both parts
// carry text). It is passed by value, each method returning the updated
// builder, so that it stays in registers and the op it builds can live on
// the stack.
type builder struct {
	op   Op
	last kind // kind of the last component of op, kindNone if op is empty
}

// push appends c, read by its kind.
func (b builder) push(c Component) builder {
	switch c.kind() {
	case kindSkip:
		return b.skip(c.Skip)
	case kindInsert:
		return b.insert(c.Insert)
	case kindDelete:
		return b.del(c.Delete, c.DeleteText)
	}
	return b
}

// skip appends a skip of n.
func (b builder) skip(n int) builder {
	switch {
	case n == 0:
	case b.last == kindSkip:
		b.op[len(b.op)-1].Skip += n
	default:
		b.op = append(b.op, Component{Skip: n})
		b.last = kindSkip
	}
	return b
}

// insert appends an insert of s.
func (b builder) insert(s string) builder {
	switch {
	case s == "":
	case b.last == kindInsert:
		b.op[len(b.op)-1].Insert += s
	default:
		b.op = append(b.op, Component{Insert: s})
		b.last = kindInsert
	}
	return b
}

// del appends a delete of n code points, whose text is text if known.
func (b builder) del(n int, text string) builder {
	switch {
	case n == 0 && text == "":
	case b.last == kindDelete:
		last := &b.op[len(b.op)-1]
		if last.DeleteText == "" || text == "" {
			text = ""
		} else {
			text = last.DeleteText + text
		}
		last.Delete += n
		last.DeleteText = text
	default:
		b.op = append(b.op, Component{Delete: n, DeleteText: text})
		b.last = kindDelete
	}
	return b
}

// done returns the op built, less a trailing skip.
func (b builder) done() Op {
	if b.last == kindSkip {
		return b.op[:len(b.op)-1]
	}
	return b.op
}

// Code points. Every text here is valid UTF-8 (Validate and ParseOp see to
// that), so a string's code points are its bytes that are not continuation
// bytes (10xxxxxx). Counting those eight bytes at a time is several times
// faster than decoding.

const (
	highBits = 0x8080808080808080
	lowBytes = 0x0101010101010101
)

// load64 reads s[0:8] as a little-endian word; the compiler turns it into
// one load.
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// continuations returns the number of continuation bytes in the word w.
func continuations(w uint64) int {
	// A continuation byte has bit 7 set and bit 6 clear; shifting left by
	// one moves each byte's bit 6 onto its bit 7.
	c := w &^ (w << 1) & highBits
	return int((c >> 7) * lowBytes >> 56)
}

// load32 reads s[0:4] as a little-endian word.
func load32(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// countRunes returns the number of code points in the valid UTF-8 text s.
// Short texts, the usual case, take one or two overlapping loads.
func countRunes(s string) int {
	n := len(s)
	switch {
	case n >= 8:
		c, i := 0, 0
		for ; i+8 <= n; i += 8 {
			c += continuations(load64(s[i:]))
		}
		if i < n {
			// The last eight bytes, less those already counted.
			c += continuations(load64(s[n-8:]) >> (8 * (i + 8 - n)))
		}
		return n - c
	case n >= 4:
		// Bytes 0-3, and bytes 4 to n-1 from the top of the last four.
		w := uint64(load32(s)) | uint64(load32(s[n-4:])>>(8*(8-n)))<<32
		return n - continuations(w)
	}
	c := 0
	for i := range n {
		if s[i]&0xC0 == 0x80 {
			c++
		}
	}
	return n - c
}

// runeOffset returns the byte offset in the valid UTF-8 text s just after
// its first n code points, and false (with len(s)) if s has fewer than n.
func runeOffset(s string, n int) (int, bool) {
	i := 0
	// Whole words while the target lies beyond them.
	for i+8 <= len(s) {
		starts := 8 - continuations(load64(s[i:]))
		if starts >= n {
			break
		}
		n -= starts
		i += 8
	}
	for ; i < len(s); i++ {
		if s[i]&0xC0 != 0x80 {
			if n == 0 {
				return i, true
			}
			n--
		}
	}
	return len(s), n == 0
}
