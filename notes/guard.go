package notes

import (
	"strings"
)

// The guard bounds the work of rendering notes. goldmark takes time
// quadratic in some structures of its input (containers nested on one
// line, runs of link openers, nested brackets, long tables, ...), and
// anyone may type notes, so before parsing, the guard rewrites the text so
// that none of them can grow without bound, keeping every character
// visible:
//
//   - Container markers (list markers and ">") beyond MaxNesting on one
//     line are escaped with a backslash, so they show as text.
//   - A block (lines between blank lines, outside fenced code) with more
//     than MaxBlockMarkup characters that can open or close inline markup,
//     or longer than MaxBlockBytes, is shown as preformatted text: it is
//     wrapped in a code fence, taking the place of the blank lines around
//     it where it has them. The parse of such a block is linear.
//
// Both bounds are far above what notes written by people reach, so
// ordinary Markdown renders exactly as without the guard.
const (
	// MaxNesting is how many containers one line may open.
	MaxNesting = 16
	// MaxBlockMarkup is how many inline markup characters (see
	// isInlineMarkup) a block may hold before it is shown as preformatted.
	MaxBlockMarkup = 2048
	// MaxBlockBytes is how long a block may be before it is shown as
	// preformatted.
	MaxBlockBytes = 256 << 10
)

// guarded is the text the parser reads and, for each of its lines, the
// line of the pad text it shows (1-based): a fence the guard adds where
// there was no blank line takes the number of the line next to it.
type guarded struct {
	text  string
	lines []int
}

// guard rewrites src as described above.
func guard(src string) guarded {
	lines := strings.SplitAfter(src, "\n")
	var out guarded
	var b strings.Builder
	b.Grow(len(src) + len(src)/8)
	blank := -1 // the length of the last line written if it is a blank line of src
	emit := func(line string, from int) {
		b.WriteString(line)
		out.lines = append(out.lines, from)
		blank = -1
	}
	var fence string // the open top-level code fence, or ""
	for i := 0; i < len(lines); {
		line := lines[i]
		if fence != "" || isBlank(line) {
			if fence != "" && closesFence(line, fence) {
				fence = ""
			}
			emit(line, i+1)
			if fence == "" && isBlank(line) {
				blank = len(line)
			}
			i++
			continue
		}
		if f := opensFence(line); f != "" {
			fence = f
			emit(line, i+1)
			i++
			continue
		}
		// A block: lines i..j-1, up to a blank line or a fence.
		j, size, markup := i, 0, 0
		for j < len(lines) && !isBlank(lines[j]) && (j == i || opensFence(lines[j]) == "") {
			size += len(lines[j])
			markup += countInlineMarkup(lines[j])
			j++
		}
		if markup <= MaxBlockMarkup && size <= MaxBlockBytes {
			for k := i; k < j; k++ {
				emit(capNesting(lines[k]), k+1)
			}
			i = j
			continue
		}
		// Preformatted: the fences replace the blank lines around the
		// block where there are some, else they are added lines.
		f := strings.Repeat("`", max(3, longestRun(lines[i:j], '`')+1))
		if blank >= 0 {
			// Replace the blank line just written.
			s := b.String()
			b.Reset()
			b.WriteString(s[:len(s)-blank])
			out.lines = out.lines[:len(out.lines)-1]
			emit(f+"\n", i)
		} else {
			emit(f+"\n", i+1)
		}
		for k := i; k < j; k++ {
			l := lines[k]
			if !strings.HasSuffix(l, "\n") {
				l += "\n"
			}
			emit(l, k+1)
		}
		if j < len(lines) && isBlank(lines[j]) {
			emit(f+lineEnd(lines[j]), j+1)
			j++
		} else {
			emit(f+lineEnd(lines[j-1]), j)
		}
		i = j
	}
	out.text = b.String()
	return out
}

// lineEnd returns the line break that ends line, or "" for the last line.
func lineEnd(line string) string {
	if strings.HasSuffix(line, "\n") {
		return "\n"
	}
	return ""
}

// isBlank reports whether line holds only white space.
func isBlank(line string) bool {
	return strings.TrimLeft(line, " \t\r\n") == ""
}

// opensFence returns the fence a line opens at top level ("```" or "~~~"
// or longer), or "".
func opensFence(line string) string {
	s := strings.TrimLeft(line, " ")
	if len(line)-len(s) > 3 || len(s) < 3 || (s[0] != '`' && s[0] != '~') {
		return ""
	}
	n := 0
	for n < len(s) && s[n] == s[0] {
		n++
	}
	if n < 3 || (s[0] == '`' && strings.ContainsRune(s[n:], '`')) {
		return ""
	}
	return s[:n]
}

// closesFence reports whether line closes the code fence f.
func closesFence(line, f string) bool {
	s := strings.TrimLeft(line, " ")
	if len(line)-len(s) > 3 {
		return false
	}
	n := 0
	for n < len(s) && s[n] == f[0] {
		n++
	}
	return n >= len(f) && isBlank(s[n:])
}

// isInlineMarkup reports whether c can open or close inline markup, or a
// table cell: the characters whose runs make goldmark's inline parsing
// slow.
func isInlineMarkup(c byte) bool {
	switch c {
	case '[', ']', '(', ')', '<', '>', '!', '*', '_', '~', '`', '|', '\\', '"', '\'':
		return true
	}
	return false
}

// countInlineMarkup counts the inline markup characters of line.
func countInlineMarkup(line string) int {
	n := 0
	for i := 0; i < len(line); i++ {
		if isInlineMarkup(line[i]) {
			n++
		}
	}
	return n
}

// longestRun returns the length of the longest run of c in lines.
func longestRun(lines []string, c byte) int {
	best := 0
	for _, l := range lines {
		run := 0
		for i := 0; i < len(l); i++ {
			if l[i] != c {
				run = 0
				continue
			}
			run++
			best = max(best, run)
		}
	}
	return best
}

// capNesting escapes the container markers of line beyond MaxNesting, so
// that they show as text: "- - - ... a" nests MaxNesting lists and shows
// the rest of its dashes.
func capNesting(line string) string {
	var b strings.Builder
	breakFrom := thematicBreakFrom(line)
	depth, i, last := 0, 0, 0
	for {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i >= breakFrom && isThematicBreak(line[i:]) {
			break
		}
		m, width := containerMarker(line[i:])
		if width == 0 {
			break
		}
		depth++
		if depth > MaxNesting {
			b.WriteString(line[last : i+m])
			b.WriteByte('\\')
			last = i + m
		}
		i += width
	}
	if last == 0 {
		return line
	}
	b.WriteString(line[last:])
	return b.String()
}

// containerMarker reads the container marker that s starts with: a block
// quote's ">", or a list item's "-", "+", "*", "1." or "1)" followed by
// white space or the end of the line. It returns the offset in s of the
// character to escape and the marker's width, 0 if s starts with none.
func containerMarker(s string) (escape, width int) {
	if s == "" {
		return 0, 0
	}
	if s[0] == '>' {
		return 0, 1
	}
	n := 0
	if s[0] == '-' || s[0] == '+' || s[0] == '*' {
		n = 1
	} else {
		for n < len(s) && n < 9 && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		if n == 0 || n == len(s) || (s[n] != '.' && s[n] != ')') {
			return 0, 0
		}
		n++
	}
	if n < len(s) && s[n] != ' ' && s[n] != '\t' && s[n] != '\n' && s[n] != '\r' {
		return 0, 0
	}
	return n - 1, n
}

// thematicBreakFrom returns the offset in line after which it holds only
// one of "-", "*", "_" with white space: a thematic break can only start
// there. Finding it once keeps capNesting linear.
func thematicBreakFrom(line string) int {
	s := strings.TrimRight(line, " \t\r\n")
	if s == "" {
		return len(line)
	}
	c := s[len(s)-1]
	i := len(s)
	for i > 0 && (s[i-1] == c || s[i-1] == ' ' || s[i-1] == '\t') {
		i--
	}
	return i
}

// isThematicBreak reports whether s is a thematic break: three or more of
// one of "-", "*", "_", with only spaces and tabs between.
func isThematicBreak(s string) bool {
	s = strings.TrimRight(s, " \t\r\n")
	if len(s) < 3 || (s[0] != '-' && s[0] != '*' && s[0] != '_') {
		return false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case s[0]:
			n++
		case ' ', '\t':
		default:
			return false
		}
	}
	return n >= 3
}
