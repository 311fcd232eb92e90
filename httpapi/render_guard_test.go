package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/confpad/confpad/internal/htmlcheck"
	"github.com/confpad/confpad/notes"
)

// TestNotesRenderedOncePerRevision checks that the notes page, the HTML
// export and the zip render a revision once, whoever reads it.
func TestNotesRenderedOncePerRevision(t *testing.T) {
	ts := newTestServer(t, Config{})
	insertText(t, ts, "main", "# Main\n")
	steps := []struct {
		path    string
		renders int64
	}{
		{"/p/main/notes", 1},
		{"/p/main/notes", 1},
		{"/p/main/export.html", 1},
		{"/p/main/notes?rev=0", 2},
		{"/export.zip", 3}, // and "old", at its head
		{"/export.zip", 3},
		{"/p/old/notes", 3},
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
	if got := ts.srv.notes.Renders(); got != 4 {
		t.Errorf("after an edit: %d renders, want 4", got)
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
		if n := strings.Count(body, "<ul>"); n > notes.MaxNesting {
			t.Errorf("GET %s: %d lists, want at most %d", path, n, notes.MaxNesting)
		}
		if got := strings.Count(htmlcheck.Parse(body).Text, "-"); got < 50_000-notes.MaxNesting {
			t.Errorf("GET %s shows %d of the %d dashes beyond the lists", path, got, 50_000-notes.MaxNesting)
		}
	}
}
