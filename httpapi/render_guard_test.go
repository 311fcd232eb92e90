package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/confpad/confpad/internal/htmlcheck"
	"github.com/confpad/confpad/notes"
)

// TestNotesRenderedOncePerRevision checks that a revision is rendered once
// for the notes page (which names the authors on hover) and once for the
// exports (which do not), whoever reads them.
func TestNotesRenderedOncePerRevision(t *testing.T) {
	ts := newTestServer(t, Config{})
	insertText(t, ts, "main", "# Main\n")
	steps := []struct {
		path    string
		renders int64
	}{
		{"/p/main/notes", 1},
		{"/p/main/notes", 1},
		{"/p/main/export.html", 2},
		{"/p/main/export.html", 2},
		{"/p/main/notes?rev=0", 3},
		{"/export.zip", 4}, // and "old", at its head
		{"/export.zip", 4},
		{"/p/old/notes", 5},
	}
	for _, s := range steps {
		if status, _, _ := ts.do(t, "GET", s.path, ""); status != http.StatusOK {
			t.Fatalf("GET %s: %d", s.path, status)
		}
		if got := ts.srv.notes.Renders(); got != s.renders {
			t.Errorf("after GET %s: %d renders, want %d", s.path, got, s.renders)
		}
	}
	insertText(t, ts, "main", "more\n")
	ts.do(t, "GET", "/p/main/notes", "")
	if got := ts.srv.notes.Renders(); got != 6 {
		t.Errorf("after an edit: %d renders, want 6", got)
	}
}

// TestExportZipBusy checks that zip exports beyond maxZipExports at once
// are refused with 429 and Retry-After, and run again once one ends.
func TestExportZipBusy(t *testing.T) {
	ts := newTestServer(t, Config{})
	for range maxZipExports {
		ts.srv.zipSlots <- struct{}{}
	}
	status, body, h := ts.do(t, "GET", "/export.zip", "")
	if status != http.StatusTooManyRequests || h.Get("Retry-After") != zipRetryAfter || !strings.Contains(body, codeBusy) {
		t.Errorf("zip while %d run: %d %q Retry-After %q", maxZipExports, status, body, h.Get("Retry-After"))
	}
	<-ts.srv.zipSlots
	if status, _, _ := ts.do(t, "GET", "/export.zip", ""); status != http.StatusOK {
		t.Errorf("zip once one ended: %d", status)
	}
	if n := len(ts.srv.zipSlots); n != maxZipExports-1 {
		t.Errorf("%d slots taken after the export, want %d", n, maxZipExports-1)
	}
}

// TestPathologicalNotesPage is the review's denial of service: one op of
// 100,000 characters of nested list markers. The notes page shows every
// character with lists nested at most notes.MaxNesting deep.
func TestPathologicalNotesPage(t *testing.T) {
	ts := newTestServer(t, Config{})
	text := strings.Repeat("- ", 50_000) + "a\n"
	insertText(t, ts, "main", text)
	for _, path := range []string{"/p/main/notes", "/p/main/export.html"} {
		status, body, _ := ts.do(t, "GET", path, "")
		if status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, status)
		}
		article := body[strings.Index(body, `<article class="notes`):]
		if n := strings.Count(article[:strings.Index(article, "</article>")], "<ul>"); n > notes.MaxNesting {
			t.Errorf("GET %s: %d lists, want at most %d", path, n, notes.MaxNesting)
		}
		if got := strings.Count(htmlcheck.Parse(body).Text, "-"); got < 50_000-notes.MaxNesting {
			t.Errorf("GET %s shows %d of the %d dashes beyond the lists", path, got, 50_000-notes.MaxNesting)
		}
	}
}
