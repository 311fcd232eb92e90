package notes

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// testLines reads a file of ../testdata/xss, one entry a line.
func testLines(t testing.TB, name string) []string {
	t.Helper()
	data, err := os.ReadFile("../testdata/xss/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

// mustRender renders src and fails t on error.
func mustRender(t testing.TB, src string) Doc {
	t.Helper()
	d, err := Render(src)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// page is rendered notes parsed back: their text, and what in them could
// run or navigate.
type page struct {
	text    string
	ids     map[string]bool
	dangers []string
}

// runnable lists tags that must never come out of notes.
var runnable = []string{"script", "iframe", "object", "embed", "svg", "math", "style", "link", "meta", "base", "form", "input", "button", "textarea", "select", "frame", "frameset", "template", "noscript", "video", "audio", "source", "details", "marquee", "body"}

// parse parses rendered HTML the way a browser tokenizes it.
func parse(t testing.TB, doc string) page {
	t.Helper()
	p := page{ids: map[string]bool{}}
	var text strings.Builder
	z := html.NewTokenizer(strings.NewReader(doc))
	for {
		switch z.Next() {
		case html.ErrorToken:
			p.text = text.String()
			return p
		case html.TextToken:
			text.Write(z.Text())
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if tok.Data == "input" && slices.Contains(tok.Attr, html.Attribute{Key: "type", Val: "checkbox"}) && slices.ContainsFunc(tok.Attr, func(a html.Attribute) bool { return a.Key == "disabled" }) {
				continue // a task list's box
			}
			if slices.Contains(runnable, tok.Data) {
				p.dangers = append(p.dangers, "tag <"+tok.Data+">")
			}
			for _, a := range tok.Attr {
				switch {
				case strings.HasPrefix(a.Key, "on") || a.Key == "style" || a.Key == "srcdoc" || a.Key == "formaction":
					p.dangers = append(p.dangers, "attribute "+a.Key+"="+a.Val)
				case (a.Key == "href" || a.Key == "src") && !SafeURL(a.Val):
					p.dangers = append(p.dangers, a.Key+"="+a.Val)
				case a.Key == "id":
					p.ids[a.Val] = true
				}
			}
			if tok.Data == "a" && !slices.Contains(tok.Attr, html.Attribute{Key: "rel", Val: LinkRel}) && !hasClass(tok, "anchor") {
				p.dangers = append(p.dangers, "a link without rel")
			}
		}
	}
}

func hasClass(tok html.Token, class string) bool {
	return slices.Contains(tok.Attr, html.Attribute{Key: "class", Val: class})
}

func TestPayloadsRunNothing(t *testing.T) {
	payloads := testLines(t, "payloads.txt")
	if len(payloads) < 40 {
		t.Fatalf("%d payloads, want at least 40", len(payloads))
	}
	docs := append(slices.Clone(payloads), strings.Join(payloads, "\n"), strings.Join(payloads, "\n\n"), "- "+strings.Join(payloads, "\n- "), "> "+strings.Join(payloads, "\n> "))
	for i, src := range docs {
		p := parse(t, string(mustRender(t, src).HTML))
		if len(p.dangers) > 0 {
			t.Errorf("document %d %q renders %q", i, src, p.dangers)
		}
	}
}

func TestCodeLinesVerbatim(t *testing.T) {
	lines := testLines(t, "code-lines.txt")
	docs := map[string]string{"lines": strings.Join(lines, "\n"), "paragraphs": strings.Join(lines, "\n\n"), "list": "- " + strings.Join(lines, "\n- ")}
	for name, src := range docs {
		p := parse(t, string(mustRender(t, src).HTML))
		for _, l := range lines {
			if !strings.Contains(p.text, l) {
				t.Errorf("%s: %q is not in the rendered text %q", name, l, p.text)
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
	want := []Heading{{1, "a", "A"}, {2, "b-c", "B c"}, {3, "a-1", "A"}}
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
		if !SafeURL(u) {
			t.Errorf("SafeURL(%q) = false", u)
		}
	}
	for _, u := range []string{"javascript:alert(1)", "JavaScript:x", " javascript:x", "java\tscript:x", "data:text/html,x", "data:image/png;base64,AA", "vbscript:x", "file:///etc/passwd", "\\\\evil", "x\x00y"} {
		if SafeURL(u) {
			t.Errorf("SafeURL(%q) = true", u)
		}
	}
}

func FuzzRender(f *testing.F) {
	for _, s := range testLines(f, "payloads.txt") {
		f.Add(s)
	}
	f.Add("# a\n\n- b\n  > c\n\n```\nd\n```\n")
	f.Fuzz(func(t *testing.T, src string) {
		d, err := Render(src)
		if err != nil {
			t.Fatal(err)
		}
		if p := parse(t, string(d.HTML)); len(p.dangers) > 0 {
			t.Fatalf("%q renders %q", src, p.dangers)
		}
		checkLineAnchors(t, src)
	})
}
