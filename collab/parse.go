package collab

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// This file is the wire form of an Op, both ways: a small JSON reader that
// accepts exactly the ops the npm package's checkOp accepts (minus the
// shapes no sane client sends, see ParseOp) and a writer that produces the
// bytes JSON.stringify produces.

// ParseOp decodes the wire JSON of an op and validates it. It rejects, with
// an error wrapping ErrInvalidOp that says what is wrong and where: input
// that is not a JSON array; components that are not a number, a string or
// an object {"d": number or string} with no other key; skips and deletes
// that are zero, negative, not integers or above MaxCount; empty inserts and
// empty delete texts; adjacent skips and a trailing skip (exactly where the
// npm package's checkOp does; adjacent inserts or deletes are accepted, as
// there); texts that are not valid UTF-8 or hold a lone surrogate escape
// such as "\ud800". Numbers written with a fraction or exponent count if
// their value is an integer (1.0, 1e2), as in JavaScript. An op whose
// texts hold more than MaxCount bytes is rejected with ErrOpTooLarge.
// ParseOp never panics, runs in time linear in len(data), and neither
// changes data nor keeps it (the op holds copies of its texts).
func ParseOp(data []byte) (Op, error) {
	return ParseOpLimit(data, math.MaxInt)
}

// ParseOpLimit is ParseOp that also rejects, with an error wrapping
// ErrOpTooLarge, an op whose inserted plus deleted code points exceed maxLen.
// It stops reading as soon as the limit is passed.
func ParseOpLimit(data []byte, maxLen int) (Op, error) {
	p := parser{data: data}
	return p.op(maxLen)
}

// UnmarshalJSON sets *op to the op in data, validated as ParseOp does. A
// JSON null is rejected like any other non-array, so a message with
// "op": null never passes for an empty op.
func (op *Op) UnmarshalJSON(data []byte) error {
	parsed, err := ParseOp(data)
	if err != nil {
		return err
	}
	*op = parsed
	return nil
}

// MarshalJSON returns the wire JSON of op, byte for byte what the npm
// package's JSON.stringify gives for the same op: skips as integers, inserts
// as strings, deletes as {"d":N} or {"d":"text"}, no spaces, strings escaped
// as JSON.stringify escapes them. It fails, wrapping ErrInvalidOp, if op is
// not valid.
//
// Note that json.Marshal, unlike this method, re-escapes <, >, & and
// U+2028/U+2029 in the result (as \u003c and so on): the same JSON value,
// different bytes. Use a json.Encoder with SetEscapeHTML(false) where the
// exact bytes matter.
func (op Op) MarshalJSON() ([]byte, error) {
	return op.AppendJSON(make([]byte, 0, 2+op.Len()*8))
}

// AppendJSON appends the wire JSON of op to dst, as MarshalJSON gives it,
// for encoders that write an op inside a larger message without an
// intermediate buffer. On error dst is returned unchanged.
func (op Op) AppendJSON(dst []byte) ([]byte, error) {
	if err := op.validate(true); err != nil {
		return dst, fmt.Errorf("marshal op: %w", err)
	}
	return op.appendJSON(dst), nil
}

// String returns the wire JSON of op, for logs and messages. Unlike
// MarshalJSON it does not validate op.
func (op Op) String() string {
	return string(op.appendJSON(nil))
}

// appendJSON appends the wire JSON of op to dst.
func (op *Op) appendJSON(dst []byte) []byte {
	dst = append(dst, '[')
	for i := range op.parts {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = op.component(i).appendJSON(dst)
	}
	return append(dst, ']')
}

// appendJSON appends the wire JSON of c to dst; a component made from a
// bad count appears as a JSON string saying so (only String shows it).
func (c Component) appendJSON(dst []byte) []byte {
	switch c.kind() {
	case kindSkip:
		return strconv.AppendInt(dst, int64(c.n), 10)
	case kindDelete:
		dst = append(dst, `{"d":`...)
		if c.s != "" {
			dst = appendJSONString(dst, c.s)
		} else {
			dst = strconv.AppendInt(dst, int64(-c.n), 10)
		}
		return append(dst, '}')
	case kindInvalid:
		return appendJSONString(dst, "invalid: "+c.s)
	}
	return appendJSONString(dst, c.s)
}

// appendJSONString appends s as JSON.stringify writes it: ", \ and control
// characters escaped (the short forms where JSON has them, else \u00xx in
// lower-case hex), everything else as is.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b >= 0x20 && b != '"' && b != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch b {
		case '"', '\\':
			dst = append(dst, '\\', b)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// parser reads one op from data.
type parser struct {
	data []byte
	i    int
}

// op reads the whole input as an op whose inserts and deletes add up to at
// most maxLen code points.
func (p *parser) op(maxLen int) (Op, error) {
	p.space()
	if p.peek() != '[' {
		return Op{}, fmt.Errorf("%w: op must be a JSON array of components, not %s", ErrInvalidOp, p.describe())
	}
	p.i++
	var buf [scratch]Component
	ps := buf[:0]
	size, bytes := 0, 0
	p.space()
	if p.peek() == ']' {
		p.i++
	} else {
		for {
			c, err := p.component()
			if err != nil {
				return Op{}, invalidf(len(ps), "%s", err)
			}
			k := c.kind()
			switch k {
			case kindInsert:
				size += countRunes(c.s)
			case kindDelete:
				size += -c.n
			}
			if size > maxLen {
				return Op{}, fmt.Errorf("%w: more than %d code points inserted and deleted", ErrOpTooLarge, maxLen)
			}
			if bytes += len(c.s); bytes > MaxCount {
				return Op{}, fmt.Errorf("%w: its texts hold more than %d bytes", ErrOpTooLarge, MaxCount)
			}
			ps = append(ps, c)
			if k == kindSkip && len(ps) > 1 && ps[len(ps)-2].kind() == kindSkip {
				return Op{}, invalidf(len(ps)-1, "adjacent skip components should be combined")
			}
			p.space()
			if p.peek() == ']' {
				p.i++
				break
			}
			if p.peek() != ',' {
				return Op{}, invalidf(len(ps)-1, "%s", p.syntax("',' or ']' after component"))
			}
			p.i++
			p.space()
		}
	}
	if n := len(ps); n > 0 && ps[n-1].kind() == kindSkip {
		return Op{}, invalidf(n-1, "op has a trailing skip")
	}
	p.space()
	if p.i != len(p.data) {
		return Op{}, fmt.Errorf("%w: %w", ErrInvalidOp, p.syntax("end of input after the op"))
	}
	return NewOp(ps...), nil
}

// component reads one component, which it returns only if it is valid
// on its own (a skip or delete count from 1 to MaxCount, an insert or
// delete text that is not empty).
func (p *parser) component() (Component, error) {
	switch b := p.peek(); {
	case b == '-' || (b >= '0' && b <= '9'):
		n, err := p.count()
		if err == nil {
			err = countError("skip", n)
		}
		if err != nil {
			return Component{}, fmt.Errorf("skip: %w", err)
		}
		return Component{n: n}, nil
	case b == '"':
		s, err := p.str()
		if err != nil {
			return Component{}, fmt.Errorf("insert: %w", err)
		}
		if s == "" {
			return Component{}, errors.New("insert must not be empty")
		}
		return Component{s: s}, nil
	case b == '{':
		return p.del()
	}
	return Component{}, fmt.Errorf("unknown component %s: want a skip count, an insert string or a delete {\"d\": count or text}", p.describe())
}

// del reads a delete object {"d": count} or {"d": "text"}.
func (p *parser) del() (Component, error) {
	const shape = `a delete must be {"d": count} or {"d": "text"}`
	p.i++ // '{'
	p.space()
	if p.peek() != '"' {
		return Component{}, fmt.Errorf("unknown component: %s", shape)
	}
	key, err := p.str()
	if err != nil {
		return Component{}, fmt.Errorf("object key: %w", err)
	}
	if key != "d" {
		return Component{}, fmt.Errorf("unknown key %q: %s", key, shape)
	}
	p.space()
	if p.peek() != ':' {
		return Component{}, p.syntax("':' after key")
	}
	p.i++
	p.space()
	var c Component
	switch b := p.peek(); {
	case b == '-' || (b >= '0' && b <= '9'):
		n, err := p.count()
		if err == nil {
			err = countError("delete", n)
		}
		if err != nil {
			return Component{}, fmt.Errorf("delete: %w", err)
		}
		c.n = -n
	case b == '"':
		s, err := p.str()
		if err != nil {
			return Component{}, fmt.Errorf("delete text: %w", err)
		}
		if s == "" {
			return Component{}, errors.New("delete text must not be empty")
		}
		n := countRunes(s)
		if err := countError("delete", n); err != nil {
			return Component{}, fmt.Errorf("delete text: %w", err)
		}
		c = Component{n: -n, s: s}
	default:
		return Component{}, fmt.Errorf("delete value %s: %s", p.describe(), shape)
	}
	p.space()
	if p.peek() != '}' {
		return Component{}, fmt.Errorf("more than one key: %s", shape)
	}
	p.i++
	return c, nil
}

// count reads a JSON number that must be an integer no larger than
// MaxCount; it may be zero or negative (the caller rejects those with a
// clearer message).
func (p *parser) count() (int, error) {
	start := p.i
	if p.peek() == '-' {
		p.i++
	}
	digits := p.i
	if p.peek() == '0' {
		p.i++
		if b := p.peek(); b >= '0' && b <= '9' {
			return 0, p.syntax("no leading zero")
		}
	} else {
		for p.i < len(p.data) && p.data[p.i] >= '0' && p.data[p.i] <= '9' {
			p.i++
		}
		if p.i == digits {
			return 0, p.syntax("digit")
		}
	}
	plain := true
	if p.peek() == '.' {
		plain = false
		p.i++
		if !p.digits() {
			return 0, p.syntax("digit after '.'")
		}
	}
	if b := p.peek(); b == 'e' || b == 'E' {
		plain = false
		p.i++
		if b := p.peek(); b == '+' || b == '-' {
			p.i++
		}
		if !p.digits() {
			return 0, p.syntax("digit in exponent")
		}
	}
	text := p.data[start:p.i]
	if plain && len(text) <= 11 {
		n, err := strconv.Atoi(string(text))
		if err == nil && n <= MaxCount && n >= -MaxCount {
			return n, nil
		}
	}
	f, err := strconv.ParseFloat(string(text), 64)
	switch {
	case err != nil && !errors.Is(err, strconv.ErrRange):
		return 0, fmt.Errorf("bad number %s", text)
	case f != math.Trunc(f):
		return 0, fmt.Errorf("%s is not an integer", text)
	case f > MaxCount || f < -MaxCount:
		return 0, fmt.Errorf("%s exceeds %d", text, MaxCount)
	}
	return int(f), nil
}

// digits consumes one or more decimal digits and reports whether there was
// at least one.
func (p *parser) digits() bool {
	start := p.i
	for p.i < len(p.data) && p.data[p.i] >= '0' && p.data[p.i] <= '9' {
		p.i++
	}
	return p.i > start
}

// str reads a JSON string and returns its value, which must be valid UTF-8
// with no lone surrogate escapes.
func (p *parser) str() (string, error) {
	p.i++ // opening quote
	start := p.i
	// Fast path: no escapes.
	for p.i < len(p.data) {
		b := p.data[p.i]
		if b == '"' {
			raw := p.data[start:p.i]
			p.i++
			if !utf8.Valid(raw) {
				return "", p.badUTF8(start, raw)
			}
			return string(raw), nil
		}
		if b == '\\' || b < 0x20 {
			break
		}
		p.i++
	}
	buf := append(make([]byte, 0, p.i-start+16), p.data[start:p.i]...)
	for p.i < len(p.data) {
		b := p.data[p.i]
		switch {
		case b == '"':
			p.i++
			if !utf8.Valid(buf) {
				return "", fmt.Errorf("text is not valid UTF-8")
			}
			return string(buf), nil
		case b < 0x20:
			return "", p.syntax("no raw control character in a string")
		case b != '\\':
			buf = append(buf, b)
			p.i++
			continue
		}
		p.i++ // backslash
		var err error
		if buf, err = p.escape(buf); err != nil {
			return "", err
		}
	}
	return "", p.syntax("closing '\"'")
}

// escape decodes the escape after a backslash into buf.
func (p *parser) escape(buf []byte) ([]byte, error) {
	b := p.peek()
	p.i++
	switch b {
	case '"', '\\', '/':
		return append(buf, b), nil
	case 'b':
		return append(buf, '\b'), nil
	case 'f':
		return append(buf, '\f'), nil
	case 'n':
		return append(buf, '\n'), nil
	case 'r':
		return append(buf, '\r'), nil
	case 't':
		return append(buf, '\t'), nil
	case 'u':
	default:
		p.i--
		return nil, p.syntax("valid escape after '\\'")
	}
	r, ok := p.hex4()
	if !ok {
		return nil, p.syntax("four hex digits after \\u")
	}
	if utf16.IsSurrogate(r) {
		if r >= 0xDC00 || !p.next(`\u`) {
			return nil, fmt.Errorf("lone surrogate \\u%04x", r)
		}
		lo, ok := p.hex4()
		if !ok {
			return nil, p.syntax("four hex digits after \\u")
		}
		pair := utf16.DecodeRune(r, lo)
		if pair == utf8.RuneError {
			return nil, fmt.Errorf("lone surrogate \\u%04x", r)
		}
		r = pair
	}
	return utf8.AppendRune(buf, r), nil
}

// hex4 reads four hex digits.
func (p *parser) hex4() (rune, bool) {
	if len(p.data)-p.i < 4 {
		return 0, false
	}
	var r rune
	for _, b := range p.data[p.i : p.i+4] {
		var d byte
		switch {
		case b >= '0' && b <= '9':
			d = b - '0'
		case b >= 'a' && b <= 'f':
			d = b - 'a' + 10
		case b >= 'A' && b <= 'F':
			d = b - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	p.i += 4
	return r, true
}

// next consumes s if the input continues with it.
func (p *parser) next(s string) bool {
	if len(p.data)-p.i >= len(s) && string(p.data[p.i:p.i+len(s)]) == s {
		p.i += len(s)
		return true
	}
	return false
}

// peek returns the next byte, or 0 at the end of the input.
func (p *parser) peek() byte {
	if p.i < len(p.data) {
		return p.data[p.i]
	}
	return 0
}

// space skips JSON white space.
func (p *parser) space() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// describe names the JSON value starting at the current position, for
// error messages.
func (p *parser) describe() string {
	switch b := p.peek(); {
	case p.i == len(p.data):
		return "end of input"
	case b == '{':
		return "an object"
	case b == '[':
		return "an array"
	case b == '"':
		return "a string"
	case b == 't' || b == 'f':
		return "a boolean"
	case b == 'n':
		return "null"
	case b == '-' || (b >= '0' && b <= '9'):
		return "a number"
	default:
		return fmt.Sprintf("%q", b)
	}
}

// syntax reports malformed JSON at the current position.
func (p *parser) syntax(want string) error {
	if p.i >= len(p.data) {
		return fmt.Errorf("JSON syntax: want %s, got end of input", want)
	}
	return fmt.Errorf("JSON syntax at byte %d: want %s, got %q", p.i, want, p.data[p.i])
}

// badUTF8 reports where raw, a string's bytes starting at offset start,
// stops being valid UTF-8.
func (p *parser) badUTF8(start int, raw []byte) error {
	at := 0
	for at < len(raw) {
		r, size := utf8.DecodeRune(raw[at:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		at += size
	}
	return fmt.Errorf("text is not valid UTF-8 (byte %d)", start+at)
}
