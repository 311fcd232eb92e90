package search

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of a query.
const (
	// MaxQueryBytes is the longest query accepted, in bytes.
	MaxQueryBytes = 1024
	// MaxTokens is the most tokens a query may hold, over all phrases.
	MaxTokens = 32
)

// ErrBadQuery is wrapped by every error of ParseQuery: the query is the
// client's to fix.
var ErrBadQuery = errors.New("bad search query")

// Phrase is tokens that must appear in this order, separated only by
// non-token characters.
type Phrase struct {
	// Tokens are folded to lower case; there is at least one.
	Tokens []string
	// Prefix makes the last token match any token that starts with it.
	Prefix bool
}

// Query is phrases that must all appear in a pad. Build one with
// ParseQuery; the zero Query matches nothing.
type Query struct {
	Phrases []Phrase
}

// ParseQuery parses what a user typed: words, "quoted phrases" and words
// ending in * (prefixes); any other character only separates words, so no
// input is a syntax error. It fails, with an error wrapping ErrBadQuery,
// on a query longer than MaxQueryBytes, one with no word at all, and one
// with more than MaxTokens tokens.
func ParseQuery(q string) (Query, error) {
	if len(q) > MaxQueryBytes {
		return Query{}, fmt.Errorf("%w: it is %d bytes long, the limit is %d", ErrBadQuery, len(q), MaxQueryBytes)
	}
	var query Query
	n := 0
	add := func(text string, prefix bool) {
		toks := tokens(text)
		if len(toks) == 0 {
			return
		}
		n += len(toks)
		query.Phrases = append(query.Phrases, Phrase{Tokens: toks, Prefix: prefix})
	}
	rest := q
	for rest != "" {
		rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
		if rest == "" {
			break
		}
		if rest[0] == '"' {
			body, after, _ := strings.Cut(rest[1:], `"`)
			add(body, false)
			rest = after
			continue
		}
		end := strings.IndexFunc(rest, func(r rune) bool { return unicode.IsSpace(r) || r == '"' })
		if end < 0 {
			end = len(rest)
		}
		word := rest[:end]
		rest = rest[end:]
		// word* is a prefix when the * follows a token of at least two
		// characters: a one-character prefix would match much of every
		// pad, so it is searched as a whole word.
		stem := strings.TrimRight(word, "*")
		toks := tokens(stem)
		prefix := len(stem) < len(word) && tokenBefore(stem, len(stem)) &&
			utf8.RuneCountInString(toks[len(toks)-1]) >= 2
		add(word, prefix)
	}
	switch {
	case len(query.Phrases) == 0:
		return Query{}, fmt.Errorf("%w: it has no word to search for (letters or digits)", ErrBadQuery)
	case n > MaxTokens:
		return Query{}, fmt.Errorf("%w: it has %d words, the limit is %d", ErrBadQuery, n, MaxTokens)
	}
	return query, nil
}

// FTS5 returns the query as an SQLite FTS5 MATCH expression: each phrase
// a quoted string (with " *" for a prefix), all joined with AND. Tokens
// hold only letters, digits and private-use characters, so nothing in a
// user's query can be read as FTS5 syntax.
func (q Query) FTS5() string {
	var b strings.Builder
	for i, p := range q.Phrases {
		if i > 0 {
			b.WriteString(" AND ")
		}
		b.WriteByte('"')
		b.WriteString(strings.Join(p.Tokens, " "))
		b.WriteByte('"')
		if p.Prefix {
			b.WriteString(" *")
		}
	}
	return b.String()
}
