package notes

import (
	"html"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// safeRenderer renders the nodes that could carry markup or a URL from the
// notes: raw HTML as escaped text, links and images only to safe URLs,
// headings with a self-link, and the line anchors.
type safeRenderer struct{}

// RegisterFuncs implements renderer.NodeRenderer.
func (safeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindRawHTML, renderRawHTML)
	reg.Register(ast.KindHTMLBlock, renderHTMLBlock)
	reg.Register(ast.KindLink, renderLink)
	reg.Register(ast.KindAutoLink, renderAutoLink)
	reg.Register(ast.KindImage, renderImage)
	reg.Register(ast.KindHeading, renderHeading)
	reg.Register(kindLineAnchor, renderLineAnchor)
}

// renderRawHTML shows inline HTML as the text it is.
func renderRawHTML(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		n := node.(*ast.RawHTML)
		for i := 0; i < n.Segments.Len(); i++ {
			seg := n.Segments.At(i)
			_, _ = w.Write(util.EscapeHTML(seg.Value(src)))
		}
	}
	return ast.WalkSkipChildren, nil
}

// renderHTMLBlock shows a block of HTML as the text it is, preformatted.
func renderHTMLBlock(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.HTMLBlock)
	_, _ = w.WriteString(`<pre class="raw-html">`)
	for i := 0; i < n.Lines().Len(); i++ {
		seg := n.Lines().At(i)
		_, _ = w.Write(util.EscapeHTML(seg.Value(src)))
	}
	if n.HasClosure() {
		_, _ = w.Write(util.EscapeHTML(n.ClosureLine.Value(src)))
	}
	_, _ = w.WriteString("</pre>\n")
	return ast.WalkSkipChildren, nil
}

// destination returns a link or image destination as the browser will
// read it: character references resolved and URL-escaped, so that what
// SafeURL checks is exactly what is written.
func destination(raw []byte) string {
	return string(util.URLEscape([]byte(html.UnescapeString(string(raw))), false))
}

// writeURL writes a destination from destination() as an attribute value.
func writeURL(w util.BufWriter, dest string) {
	_, _ = w.Write(util.EscapeHTML([]byte(dest)))
}

// writeLinkStart writes <a href="dest" rel=... [title=...]>.
func writeLinkStart(w util.BufWriter, dest string, title []byte) {
	_, _ = w.WriteString(`<a href="`)
	writeURL(w, dest)
	_, _ = w.WriteString(`" rel="` + LinkRel + `"`)
	if len(title) > 0 {
		_, _ = w.WriteString(` title="`)
		_, _ = w.Write(util.EscapeHTML(title))
		_ = w.WriteByte('"')
	}
	_ = w.WriteByte('>')
}

// renderLink renders a link to a safe URL; a link to any other keeps only
// its text.
func renderLink(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Link)
	dest := destination(n.Destination)
	if !SafeURL(dest) {
		return ast.WalkContinue, nil
	}
	if entering {
		writeLinkStart(w, dest, n.Title)
	} else {
		_, _ = w.WriteString("</a>")
	}
	return ast.WalkContinue, nil
}

// renderAutoLink renders <https://...>, <a@b.c> and bare www. links.
func renderAutoLink(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.AutoLink)
	dest := string(n.URL(src))
	switch {
	case n.AutoLinkType == ast.AutoLinkEmail && !strings.HasPrefix(strings.ToLower(dest), "mailto:"):
		dest = "mailto:" + dest
	case n.AutoLinkType == ast.AutoLinkURL && strings.HasPrefix(strings.ToLower(dest), "www."):
		dest = "http://" + dest
	}
	dest = destination([]byte(dest))
	label := util.EscapeHTML(n.Label(src))
	if !SafeURL(dest) {
		_, _ = w.Write(label)
		return ast.WalkContinue, nil
	}
	writeLinkStart(w, dest, nil)
	_, _ = w.Write(label)
	_, _ = w.WriteString("</a>")
	return ast.WalkContinue, nil
}

// renderImage renders an image from a safe URL, or its alt text.
func renderImage(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.Image)
	alt := util.EscapeHTML([]byte(plainText(n, src)))
	dest := destination(n.Destination)
	if !SafeURL(dest) {
		_, _ = w.Write(alt)
		return ast.WalkSkipChildren, nil
	}
	_, _ = w.WriteString(`<img src="`)
	writeURL(w, dest)
	_, _ = w.WriteString(`" alt="`)
	_, _ = w.Write(alt)
	_ = w.WriteByte('"')
	if len(n.Title) > 0 {
		_, _ = w.WriteString(` title="`)
		_, _ = w.Write(util.EscapeHTML(n.Title))
		_ = w.WriteByte('"')
	}
	_, _ = w.WriteString(` loading="lazy" referrerpolicy="no-referrer">`)
	return ast.WalkSkipChildren, nil
}

// renderHeading renders <hN id="..."> with a "#" link to itself.
func renderHeading(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Heading)
	level := strconv.Itoa(n.Level)
	id := headingID(n)
	if entering {
		_, _ = w.WriteString("<h" + level)
		if id != "" {
			_, _ = w.WriteString(` id="`)
			_, _ = w.Write(util.EscapeHTML([]byte(id)))
			_ = w.WriteByte('"')
		}
		if title, ok := n.AttributeString("title"); ok {
			_, _ = w.WriteString(` title="`)
			_, _ = w.Write(util.EscapeHTML(title.([]byte)))
			_ = w.WriteByte('"')
		}
		_ = w.WriteByte('>')
		return ast.WalkContinue, nil
	}
	if id != "" {
		_, _ = w.WriteString(` <a class="anchor" href="#`)
		_, _ = w.Write(util.EscapeHTML([]byte(id)))
		_, _ = w.WriteString(`" aria-label="Link to this section">#</a>`)
	}
	_, _ = w.WriteString("</h" + level + ">\n")
	return ast.WalkContinue, nil
}

// renderLineAnchor writes the empty elements L<From> to L<To>.
func renderLineAnchor(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		n := node.(*lineAnchor)
		for i := n.From; i <= n.To; i++ {
			_, _ = w.WriteString(`<span class="line" id="L` + strconv.Itoa(i) + `"></span>`)
		}
		_ = w.WriteByte('\n')
	}
	return ast.WalkSkipChildren, nil
}
