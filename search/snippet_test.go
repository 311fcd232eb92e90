package search

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMakeSnippet(t *testing.T) {
	long := strings.Repeat("filler words ", 30) + "the needle is here " + strings.Repeat("more filler ", 30)
	tests := []struct {
		name, text, q string
		want          Snippet
	}{
		{"first line", "needle in line one", "needle",
			Snippet{Line: 1, Text: "needle in line one", Highlights: []Range{{0, 6}}}},
		{"later line, every match", "a\nb\r\nthe Needle and needle\n", "needle",
			Snippet{Line: 3, Text: "the Needle and needle", Highlights: []Range{{4, 10}, {15, 21}}}},
		{"whole tokens only", "needles\nneedle", "needle",
			Snippet{Line: 2, Text: "needle", Highlights: []Range{{0, 6}}}},
		{"prefix", "x\nneedles here", "need*",
			Snippet{Line: 2, Text: "needles here", Highlights: []Range{{0, 7}}}},
		{"phrase across punctuation", "sched_setattr(2)", "sched_setattr",
			Snippet{Line: 1, Text: "sched_setattr(2)", Highlights: []Range{{0, 13}}}},
		{"the line with most of the query", "b here\na and b\nb and a\n", "a b",
			Snippet{Line: 2, Text: "a and b", Highlights: []Range{{0, 1}, {6, 7}}}},
		{"else the first match", "x\nb here\na here\n", "a b",
			Snippet{Line: 2, Text: "b here", Highlights: []Range{{0, 1}}}},
		{"code points", "😀 Grüße über", "über",
			Snippet{Line: 1, Text: "😀 Grüße über", Highlights: []Range{{8, 12}}}},
		{"markup is text", "<b>needle</b>", "needle",
			Snippet{Line: 1, Text: "<b>needle</b>", Highlights: []Range{{3, 9}}}},
		{"no match", "first\nsecond", "absent",
			Snippet{Line: 1, Text: "first", Highlights: []Range{}}},
	}
	for _, tt := range tests {
		q, err := ParseQuery(tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if got := MakeSnippet(tt.text, Fold(tt.text), q); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: MakeSnippet = %+v, want %+v", tt.name, got, tt.want)
		}
	}

	q, _ := ParseQuery("needle")
	got := MakeSnippet(long, Fold(long), q)
	if !strings.HasPrefix(got.Text, Ellipsis) || !strings.HasSuffix(got.Text, Ellipsis) || len(got.Highlights) != 1 {
		t.Fatalf("long line: %+v", got)
	}
	if h := got.Highlights[0]; string([]rune(got.Text)[h.Start:h.End]) != "needle" {
		t.Errorf("long line: highlight %v marks %q", h, string([]rune(got.Text)[h.Start:h.End]))
	}
}

func TestParts(t *testing.T) {
	s := Snippet{Text: "a <b> c", Highlights: []Range{{2, 5}}}
	want := []Part{{Text: "a "}, {Text: "<b>", Mark: true}, {Text: " c"}}
	if got := s.Parts(); !reflect.DeepEqual(got, want) {
		t.Errorf("Parts = %+v, want %+v", got, want)
	}
}

// FuzzMakeSnippet: for any text and query the snippet's line exists, its
// text is valid where the pad's is, and its highlights lie in it in order.
func FuzzMakeSnippet(f *testing.F) {
	f.Add("first\nsecond needle\n", "needle")
	f.Add("ǅǅ İİ \xff needle", "ǆ* i")
	f.Fuzz(func(t *testing.T, text, query string) {
		q, err := ParseQuery(query)
		if err != nil {
			return
		}
		s := MakeSnippet(text, Fold(text), q)
		if s.Line < 1 || s.Line > strings.Count(text, "\n")+1 {
			t.Fatalf("line %d of a %d-line text", s.Line, strings.Count(text, "\n")+1)
		}
		if utf8.ValidString(text) && !utf8.ValidString(s.Text) {
			t.Fatalf("snippet %q of valid text is not valid UTF-8", s.Text)
		}
		n, at := utf8.RuneCountInString(s.Text), 0
		for _, h := range s.Highlights {
			if h.Start < at || h.End <= h.Start || h.End > n {
				t.Fatalf("highlights %v of %d code points", s.Highlights, n)
			}
			at = h.End
		}
	})
}
