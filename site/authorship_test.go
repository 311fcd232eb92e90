package site

import (
	"slices"
	"strings"
	"testing"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
)

func TestBlamer(t *testing.T) {
	text := "# Tïtle\n\nAnn's line\nand Bob's\n\n- item by cy\n"
	a := &Authorship{
		Runs:  []collab.Run{{Author: "a", Len: 20}, {Author: "b", Len: 11}, {Author: "c", Len: 13}},
		Names: map[string]string{"a": "Ann", "b": "Bob"},
	}
	blame := a.blamer(text)
	tests := []struct {
		what       string
		start, end int
		want       string
	}{
		{"one author", 0, 8, "Written by Ann"},
		{"two authors, most first", 10, 30, "Written by Ann and Bob"},
		{"an author without a name", 34, 44, "Written by an unknown author"},
		{"nothing", 3, 3, ""},
	}
	for _, tt := range tests {
		if got := blame(tt.start, tt.end); got != tt.want {
			t.Errorf("%s: blame(%d, %d) = %q, want %q", tt.what, tt.start, tt.end, got, tt.want)
		}
	}
	if (&Authorship{Runs: []collab.Run{{Author: "a", Len: 3}}}).blamer(text) != nil {
		t.Error("runs that do not cover the text blame someone")
	}
	if got, want := a.contributors(), []Contributor{{"Ann", 45}, {"an unknown author", 30}, {"Bob", 25}}; !slices.Equal(got, want) {
		t.Errorf("contributors %v, want %v", got, want)
	}
}

// TestNotesPageAuthorship: the notes page lists the contributors and names
// the authors of each block in a title, escaped.
func TestNotesPageAuthorship(t *testing.T) {
	p, err := NewPages()
	if err != nil {
		t.Fatal(err)
	}
	text := "Hello\n\n- item\n"
	a := &Authorship{Runs: []collab.Run{{Author: "x", Len: 7}, {Author: "y", Len: 7}}, Names: map[string]string{"x": `<Ann & "Co">`, "y": "Bob"}}
	data, err := NotesData(conference.Session{ID: "s", Title: "S"}, "Conf", LiveURLs(), text, 3, 3, a, nil)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := p.Notes(&b, data); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		`<p title="Written by &lt;Ann &amp; &quot;Co&quot;&gt;">Hello</p>`,
		`<li title="Written by Bob">`,
		`Written by</h2>`,
		`&lt;Ann &amp; &#34;Co&#34;&gt; <span class="muted">50%</span>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s:\n%s", want, page)
		}
	}
	if strings.Contains(page, `<Ann`) {
		t.Error("a name is not escaped")
	}
}
