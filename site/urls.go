package site

import "net/url"

// Where pages are, which decides how they link to each other.
const (
	live       = iota // served by confpad: absolute paths
	static            // files of a static site or zip: relative paths
	standalone        // one downloaded file: no links to other pages
)

// StylesheetFile is the name of the stylesheet in a static site or zip.
const StylesheetFile = "pages.css"

// URLs makes the links between pages for one setting: the live server,
// a static site, or a standalone file. A method that returns "" means the
// setting has no such page, and templates leave the link out.
type URLs struct {
	where int
	// root leads from the page to the top of a static site ("" or "../").
	root string
}

// LiveURLs links pages as the server serves them.
func LiveURLs() URLs { return URLs{where: live} }

// StandaloneURLs links nothing: for one session's downloaded HTML file.
func StandaloneURLs() URLs { return URLs{where: standalone} }

// staticURLs links pages of a static site from a page at depth 0 (the
// index) or 1 (sessions/ID.html).
func staticURLs(depth int) URLs {
	if depth == 0 {
		return URLs{where: static}
	}
	return URLs{where: static, root: "../"}
}

// Live reports whether the pages are served by confpad (so live counts
// and the editor exist).
func (u URLs) Live() bool { return u.where == live }

// Home is the index page.
func (u URLs) Home() string {
	switch u.where {
	case live:
		return "/"
	case static:
		return u.root + "index.html"
	}
	return ""
}

// Stylesheet is the pages' stylesheet (Stylesheet), or "" in a
// standalone file, which carries it inline.
func (u URLs) Stylesheet() string {
	switch u.where {
	case live:
		return "/assets/pages.css"
	case static:
		return u.root + StylesheetFile
	}
	return ""
}

// Notes is a session's notes page.
func (u URLs) Notes(id string) string {
	switch u.where {
	case live:
		return "/p/" + url.PathEscape(id) + "/notes"
	case static:
		return u.root + sessionFile(id, "html")
	}
	return ""
}

// Pad is a session's live editor.
func (u URLs) Pad(id string) string {
	if u.where != live {
		return ""
	}
	return "/p/" + url.PathEscape(id)
}

// Zip is the whole conference as a zip file.
func (u URLs) Zip() string {
	if u.where != live {
		return ""
	}
	return "/export.zip"
}

// Search is the search page's form action.
func (u URLs) Search() string {
	if u.where != live {
		return ""
	}
	return "/search"
}

// StartBoF is where the form that starts a BoF posts.
func (u URLs) StartBoF() string {
	if u.where != live {
		return ""
	}
	return "/bofs"
}

// Download is a file of a session's notes to download.
type Download struct {
	// Label is the link's text, URL where it points, Name the file name
	// to save as.
	Label, URL, Name string
}

// Downloads are the files of a session's notes that the setting offers.
func (u URLs) Downloads(id string) []Download {
	switch u.where {
	case live:
		base := "/p/" + url.PathEscape(id) + "/export."
		return []Download{
			{".md", base + "md", id + ".md"},
			{".txt", base + "txt", id + ".txt"},
			{".html", base + "html", id + ".html"},
		}
	case static:
		return []Download{{".md", u.root + sessionFile(id, "md"), id + ".md"}}
	}
	return nil
}

// sessionFile is the path of a session's file in a static site.
func sessionFile(id, ext string) string { return "sessions/" + id + "." + ext }
