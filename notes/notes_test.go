package notes_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/confpad/confpad/internal/htmlcheck"
	"github.com/confpad/confpad/notes"
)

// testLines reads a file of ../testdata/xss, one entry a line.
func testLines(name string) []string { return htmlcheck.Lines("../testdata/xss/" + name) }

// mustRender renders src and fails t on error.
func mustRender(t testing.TB, src string) notes.Doc {
	t.Helper()
	d, err := notes.Render(src)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// dangers lists what in rendered notes could run or navigate, and links
// without the notes' rel.
func dangers(d notes.Doc) []string {
	out := htmlcheck.Parse(string(d.HTML)).Dangers
	if n, m := strings.Count(string(d.HTML), "<a "), strings.Count(string(d.HTML), `rel="`+notes.LinkRel+`"`)+strings.Count(string(d.HTML), `class="anchor"`); n != m {
		out = append(out, fmt.Sprintf("%d links, %d with rel or heading anchors", n, m))
	}
	return out
}

func TestPayloadsRunNothing(t *testing.T) {
	payloads := testLines("payloads.txt")
	if len(payloads) < 40 {
		t.Fatalf("%d payloads, want at least 40", len(payloads))
	}
	docs := append(slices.Clone(payloads), strings.Join(payloads, "\n"), strings.Join(payloads, "\n\n"), "- "+strings.Join(payloads, "\n- "), "> "+strings.Join(payloads, "\n> "))
	for i, src := range docs {
		if d := dangers(mustRender(t, src)); len(d) > 0 {
			t.Errorf("document %d %q renders %q", i, src, d)
		}
	}
}

func TestCodeLinesVerbatim(t *testing.T) {
	lines := testLines("code-lines.txt")
	docs := map[string]string{"lines": strings.Join(lines, "\n"), "paragraphs": strings.Join(lines, "\n\n"), "list": "- " + strings.Join(lines, "\n- ")}
	for name, src := range docs {
		text := htmlcheck.Parse(string(mustRender(t, src).HTML)).Text
		for _, l := range lines {
			if !strings.Contains(text, l) {
				t.Errorf("%s: %q is not in the rendered text %q", name, l, text)
			}
		}
	}
}

func TestRender(t *testing.T) {
	tests := []struct {
		name, src string
		want, not []string
	}{
		{"link has rel", "[x](https://example.org/a?b=1&c=2)", []string{`<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener ugc">x</a>`}, nil},
		{"relative and mailto links", "[a](/p/x/notes) [b](mailto:a@b.org) [c](#top)", []string{`href="/p/x/notes"`, `href="mailto:a@b.org"`, `href="#top"`}, nil},
		{"autolinks", "<https://a.org> www.b.org c@d.org", []string{`href="https://a.org"`, `href="http://www.b.org"`, `href="mailto:c@d.org"`}, nil},
		{"unsafe link keeps its text", "[keep me](javascript:alert(1))", []string{"keep me"}, []string{"<a", "alert"}},
		{"data image becomes its alt text", "![the alt](data:image/png;base64,AAAA)", []string{"the alt"}, []string{"<img"}},
		{"safe image", "![a](https://example.org/a.png)", []string{`<img src="https://example.org/a.png" alt="a"`}, nil},
		{"heading anchor", "## Memory *model*", []string{`<h2 id="memory-model">`, `<a class="anchor" href="#memory-model"`}, nil},
		{"raw HTML block is shown", "<div>\nhi\n</div>", []string{"&lt;div&gt;", "&lt;/div&gt;"}, []string{"<div>"}},
		{"table cells beyond the header are kept", "| a |\n|---|\n| b | c `d` |", []string{"<td>b | c `d` |</td>"}, nil},
		{"GFM table and strikethrough", "| a |\n|---|\n| ~~b~~ |", []string{"<table>", "<del>b</del>"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(mustRender(t, tt.src).HTML)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("%q renders\n%s\nwithout %q", tt.src, got, w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(got, n) {
					t.Errorf("%q renders\n%s\nwith %q", tt.src, got, n)
				}
			}
		})
	}
}

func TestTOC(t *testing.T) {
	two := mustRender(t, "# A\n\n## B\n")
	if len(two.Headings) != 2 || two.TOC() != nil {
		t.Errorf("two headings: %+v, TOC %+v", two.Headings, two.TOC())
	}
	three := mustRender(t, "# A\n\n## B `c`\n\ntext\n\n### A\n")
	want := []notes.Heading{{1, "a", "A"}, {2, "b-c", "B c"}, {3, "a-1", "A"}}
	if !slices.Equal(three.TOC(), want) {
		t.Errorf("TOC = %+v, want %+v", three.TOC(), want)
	}
}

// checkLineAnchors fails t unless the rendering of src has an element
// L<n> for every line n of src, each at or before the text of its line.
func checkLineAnchors(t testing.TB, src string) {
	t.Helper()
	out := string(mustRender(t, src).HTML)
	lines := strings.Count(src, "\n") + 1
	last := -1
	for n := 1; n <= lines; n++ {
		i := strings.Index(out, `id="L`+strconv.Itoa(n)+`"`)
		if i < 0 {
			t.Fatalf("no anchor for line %d of %q in\n%s", n, src, out)
		}
		if i < last {
			t.Fatalf("anchor of line %d comes before line %d's in\n%s", n, n-1, out)
		}
		last = i
	}
	if strings.Contains(out, `id="L`+strconv.Itoa(lines+1)+`"`) {
		t.Errorf("an anchor past the last line %d", lines)
	}
}

func TestLineAnchors(t *testing.T) {
	for _, src := range []string{
		"",
		"\n\n\n",
		"one line",
		"# H\n\npara\nmore\n\n- a\n- b\n  - c\n\n> quote\n> more\n\n```\ncode\n\n```\n\n---\n| a |\n|---|\n| 1 |\n\n<div>\nraw\n</div>\ntrailing\n\n\n",
	} {
		checkLineAnchors(t, src)
	}
	out := string(mustRender(t, "first\n\n```\none\ntwo\n```\nafter").HTML)
	// Line 4 ("two") is inside the code block: its anchor precedes the
	// block, and the block's text follows it.
	if a, b := strings.Index(out, `id="L4"`), strings.Index(out, "two"); a < 0 || a > b || strings.Index(out, "first") > a {
		t.Errorf("line 4's anchor is not just before its block:\n%s", out)
	}
}

func TestSafeURL(t *testing.T) {
	for _, u := range []string{"https://a.org", "http://a.org/x?y", "mailto:a@b.org", "/p/x", "x.html", "#L3", "//a.org/x", "HTTPS://A.ORG"} {
		if !notes.SafeURL(u) {
			t.Errorf("SafeURL(%q) = false", u)
		}
	}
	for _, u := range []string{"javascript:alert(1)", "JavaScript:x", " javascript:x", "java\tscript:x", "data:text/html,x", "data:image/png;base64,AA", "vbscript:x", "file:///etc/passwd", "\\\\evil", "x\x00y"} {
		if notes.SafeURL(u) {
			t.Errorf("SafeURL(%q) = true", u)
		}
	}
}

func FuzzRender(f *testing.F) {
	for _, s := range testLines("payloads.txt") {
		f.Add(s)
	}
	f.Add("# a\n\n- b\n  > c\n\n```\nd\n```\n")
	f.Fuzz(func(t *testing.T, src string) {
		d, err := notes.Render(src)
		if err != nil {
			t.Fatal(err)
		}
		if d := dangers(d); len(d) > 0 {
			t.Fatalf("%q renders %q", src, d)
		}
		checkLineAnchors(t, src)
	})
}
