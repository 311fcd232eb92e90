// Package site renders what readers of a conference see: the index of
// sessions by programme, each session's notes page, the error page, and
// the same pages as files: a static site (confpad export), a zip of the
// whole conference and a single session's self-contained HTML file. The
// live server and every export use the same templates; URLs says how the
// pages link to each other in each setting.
package site

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"strconv"

	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/notes"
	"github.com/confpad/confpad/search"
)

//go:embed templates/*.html
var templateFS embed.FS

// Stylesheet is the pages' CSS: linked from every page (URLs.Stylesheet),
// inline only in a standalone file.
//
//go:embed templates/pages.css
var Stylesheet []byte

// funcs are the template functions of every page.
var funcs = template.FuncMap{
	"safeURL":    notes.SafeURL,
	"stylesheet": func() template.CSS { return template.CSS(Stylesheet) },
}

// Pages holds the parsed page templates. It is safe for concurrent use.
type Pages struct {
	index, notes, search, errorPage *template.Template
}

// NewPages parses the page templates.
func NewPages() (*Pages, error) {
	p := &Pages{}
	for name, t := range map[string]**template.Template{"index.html": &p.index, "notes.html": &p.notes, "search.html": &p.search, "error.html": &p.errorPage} {
		var err error
		if *t, err = ParsePage(templateFS, "templates/"+name); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// ParsePage parses a page template: the file name in fsys, which defines
// "content", inside the site's layout. The page's data must embed Page.
func ParsePage(fsys fs.FS, name string) (*template.Template, error) {
	t, err := template.New("layout").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err == nil {
		t, err = t.ParseFS(fsys, name)
	}
	if err != nil {
		return nil, fmt.Errorf("parsing page template %s: %w", name, err)
	}
	return t, nil
}

// Render writes a page of a template from ParsePage. After an error, part
// of the page may have been written: callers that can still send an error
// instead (HTTP handlers) write into a buffer first.
func Render(w io.Writer, t *template.Template, data any) error {
	if err := t.ExecuteTemplate(w, "layout", data); err != nil {
		return fmt.Errorf("rendering page: %w", err)
	}
	return nil
}

// Page is what the layout of every page needs.
type Page struct {
	// Title is the page's title.
	Title string
	// Site names the site in the header: the conference's title.
	Site string
	// URLs links the page to the others.
	URLs URLs
}

// IndexPage is the data of the index page.
type IndexPage struct {
	Page
	// Days are the programme's sessions by day, BoFs the BoF sessions;
	// see Programme.
	Days []Day
	BoFs []Entry
	// AllowBoFs shows the form that starts a BoF (on the live site).
	AllowBoFs bool
	// Notice is a message shown above the programme, or "".
	Notice string
}

// entryData is one entry of the index with the page's URLs.
type entryData struct {
	Entry
	URLs URLs
}

// With pairs an entry with the page's URLs, for the "entry" template.
func (p IndexPage) With(e Entry) entryData { return entryData{Entry: e, URLs: p.URLs} }

// NotesPage is the data of a session's notes page.
type NotesPage struct {
	Page
	// Session is the session, links included.
	Session conference.Session
	// Rev is the revision shown, Head the pad's latest; Old is Rev < Head.
	Rev, Head int
	Old       bool
	// Doc is the rendered notes; Empty says the pad has no text.
	Doc   notes.Doc
	Empty bool
	// Contributors are the text's authors, largest share first (none
	// when the page is rendered without its authorship).
	Contributors []Contributor
}

// Downloads are the files of the notes shown: of the revision shown when
// it is an old one.
func (p NotesPage) Downloads() []Download {
	d := p.URLs.Downloads(p.Session.ID)
	if p.Old && p.URLs.Live() {
		for i := range d {
			d[i].URL += "?rev=" + strconv.Itoa(p.Rev)
		}
	}
	return d
}

// SearchPage is the data of the search page: the form, and the results
// once a query was run.
type SearchPage struct {
	Page
	// Query is the query as typed; Searched says it was run.
	Query    string
	Searched bool
	// Error is why the query could not be run, if it could not.
	Error string
	// Results are the matching sessions, best first.
	Results []SearchResult
}

// SearchResult is one session that matches a search.
type SearchResult struct {
	// Title is the session's title, URL the line of the match on its
	// notes page, Line that line's number.
	Title, URL string
	Line       int
	// Parts are the snippet's text, split at its highlights.
	Parts []search.Part
}

// ErrorPage is the data of the error page.
type ErrorPage struct {
	Page
	// Status is the HTTP status, Message what went wrong.
	Status  int
	Message string
}

// Index writes the index page.
func (p *Pages) Index(w io.Writer, data IndexPage) error { return Render(w, p.index, data) }

// Notes writes a notes page.
func (p *Pages) Notes(w io.Writer, data NotesPage) error { return Render(w, p.notes, data) }

// Search writes the search page.
func (p *Pages) Search(w io.Writer, data SearchPage) error { return Render(w, p.search, data) }

// Error writes the error page.
func (p *Pages) Error(w io.Writer, data ErrorPage) error { return Render(w, p.errorPage, data) }

// NotesData renders a session's text at revision rev of head into the
// data of its notes page, through cache when it is not nil. With authors
// (nil: none), the page lists the contributors and every block names its
// authors on hover.
func NotesData(sess conference.Session, site string, urls URLs, text string, rev, head int, authors *Authorship, cache *notes.Cache) (NotesPage, error) {
	blame := authors.blamer(text)
	render := notes.RenderBlamed
	if cache != nil {
		render = func(text string, blame func(start, end int) string) (notes.Doc, error) {
			return cache.Render(notes.CacheKey{Pad: sess.ID, Rev: rev}, text, blame)
		}
	}
	doc, err := render(text, blame)
	if err != nil {
		return NotesPage{}, err
	}
	page := NotesPage{
		Page:    Page{Title: sess.Title, Site: site, URLs: urls},
		Session: sess, Rev: rev, Head: head, Old: rev < head,
		Doc: doc, Empty: text == "",
	}
	if authors != nil {
		page.Contributors = authors.contributors()
	}
	return page, nil
}
