package search

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// snippetBytes is about how much of a long line a snippet shows, in
// bytes; snippetLead is how much of it comes before the first match.
const (
	snippetBytes = 240
	snippetLead  = 80
	// snippetCandidates is how many matches of each phrase of a query of
	// several are looked at to find a line that holds more of the query.
	snippetCandidates = 8
)

// Ellipsis marks where a snippet cuts its line.
const Ellipsis = "…"

// Range is a highlighted part of a snippet: the code points [Start, End)
// of its Text.
type Range struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Snippet is the line of a pad where a query matched, cut around the
// first match if the line is long, with every match in it highlighted.
// Text is plain text, never markup: whoever shows it escapes it.
type Snippet struct {
	// Line is the line's number in the pad's text, from 1.
	Line int `json:"line"`
	// Text is the line or a part of it, with Ellipsis where it was cut.
	Text string `json:"text"`
	// Highlights are the matches in Text, in order, not overlapping.
	Highlights []Range `json:"highlights"`
}

// Part is a piece of a snippet's text, highlighted or not, for rendering.
type Part struct {
	Text string
	Mark bool
}

// Parts splits the snippet's text at its highlights.
func (s Snippet) Parts() []Part {
	var parts []Part
	runes := []rune(s.Text)
	at := 0
	for _, h := range s.Highlights {
		if h.Start < at || h.End > len(runes) || h.Start >= h.End {
			continue // not from MakeSnippet; show the text plain
		}
		if h.Start > at {
			parts = append(parts, Part{Text: string(runes[at:h.Start])})
		}
		parts = append(parts, Part{Text: string(runes[h.Start:h.End]), Mark: true})
		at = h.End
	}
	if at < len(runes) {
		parts = append(parts, Part{Text: string(runes[at:])})
	}
	return parts
}

// MakeSnippet returns the snippet of text for q: the first line that
// holds the most of q's phrases (among the lines of each phrase's first
// few matches), with the matches of all of them on that line
// highlighted. folded is Fold(text), which an Index keeps rather than
// computing it for every hit. If nothing matches (the index matched what
// this package does not see, as can happen with rare scripts), it is the
// first line without highlights.
func MakeSnippet(text, folded string, q Query) Snippet {
	if len(folded) != len(text) {
		folded = Fold(text) // not text's: be right rather than fast
	}
	ls, le := bestLine(folded, q)
	line := strings.TrimSuffix(text[ls:le], "\r")
	lineFolded := folded[ls : ls+len(line)]
	var marks []span
	for _, p := range q.Phrases {
		for from := 0; ; {
			s, e, ok := findPhrase(lineFolded, p, from)
			if !ok {
				break
			}
			marks = append(marks, span{s, e})
			from = e
		}
	}
	marks = mergeSpans(marks)

	// Cut a long line around the first match, at rune boundaries.
	ws, we := 0, len(line)
	if len(line) > snippetBytes {
		if len(marks) > 0 {
			ws = max(0, marks[0].start-snippetLead)
		}
		we = min(len(line), ws+snippetBytes)
		for ws > 0 && !utf8.RuneStart(line[ws]) {
			ws--
		}
		// ws < we: text that is not UTF-8 (continuation bytes only) may
		// leave no rune start to back up to.
		for we > ws && we < len(line) && !utf8.RuneStart(line[we]) {
			we--
		}
	}
	snip := Snippet{Line: 1 + strings.Count(text[:ls], "\n"), Highlights: []Range{}}
	var b strings.Builder
	offset := 0 // code points before ws in the snippet
	if ws > 0 {
		b.WriteString(Ellipsis)
		offset = utf8.RuneCountInString(Ellipsis)
	}
	b.WriteString(line[ws:we])
	if we < len(line) {
		b.WriteString(Ellipsis)
	}
	snip.Text = b.String()
	for _, m := range marks {
		s, e := max(m.start, ws), min(m.end, we)
		if s >= e {
			continue
		}
		snip.Highlights = append(snip.Highlights, Range{
			Start: offset + utf8.RuneCountInString(line[ws:s]),
			End:   offset + utf8.RuneCountInString(line[ws:e]),
		})
	}
	return snip
}

// bestLine returns the byte range of the line of folded (without its
// newline) that holds the most of q's phrases, the first such line,
// among the lines of each phrase's first snippetCandidates matches; the
// first line if nothing matches.
func bestLine(folded string, q Query) (start, end int) {
	var cands []int
	perPhrase := snippetCandidates
	if len(q.Phrases) == 1 {
		perPhrase = 1 // its first match is on the best line
	}
	for _, p := range q.Phrases {
		for from, k := 0, 0; k < perPhrase; k++ {
			s, e, ok := findPhrase(folded, p, from)
			if !ok {
				break
			}
			cands = append(cands, s)
			from = e
		}
	}
	slices.Sort(cands)
	lineOf := func(at int) (int, int) {
		ls := strings.LastIndexByte(folded[:at], '\n') + 1
		le := strings.IndexByte(folded[at:], '\n')
		if le < 0 {
			return ls, len(folded)
		}
		return ls, at + le
	}
	start, end = lineOf(0)
	best, counted := 0, -1
	for _, at := range cands {
		ls, le := lineOf(at)
		if ls == counted {
			continue // matches are sorted: this line was just counted
		}
		counted = ls
		n := 0
		for _, p := range q.Phrases {
			if _, _, ok := findPhrase(folded[ls:le], p, 0); ok {
				n++
			}
		}
		if n > best {
			start, end, best = ls, le, n
			if n == len(q.Phrases) {
				break
			}
		}
	}
	return start, end
}

// mergeSpans sorts spans and merges those that overlap or touch.
func mergeSpans(spans []span) []span {
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	var out []span
	for _, s := range spans {
		if n := len(out); n > 0 && s.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, s.end)
			continue
		}
		out = append(out, s)
	}
	return out
}

// findPhrase returns the byte range of the first match of p in folded
// (text folded with fold) at or after byte from: its tokens in order,
// each a whole token (the last may be a prefix if p.Prefix), with only
// non-token characters between them.
func findPhrase(folded string, p Phrase, from int) (start, end int, ok bool) {
	for from <= len(folded) {
		i := strings.Index(folded[from:], p.Tokens[0])
		if i < 0 {
			return 0, 0, false
		}
		start = from + i
		from = start + 1
		if tokenBefore(folded, start) {
			continue
		}
		if end, ok = matchRest(folded, p, start); ok {
			return start, end, true
		}
	}
	return 0, 0, false
}

// matchRest checks that p matches at byte start of folded, where its first
// token's text begins, and returns where the match ends.
func matchRest(folded string, p Phrase, start int) (int, bool) {
	pos := start
	for k, tok := range p.Tokens {
		if k > 0 {
			for pos < len(folded) && !tokenAt(folded, pos) {
				_, n := utf8.DecodeRuneInString(folded[pos:])
				pos += n
			}
			if !strings.HasPrefix(folded[pos:], tok) {
				return 0, false
			}
		}
		pos += len(tok)
		if tokenAt(folded, pos) {
			if !p.Prefix || k < len(p.Tokens)-1 {
				return 0, false
			}
			for tokenAt(folded, pos) { // the rest of the prefixed token
				_, n := utf8.DecodeRuneInString(folded[pos:])
				pos += n
			}
		}
	}
	return pos, true
}
