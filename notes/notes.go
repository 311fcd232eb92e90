// Package notes renders a pad's Markdown text as HTML for readers: the
// notes page, the HTML exports and the static site all show notes through
// Render.
//
// Notes are written by anyone in the room, so the rendering trusts nothing
// in them. Raw HTML is shown as text, escaped, never dropped and never run
// (`Vec<T>` and `kill -9 <pid>` appear as typed). Link and image
// destinations must be http, https, mailto or relative; any other (such as
// javascript: or data:) is dropped and its text kept. Links carry
// rel="nofollow noopener ugc". Headings get ids and a "#" self-link, and
// every source line n gets an element with id "L<n>" at or just before the
// block that holds it, so a search result can link to a line.
package notes

import (
	"fmt"
	"html/template"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// TOCMinHeadings is how many headings notes need for a table of contents.
const TOCMinHeadings = 3

// LinkRel is the rel attribute of every link in notes.
const LinkRel = "nofollow noopener ugc"

// Doc is a pad's text rendered.
type Doc struct {
	// HTML is the rendered notes, safe to put in a page as is.
	HTML template.HTML
	// Headings are the notes' headings in order.
	Headings []Heading
}

// TOC returns the headings for a table of contents: all of them when there
// are at least TOCMinHeadings, else none.
func (d Doc) TOC() []Heading {
	if len(d.Headings) < TOCMinHeadings {
		return nil
	}
	return d.Headings
}

// Heading is one heading of the notes.
type Heading struct {
	// Level is 1 to 6.
	Level int
	// ID is the heading's element id (a fragment: "#" + ID links to it).
	ID string
	// Text is the heading as plain text.
	Text string
}

// markdown is the shared converter: GitHub-flavoured Markdown with heading
// ids, line anchors, and this package's renderers for everything that can
// carry HTML or a URL.
var markdown = goldmark.New(
	goldmark.WithExtensions(extension.GFM),
	goldmark.WithParserOptions(
		parser.WithAutoHeadingID(),
		parser.WithASTTransformers(util.Prioritized(lineAnchorer{}, 1000), util.Prioritized(overflowCells{}, 1000)),
	),
	goldmark.WithRendererOptions(
		// Below the default renderers' priority (1000), so ours win.
		renderer.WithNodeRenderers(util.Prioritized(safeRenderer{}, 100)),
	),
)

// Render renders a pad's text, its work bounded by the guard (see
// guard.go): time and memory grow about linearly with the text.
func Render(source string) (Doc, error) { return RenderBlamed(source, nil) }

// RenderBlamed renders a pad's text like Render, and where blame is not
// nil gives every paragraph, heading, list item and quote the title (shown
// on hover) blame returns for the source bytes [start, end) it was written
// from: who wrote it. An empty title is left out. A text the guard had to
// rewrite gets no titles: blame speaks of the pad's own bytes.
func RenderBlamed(source string, blame func(start, end int) string) (Doc, error) {
	g := guard(source)
	if g.text != source {
		blame = nil
	}
	return render(g, blame)
}

// lineMapKey holds, in the parser's context, the pad line of each line of
// the guarded text.
var lineMapKey = parser.NewContextKey()

// render renders guarded text, with blame's titles where blame is not nil.
func render(g guarded, blame func(start, end int) string) (Doc, error) {
	src := []byte(g.text)
	ctx := parser.NewContext()
	ctx.Set(lineMapKey, g.lines)
	doc := markdown.Parser().Parse(text.NewReader(src), parser.WithContext(ctx))
	if blame != nil {
		collectLeaves(doc, func(n ast.Node) { blameBlock(n, blame) })
	}
	var buf strings.Builder
	buf.Grow(len(src) + len(src)/2) // tags and line anchors
	if err := markdown.Renderer().Render(&buf, src, doc); err != nil {
		return Doc{}, fmt.Errorf("render notes: %w", err)
	}
	return Doc{HTML: template.HTML(buf.String()), Headings: headings(doc, src)}, nil
}

// headings lists the headings of doc.
func headings(doc ast.Node, src []byte) []Heading {
	var out []Heading
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		h, ok := n.(*ast.Heading)
		if !ok || !entering {
			return ast.WalkContinue, nil
		}
		out = append(out, Heading{Level: h.Level, ID: headingID(h), Text: plainText(h, src)})
		return ast.WalkSkipChildren, nil
	})
	return out
}

// headingID returns the id the parser gave a heading.
func headingID(h *ast.Heading) string {
	if v, ok := h.AttributeString("id"); ok {
		if b, ok := v.([]byte); ok {
			return string(b)
		}
	}
	return ""
}

// plainText returns the text inside n, without markup.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(src))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.RawHTML:
			for i := 0; i < c.Segments.Len(); i++ {
				seg := c.Segments.At(i)
				b.Write(seg.Value(src))
			}
		case *ast.AutoLink:
			b.Write(c.Label(src))
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// SafeURL reports whether a link or image may point to dest: http, https,
// mailto, or a relative URL. Anything a browser would read as another
// scheme (javascript:, data:, vbscript:, file:, "java\tscript:") is not.
func SafeURL(dest string) bool {
	u, err := url.Parse(strings.TrimSpace(dest))
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "mailto":
		return true
	case "":
		// A relative URL; browsers also drop tabs and newlines, so a
		// control character could hide a scheme.
		return !strings.ContainsFunc(dest, func(r rune) bool { return r < ' ' || r == 0x7f }) && !strings.Contains(dest, "\\")
	}
	return false
}

// lineAnchor is a block holding the line anchors L<From>..L<To>.
type lineAnchor struct {
	ast.BaseBlock
	From, To int
}

// kindLineAnchor is the node kind of lineAnchor.
var kindLineAnchor = ast.NewNodeKind("LineAnchor")

// Kind implements ast.Node.
func (n *lineAnchor) Kind() ast.NodeKind { return kindLineAnchor }

// Dump implements ast.Node.
func (n *lineAnchor) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"From": strconv.Itoa(n.From), "To": strconv.Itoa(n.To)}, nil)
}

// lineAnchorer inserts line anchors before the leaf blocks of a document:
// before each leaf, the anchors of its lines and of every line up to the
// next leaf, so each line's anchor is at or just before its block. Line
// numbers are those of the pad text (the context's lineMapKey), not of the
// guarded text the parser reads.
type lineAnchorer struct{}

// Transform implements parser.ASTTransformer.
func (lineAnchorer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	starts := []int{0} // byte offsets of line starts
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	padLine, _ := pc.Get(lineMapKey).([]int)
	lineOf := func(off int) int { // 1-based, in the pad text
		l := sort.SearchInts(starts, off+1)
		if l-1 < len(padLine) {
			return padLine[l-1]
		}
		return l
	}
	var leaves []ast.Node
	var lines []int
	collectLeaves(doc, func(n ast.Node) {
		if off := startOf(n); off >= 0 {
			leaves = append(leaves, n)
			lines = append(lines, lineOf(off))
		}
	})
	total := len(starts)
	if len(padLine) > 0 {
		total = padLine[len(padLine)-1]
	}
	if len(leaves) == 0 {
		doc.AppendChild(doc, &lineAnchor{From: 1, To: total})
		return
	}
	done := 0
	for i, leaf := range leaves {
		to := total
		if i+1 < len(leaves) {
			to = lines[i+1] - 1
		}
		if to > done {
			leaf.Parent().InsertBefore(leaf.Parent(), leaf, &lineAnchor{From: done + 1, To: to})
			done = to
		}
	}
}

// collectLeaves calls fn with every block under n that holds no blocks a
// line anchor can go between (paragraphs, headings, code, tables, ...).
func collectLeaves(n ast.Node, fn func(ast.Node)) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c.Kind() {
		case ast.KindList, ast.KindListItem, ast.KindBlockquote:
			collectLeaves(c, fn)
		default:
			if c.Type() == ast.TypeBlock {
				fn(c)
			}
		}
	}
}

// blameBlock sets the title of leaf block n (or of the list item that
// holds it, where the leaf renders no element of its own) to what blame
// says of its source lines.
func blameBlock(n ast.Node, blame func(start, end int) string) {
	lines := n.Lines()
	if lines == nil || lines.Len() == 0 {
		return
	}
	title := blame(lines.At(0).Start, lines.At(lines.Len()-1).Stop)
	if title == "" {
		return
	}
	if n.Kind() == ast.KindTextBlock && n.Parent() != nil {
		n = n.Parent()
	}
	n.SetAttributeString("title", []byte(title))
}

// startOf returns the byte offset where block n starts, or -1.
func startOf(n ast.Node) int {
	if p := n.Pos(); p >= 0 {
		return p
	}
	if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
		return n.Lines().At(0).Start
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if p := startOf(c); p >= 0 {
			return p
		}
	}
	return -1
}
