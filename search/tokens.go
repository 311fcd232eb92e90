package search

import (
	"unicode"
	"unicode/utf8"
)

// isTokenRune reports whether r is part of a token: a letter, a digit or
// a private-use character, as in FTS5's unicode61 tokenizer.
func isTokenRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Co, r)
}

// foldRune returns r's lower case if that has the same UTF-8 length (so
// that folding keeps byte offsets), else r.
func foldRune(r rune) rune {
	l := unicode.ToLower(r)
	if utf8.RuneLen(l) != utf8.RuneLen(r) {
		return r
	}
	return l
}

// Fold returns s in lower case with every byte offset kept: a rune whose
// lower case is longer or shorter in UTF-8 is left as it is, and invalid
// UTF-8 is kept byte for byte. Matching is done on folded text; an Index
// keeps each pad's folded text beside it for MakeSnippet.
func Fold(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, c)
		} else {
			b = utf8.AppendRune(b, foldRune(r))
		}
		i += n
	}
	return string(b)
}

// span is a token's byte range in a text.
type span struct{ start, end int }

// eachToken calls fn with the byte range of every token of s, in order,
// until fn returns false.
func eachToken(s string, fn func(span) bool) {
	start := -1
	for i, r := range s {
		if isTokenRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			if !fn(span{start, i}) {
				return
			}
			start = -1
		}
	}
	if start >= 0 {
		fn(span{start, len(s)})
	}
}

// tokens returns the folded tokens of s.
func tokens(s string) []string {
	f := Fold(s)
	var out []string
	eachToken(f, func(sp span) bool {
		out = append(out, f[sp.start:sp.end])
		return true
	})
	return out
}

// tokenBefore reports whether the rune that ends at byte i of s is a
// token rune (false at the start).
func tokenBefore(s string, i int) bool {
	if i == 0 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return isTokenRune(r)
}

// tokenAt reports whether the rune that starts at byte i of s is a token
// rune (false at the end).
func tokenAt(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return isTokenRune(r)
}
