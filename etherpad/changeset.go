package etherpad

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/confpad/confpad/collab"
)

// maxCount bounds every number in an attribute text or changeset, far
// above any pad's length.
const maxCount = 1 << 31

// csOp is one operation of an attribute text or changeset: keep ('='),
// remove ('-') or insert ('+') chars UTF-16 code units holding lines
// newlines, with the pool attributes attribs.
type csOp struct {
	code    byte
	attribs []string
	lines   int
	chars   int
}

// parseOps reads a sequence of operations such as "*0*1|2+5=3-1".
func parseOps(s string) ([]csOp, error) {
	var ops []csOp
	for s != "" {
		var op csOp
		for strings.HasPrefix(s, "*") {
			var n string
			n, s = cutNumber(s[1:])
			if n == "" {
				return nil, errors.New("an attribute reference without a number")
			}
			op.attribs = append(op.attribs, n)
		}
		if strings.HasPrefix(s, "|") {
			var n string
			n, s = cutNumber(s[1:])
			v, err := parseNumber(n)
			if err != nil {
				return nil, err
			}
			op.lines = v
		}
		if s == "" || !strings.ContainsRune("=+-", rune(s[0])) {
			return nil, fmt.Errorf("invalid operation at %q", truncate(s))
		}
		op.code = s[0]
		var n string
		n, s = cutNumber(s[1:])
		v, err := parseNumber(n)
		if err != nil {
			return nil, err
		}
		op.chars = v
		ops = append(ops, op)
	}
	return ops, nil
}

// cutNumber splits s after its leading base-36 digits.
func cutNumber(s string) (digits, rest string) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'z') {
		i++
	}
	return s[:i], s[i:]
}

// parseNumber reads a base-36 number of at most maxCount.
func parseNumber(s string) (int, error) {
	v, err := strconv.ParseUint(s, 36, 32)
	if err != nil || v > maxCount {
		return 0, fmt.Errorf("bad number %q", truncate(s))
	}
	return int(v), nil
}

// truncate shortens s for an error message.
func truncate(s string) string {
	if len(s) > 20 {
		return s[:20] + "..."
	}
	return s
}

// utf16Of returns s in UTF-16 code units, as Etherpad counts.
func utf16Of(s string) []uint16 { return utf16.Encode([]rune(s)) }

// utf16Decode returns the code points of units.
func utf16Decode(units []uint16) []rune { return utf16.Decode(units) }

// take checks that the next op.chars code units of units exist, hold
// op.lines newlines, end with a newline if they hold any, and do not end
// inside a surrogate pair; it returns them.
func take(units []uint16, op csOp, what string) ([]uint16, error) {
	if op.chars > len(units) {
		return nil, fmt.Errorf("%s of %d characters where %d are left", what, op.chars, len(units))
	}
	seg := units[:op.chars]
	lines := 0
	for _, u := range seg {
		if u == '\n' {
			lines++
		}
	}
	switch {
	case lines != op.lines:
		return nil, fmt.Errorf("%s of %d characters says it holds %d newlines, it holds %d", what, op.chars, op.lines, lines)
	case lines > 0 && seg[len(seg)-1] != '\n':
		return nil, fmt.Errorf("%s spans lines but does not end with a newline", what)
	case op.chars < len(units) && utf16.IsSurrogate(rune(units[op.chars])) && units[op.chars] >= 0xdc00:
		return nil, fmt.Errorf("%s ends inside a surrogate pair", what)
	}
	return seg, nil
}

// authorOfOp returns the author among op's attributes ("" if none), and
// fails if op refers to an attribute the pool lacks. References are base
// 36; the pool's keys are decimal.
func authorOfOp(op csOp, pool map[string][2]string) (string, error) {
	author := ""
	for _, n := range op.attribs {
		v, err := parseNumber(n)
		if err != nil {
			return "", err
		}
		a, ok := pool[strconv.Itoa(v)]
		if !ok {
			return "", fmt.Errorf("attribute *%s is not in the pool", n)
		}
		if a[0] == "author" {
			author = a[1]
		}
	}
	return author, nil
}

// attribution reads the attribute text attribs of text: inserts that
// cover text exactly, each naming its author through the pool.
func attribution(text, attribs string, pool map[string][2]string) ([]collab.Run, error) {
	ops, err := parseOps(attribs)
	if err != nil {
		return nil, err
	}
	units := utf16Of(text)
	var runs []collab.Run
	for _, op := range ops {
		if op.code != '+' {
			return nil, fmt.Errorf("an attribute text holds only inserts, not %q", op.code)
		}
		seg, err := take(units, op, "attributes")
		if err != nil {
			return nil, err
		}
		author, err := authorOfOp(op, pool)
		if err != nil {
			return nil, err
		}
		units = units[len(seg):]
		n := len(utf16Decode(seg))
		if k := len(runs); k > 0 && runs[k-1].Author == author {
			runs[k-1].Len += n
		} else if n > 0 {
			runs = append(runs, collab.Run{Author: author, Len: n})
		}
	}
	if len(units) > 0 {
		return nil, fmt.Errorf("the attributes cover the text but its last %d characters", len(units))
	}
	return runs, nil
}

// applyChangeset returns text (in UTF-16 code units) changed by the
// changeset cs ("Z:<old length><'>' or '<'><difference><ops>$<inserted
// characters>"), checking it as Etherpad does.
func applyChangeset(text []uint16, cs string, pool map[string][2]string) ([]uint16, error) {
	rest, ok := strings.CutPrefix(cs, "Z:")
	if !ok {
		return nil, fmt.Errorf("not a changeset: %q", truncate(cs))
	}
	oldDigits, rest := cutNumber(rest)
	oldLen, err := parseNumber(oldDigits)
	if err != nil || rest == "" || (rest[0] != '>' && rest[0] != '<') {
		return nil, fmt.Errorf("not a changeset header: %q", truncate(cs))
	}
	sign := rest[0]
	diffDigits, rest := cutNumber(rest[1:])
	diff, err := parseNumber(diffDigits)
	if err != nil {
		return nil, fmt.Errorf("not a changeset header: %q", truncate(cs))
	}
	newLen := oldLen + diff
	if sign == '<' {
		newLen = oldLen - diff
	}
	if oldLen != len(text) {
		return nil, fmt.Errorf("the changeset applies to %d characters, the text has %d", oldLen, len(text))
	}
	opsText, bankText, _ := strings.Cut(rest, "$")
	ops, err := parseOps(opsText)
	if err != nil {
		return nil, err
	}
	bank := utf16Of(bankText)
	out := make([]uint16, 0, min(max(newLen, 0), len(text)+len(bank)))
	for _, op := range ops {
		if _, err := authorOfOp(op, pool); err != nil {
			return nil, err
		}
		switch op.code {
		case '=', '-':
			seg, err := take(text, op, "a keep or remove")
			if err != nil {
				return nil, err
			}
			if op.code == '=' {
				out = append(out, seg...)
			}
			text = text[len(seg):]
		case '+':
			seg, err := take(bank, op, "an insert")
			if err != nil {
				return nil, err
			}
			out = append(out, seg...)
			bank = bank[len(seg):]
		}
	}
	out = append(out, text...)
	switch {
	case len(bank) > 0:
		return nil, fmt.Errorf("%d inserted characters are left over", len(bank))
	case len(out) != newLen:
		return nil, fmt.Errorf("the changeset says it gives %d characters, it gives %d", newLen, len(out))
	}
	return out, nil
}
