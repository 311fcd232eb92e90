package search

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		q    string
		want []Phrase // nil: ErrBadQuery
	}{
		{"ftrace", []Phrase{{Tokens: []string{"ftrace"}}}},
		{"  Ftrace   PERF ", []Phrase{{Tokens: []string{"ftrace"}}, {Tokens: []string{"perf"}}}},
		{`"live patching" kpatch`, []Phrase{{Tokens: []string{"live", "patching"}}, {Tokens: []string{"kpatch"}}}},
		{`"unterminated phrase`, []Phrase{{Tokens: []string{"unterminated", "phrase"}}}},
		{"sched_setattr()", []Phrase{{Tokens: []string{"sched", "setattr"}}}},
		{"trac*", []Phrase{{Tokens: []string{"trac"}, Prefix: true}}},
		{"t*", []Phrase{{Tokens: []string{"t"}}}},
		{"foo.*", []Phrase{{Tokens: []string{"foo"}}}},
		{"AND OR NOT", []Phrase{{Tokens: []string{"and"}}, {Tokens: []string{"or"}}, {Tokens: []string{"not"}}}},
		{"<script>alert(1)</script>", []Phrase{{Tokens: []string{"script", "alert", "1", "script"}}}},
		{"Über", []Phrase{{Tokens: []string{"über"}}}},
		{"", nil},
		{`"" * () : ^ -`, nil},
		{strings.Repeat("a ", MaxTokens+1), nil},
		{strings.Repeat("x", MaxQueryBytes+1), nil},
		{strings.Repeat("x", 10<<10), nil},
	}
	for _, tt := range tests {
		q, err := ParseQuery(tt.q)
		if tt.want == nil {
			if !errors.Is(err, ErrBadQuery) {
				t.Errorf("ParseQuery(%.40q) = %+v, %v; want ErrBadQuery", tt.q, q, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(q.Phrases, tt.want) {
			t.Errorf("ParseQuery(%q) = %+v, %v; want %+v", tt.q, q.Phrases, err, tt.want)
		}
	}
}

func TestFTS5(t *testing.T) {
	q, err := ParseQuery(`"live patch*" kernel NEAR`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := q.FTS5(), `"live patch" AND "kernel" AND "near"`; got != want {
		t.Errorf("FTS5() = %s, want %s", got, want)
	}
	q, _ = ParseQuery(`trac*`)
	if got, want := q.FTS5(), `"trac" *`; got != want {
		t.Errorf("FTS5() = %s, want %s", got, want)
	}
}

// FuzzParseQuery: any input parses or gives ErrBadQuery; a parsed query
// has only non-empty phrases of non-empty tokens made of token runes (so
// its FTS5 form holds no syntax of the user's), within the limits.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"", `"a b"`, `a*`, `"`, "sched_setattr", "\xff", "AND", "a\x00b", "İstanbul", "ǅ*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuery(s)
		if err != nil {
			if !errors.Is(err, ErrBadQuery) {
				t.Fatalf("ParseQuery(%q): %v, not ErrBadQuery", s, err)
			}
			return
		}
		n := 0
		for _, p := range q.Phrases {
			if len(p.Tokens) == 0 {
				t.Fatalf("ParseQuery(%q): empty phrase", s)
			}
			for _, tok := range p.Tokens {
				n++
				if tok == "" || !utf8.ValidString(tok) || strings.IndexFunc(tok, func(r rune) bool { return !isTokenRune(r) }) >= 0 {
					t.Fatalf("ParseQuery(%q): token %q is not only token runes", s, tok)
				}
			}
		}
		if n > MaxTokens || len(q.Phrases) == 0 {
			t.Fatalf("ParseQuery(%q): %d tokens in %d phrases", s, n, len(q.Phrases))
		}
		if strings.Count(q.FTS5(), `"`) != 2*len(q.Phrases) {
			t.Fatalf("ParseQuery(%q): FTS5 form %s has stray quotes", s, q.FTS5())
		}
	})
}
