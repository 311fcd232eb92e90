// Package htmlcheck reads what the reader's side of confpad produces as a
// browser or a user would: HTML tokenized as a browser does, with what in
// it could run script or navigate somewhere unsafe, and zip exports. Tests
// of the pages and exports use it, next to the real browser tests.
package htmlcheck

import (
	"os"
	"slices"
	"strings"

	"golang.org/x/net/html"

	"github.com/confpad/confpad/notes"
)

// Page is what Parse found in a document.
type Page struct {
	// Text is the document's text, character references resolved.
	Text string
	// IDs are the ids of its elements.
	IDs map[string]bool
	// Links are the href and src values, in order.
	Links []string
	// Dangers describe every tag or attribute that could run script (or
	// load another page without the reader's click), empty when none.
	Dangers []string
}

// runnable are the tags that could run script or load a document.
var runnable = []string{"script", "iframe", "object", "embed", "svg", "math", "link", "base", "form", "input", "button", "textarea", "select", "frame", "frameset", "template", "noscript", "video", "audio", "source", "details", "marquee"}

// Parse reads doc. allowedTags are runnable tags the caller's page may
// hold on purpose (such as "form" and "input" on the index).
func Parse(doc string, allowedTags ...string) Page {
	p := Page{IDs: map[string]bool{}}
	var text strings.Builder
	z := html.NewTokenizer(strings.NewReader(doc))
	for {
		switch z.Next() {
		case html.ErrorToken:
			p.Text = text.String()
			return p
		case html.TextToken:
			text.Write(z.Text())
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if tok.Data == "input" && attr(tok, "type") == "checkbox" && slices.ContainsFunc(tok.Attr, func(a html.Attribute) bool { return a.Key == "disabled" }) {
				continue // a task list's box
			}
			if tok.Data == "meta" && attr(tok, "http-equiv") != "" {
				p.Dangers = append(p.Dangers, "meta http-equiv="+attr(tok, "http-equiv"))
			}
			if slices.Contains(runnable, tok.Data) && !slices.Contains(allowedTags, tok.Data) && !isOwnStylesheet(tok) {
				p.Dangers = append(p.Dangers, "tag <"+tok.Data+">")
			}
			for _, a := range tok.Attr {
				switch {
				case strings.HasPrefix(a.Key, "on") || a.Key == "style" || a.Key == "srcdoc" || a.Key == "formaction":
					p.Dangers = append(p.Dangers, "attribute "+a.Key+"="+a.Val)
				case a.Key == "href" || a.Key == "src" || a.Key == "action":
					p.Links = append(p.Links, a.Val)
					if !notes.SafeURL(a.Val) {
						p.Dangers = append(p.Dangers, a.Key+"="+a.Val)
					}
				case a.Key == "id":
					p.IDs[a.Val] = true
				}
			}
			if tok.Data == "a" && attr(tok, "href") != "" && !strings.HasPrefix(attr(tok, "href"), "#") &&
				!strings.Contains(attr(tok, "rel"), "noopener") && !isLocal(attr(tok, "href")) {
				p.Dangers = append(p.Dangers, "link without rel noopener: "+attr(tok, "href"))
			}
		}
	}
}

// isOwnStylesheet reports whether tok is a <link> to a stylesheet of the
// site itself (the pages' pages.css), which runs nothing.
func isOwnStylesheet(tok html.Token) bool {
	return tok.Data == "link" && attr(tok, "rel") == "stylesheet" && isLocal(attr(tok, "href")) && len(tok.Attr) == 2
}

// isLocal reports whether href stays on the site (a path, not a URL).
func isLocal(href string) bool {
	return !strings.Contains(href, ":") && !strings.HasPrefix(href, "//")
}

// attr returns the value of tok's attribute key, or "".
func attr(tok html.Token, key string) string {
	for _, a := range tok.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// Lines reads a file of test entries, one a line (such as
// testdata/xss/payloads.txt), or panics.
func Lines(path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}
