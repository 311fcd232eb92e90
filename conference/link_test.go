package conference

import (
	"testing"
	"time"
)

// TestLinkStamped: a stamped link keeps its title and URL and gets a fresh
// id and the current time, in UTC, to the millisecond.
func TestLinkStamped(t *testing.T) {
	before := time.Now().Truncate(time.Millisecond)
	l := Link{Title: "Slides", URL: "https://example.org/s.pdf"}
	a, b := l.Stamped(), l.Stamped()
	if a.Title != l.Title || a.URL != l.URL {
		t.Errorf("stamped %+v lost the title or URL of %+v", a, l)
	}
	if a.ID == "" || a.ID == b.ID {
		t.Errorf("ids %q and %q, want two different non-empty ones", a.ID, b.ID)
	}
	if a.Added.Location() != time.UTC || a.Added.Nanosecond()%int(time.Millisecond) != 0 ||
		a.Added.Before(before) || a.Added.After(time.Now()) {
		t.Errorf("added %v, want now in UTC to the millisecond", a.Added)
	}
}
