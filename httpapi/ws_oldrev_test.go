package httpapi

import (
	"fmt"
	"testing"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/protocol"
)

// TestOldRevisionsAreRevTooOld (issue 12, defect 3): on a pad with more
// revisions than the server keeps, an op or a cursor based on revision 0
// is refused with rev_too_old (the connection stays usable), and a resume
// from revision 0 gets a snapshot welcome instead of every record.
func TestOldRevisionsAreRevTooOld(t *testing.T) {
	const n = 3 * collab.DefaultKeepRecent
	ts := newTestServer(t, Config{})
	text := longPad(t, ts, n)
	c, other := dial(t, ts, "main"), dial(t, ts, "main")
	if w := c.join("old", -1); w.Rev != n {
		t.Fatalf("welcome at %d, want %d", w.Rev, n)
	}
	other.join("other", -1)

	c.sendRaw(`{"type":"op","rev":0,"seq":1,"op":["late"]}`)
	if m := c.readType("error"); m.Code != protocol.RevTooOld || m.Ref == nil || *m.Ref != 1 {
		t.Fatalf("op at revision 0: got %+v, want rev_too_old for seq 1", m)
	}
	c.sendRaw(`{"type":"cursor","rev":0,"sel":[1,1]}`)
	if m := c.readType("error"); m.Code != protocol.RevTooOld {
		t.Fatalf("cursor at revision 0: got %+v, want rev_too_old", m)
	}
	if rev := c.op(n, 2, `["now"]`); rev != n+1 {
		t.Errorf("an op at the head after the refusals became %d, want %d", rev, n+1)
	}
	if m := other.readType("op"); m.Rev != n+1 {
		t.Errorf("the other client got revision %d next, want %d", m.Rev, n+1)
	}

	r := dial(t, ts, "main")
	r.send(map[string]any{"type": "join", "client": secretOf("resumer"), "since": 0})
	m := r.read()
	if m.Type != "welcome" || m.Text == nil || *m.Text != "now"+text || m.Rev != n+1 {
		t.Fatalf("resume from 0: first message %s at %d (text %v), want a snapshot welcome at %d", m.Type, m.Rev, m.Text != nil, n+1)
	}

	// A resume within the recent records still gets exactly what it missed.
	r2 := dial(t, ts, "main")
	r2.send(map[string]any{"type": "join", "client": secretOf("resumer2"), "since": n - 1})
	var types []string
	for {
		m := r2.read()
		types = append(types, m.Type)
		if m.Type == "welcome" {
			if m.Text != nil {
				t.Error("a near resume got a snapshot")
			}
			break
		}
	}
	if fmt.Sprint(types) != "[op op welcome]" {
		t.Errorf("near resume got %v, want [op op welcome]", types)
	}
}
