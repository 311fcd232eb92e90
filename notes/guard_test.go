package notes_test

import (
	"fmt"
	"html"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	xhtml "golang.org/x/net/html"

	"github.com/confpad/confpad/notes"
)

// pathological are the families of text that make goldmark slower than
// linear without the guard, each as a function of the text's length.
var pathological = []struct {
	name string
	make func(n int) string
}{
	{"list markers", func(n int) string { return strings.Repeat("- ", n/2) + "a\n" }},
	{"ordered list markers", func(n int) string { return strings.Repeat("1. ", n/3) + "a\n" }},
	{"block quotes", func(n int) string { return strings.Repeat(">", n) + "a\n" }},
	{"mixed containers", func(n int) string { return strings.Repeat("> - 1) ", n/7) + "a\n" }},
	{"container lines", func(n int) string { return strings.Repeat(strings.Repeat("- ", 200)+"a\n", n/403) }},
	{"link openers", func(n int) string { return strings.Repeat("[a](", n/4) }},
	{"image openers", func(n int) string { return strings.Repeat("![a](", n/5) }},
	{"nested brackets", func(n int) string { return strings.Repeat("[", n/2) + strings.Repeat("]", n/2) }},
	{"open brackets", func(n int) string { return strings.Repeat("[", n) }},
	{"reference links", func(n int) string { return strings.Repeat("[a][", n/4) }},
	{"emphasis", func(n int) string { return strings.Repeat("*_", n/2) + "a" }},
	{"strikethrough", func(n int) string { return strings.Repeat("~a", n/2) }},
	{"backticks", func(n int) string {
		var b strings.Builder
		for i := 1; b.Len() < n; i++ {
			b.WriteString(strings.Repeat("`", i) + "a")
		}
		return b.String()
	}},
	{"table columns", func(n int) string { return strings.Repeat("|a", n/4) + "\n" + strings.Repeat("|-", n/4) + "\n" }},
	{"table rows", func(n int) string { return "|a|b|\n|-|-|\n" + strings.Repeat("|x\n", n/3) }},
	{"reference definitions", func(n int) string { return strings.Repeat("[a]: b\n", n/7) }},
	{"raw HTML", func(n int) string { return strings.Repeat("<a ", n/3) }},
}

// visibleText is what a reader can see or reach in rendered HTML: its
// text and its attribute values (a link's address, an image's alt text, a
// code block's language), references resolved.
func visibleText(doc string) string {
	var b strings.Builder
	z := xhtml.NewTokenizer(strings.NewReader(doc))
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return b.String()
		case xhtml.TextToken:
			b.Write(z.Text())
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			for _, a := range z.Token().Attr {
				v := a.Val
				if u, err := url.PathUnescape(v); err == nil {
					v = u
				}
				b.WriteString(" " + v + " ")
			}
		}
	}
}

// letters counts the letters of s.
func letters(s string) map[rune]int {
	out := map[rune]int{}
	for _, r := range s {
		if unicode.IsLetter(r) {
			out[r]++
		}
	}
	return out
}

// fenceInfo matches what follows a code fence's opening: goldmark shows
// its first word (as the code's language) only when the block has code.
var fenceInfo = regexp.MustCompile("(`{3,}|~{3,})[^\n]*")

// missingText returns a letter of src (after character references, which
// stand for other characters) that rendering dropped, or "" when the
// rendering shows each of them at least as often as src holds it. Digits
// are left out (an ordered list's numbers show as the list's), and so
// are code fences' info strings.
func missingText(src string, d notes.Doc) string {
	got := letters(visibleText(string(d.HTML)))
	for r, n := range letters(html.UnescapeString(fenceInfo.ReplaceAllString(src, ""))) {
		if got[r] < n {
			return fmt.Sprintf("%q (%d of %d shown)", r, got[r], n)
		}
	}
	return ""
}

// depth returns the deepest nesting of lists and block quotes in doc.
func depth(doc string) int {
	d, deepest := 0, 0
	z := xhtml.NewTokenizer(strings.NewReader(doc))
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return deepest
		case xhtml.StartTagToken:
			if name, _ := z.TagName(); isContainer(string(name)) {
				d++
				deepest = max(deepest, d)
			}
		case xhtml.EndTagToken:
			if name, _ := z.TagName(); isContainer(string(name)) {
				d--
			}
		}
	}
}

func isContainer(tag string) bool { return tag == "ul" || tag == "ol" || tag == "blockquote" }

func TestGuardBoundsPathologicalText(t *testing.T) {
	for _, f := range pathological {
		t.Run(f.name, func(t *testing.T) {
			src := f.make(20_000)
			d := mustRender(t, src)
			if got := depth(string(d.HTML)); got > notes.MaxNesting {
				t.Errorf("lists and quotes nest %d deep, want at most %d", got, notes.MaxNesting)
			}
			if m := missingText(src, d); m != "" {
				t.Errorf("the rendering drops %s", m)
			}
			checkLineAnchors(t, src)
		})
	}
}

func TestGuardCapsNesting(t *testing.T) {
	tests := []struct{ src, want string }{
		{strings.Repeat("- ", 20) + "a", strings.Repeat("- ", 16) + strings.Repeat(`\- `, 4) + "a"},
		{strings.Repeat(">", 18) + "a", strings.Repeat(">", 16) + `\>\>a`},
		{strings.Repeat("12) ", 17) + "a", strings.Repeat("12) ", 16) + `12\) a`},
		// A thematic break is not a list, however long.
		{strings.Repeat("- ", 40), strings.Repeat("- ", 40)},
		{"> " + strings.Repeat("* ", 30), "> " + strings.Repeat("* ", 30)},
		// Not markers: no space after them.
		{strings.Repeat("-a ", 30), strings.Repeat("-a ", 30)},
	}
	for _, tt := range tests {
		if got := notes.Guard(tt.src); got != tt.want {
			t.Errorf("Guard(%q) = %q, want %q", tt.src, got, tt.want)
		}
	}
}

func TestGuardPreformatsHeavyBlocks(t *testing.T) {
	heavy := strings.Repeat("[a](", notes.MaxBlockMarkup)
	tests := []struct{ name, src, want string }{
		{"alone", heavy, "```\n" + heavy + "\n```"},
		{"fences take the blank lines", "x\n\n" + heavy + "\n\ny", "x\n```\n" + heavy + "\n```\ny"},
		{"fence longer than its backticks", "a`````" + heavy, "``````\na`````" + heavy + "\n``````"},
		{"two blocks", heavy + "\n\n" + heavy, "```\n" + heavy + "\n```\n```\n" + heavy + "\n```"},
		{"light blocks as they are", "*a* [b](c)\n\n> d", "*a* [b](c)\n\n> d"},
		{"code fences are not blocks", "```\n" + heavy + "\n```\n", "```\n" + heavy + "\n```\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := notes.Guard(tt.src); got != tt.want {
				t.Errorf("Guard = %.200q..., want %.200q...", got, tt.want)
			}
			d := mustRender(t, tt.src)
			if m := missingText(tt.src, d); m != "" {
				t.Errorf("the rendering drops %s", m)
			}
			checkLineAnchors(t, tt.src)
		})
	}
}

// TestGuardKeepsMarkdown checks that the guard changes nothing in notes
// people write: the fixtures render exactly as without it.
func TestGuardKeepsMarkdown(t *testing.T) {
	docs := map[string]string{
		"payloads":   strings.Join(testLines("payloads.txt"), "\n"),
		"code lines": strings.Join(testLines("code-lines.txt"), "\n\n"),
		"nested":     "- a\n  - b\n    > c\n    > - d\n\n1. e\n   1) f\n\n---\n- - -\n",
	}
	files, err := filepath.Glob("testdata/*.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs[f] = string(b)
	}
	for name, src := range docs {
		if notes.Guard(src) != src {
			t.Errorf("%s: the guard changes the text", name)
		}
		want, err := notes.RenderUnguarded(src)
		if err != nil {
			t.Fatal(err)
		}
		if got := mustRender(t, src); got.HTML != want.HTML {
			t.Errorf("%s renders\n%s\nwant\n%s", name, got.HTML, want.HTML)
		}
	}
}

// FuzzRenderKeepsText checks that every letter and digit of any notes
// stays visible in the rendering. Links are left out: an unsafe
// link's address is dropped on purpose, and an unused reference
// definition shows nothing in Markdown; so is a task list's "[x]". See
// missingText for what else is left out.
func FuzzRenderKeepsText(f *testing.F) {
	for _, p := range pathological {
		f.Add(p.make(200))
	}
	f.Add(strings.Repeat("- ", 30) + "a\n" + strings.Repeat("`", 5) + "b")
	f.Add("# a\n\n- b\n  > c\n\n```go\nd\n```\n<e f=g>&amp;h&#105;")
	f.Fuzz(func(t *testing.T, src string) {
		d, err := notes.Render(src)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(src, "]") {
			return
		}
		if m := missingText(src, d); m != "" {
			t.Fatalf("%q renders\n%s\nwhich drops %s", src, d.HTML, m)
		}
	})
}

func BenchmarkRender(b *testing.B) {
	for _, f := range pathological {
		for _, n := range []int{25_000, 50_000, 100_000, 2 << 20} {
			src := f.make(n)
			b.Run(fmt.Sprintf("%s/%d", f.name, n), func(b *testing.B) {
				b.SetBytes(int64(len(src)))
				for b.Loop() {
					if _, err := notes.Render(src); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkRenderUnguarded measures goldmark without the guard, for the
// "before" figures in docs/PERFORMANCE.md (slow: run with -benchtime=1x).
func BenchmarkRenderUnguarded(b *testing.B) {
	for _, f := range pathological {
		for _, n := range []int{25_000, 50_000, 100_000} {
			src := f.make(n)
			b.Run(fmt.Sprintf("%s/%d", f.name, n), func(b *testing.B) {
				for b.Loop() {
					if _, err := notes.RenderUnguarded(src); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
