package httpapi

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/confpad/confpad/cluster"
	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/protocol"
)

// dropBus is a cluster.Bus that loses every message of the kinds in drop.
type dropBus struct {
	cluster.Bus
	drop map[string]bool
}

func (b *dropBus) Publish(ctx context.Context, m cluster.Message) error {
	if b.drop[m.Kind] {
		return nil
	}
	return b.Bus.Publish(ctx, m)
}

// TestLostSessionUpdatesAreRepaired: every links and state message
// between two replicas is lost, yet the editors of the second replica get
// the new links and are reconnected when the session is archived (from
// the versions in the first replica's heartbeats), and are disconnected
// when it is deleted (from the periodic re-read).
func TestLostSessionUpdatesAreRepaired(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "confpad.db"))
	t.Cleanup(func() { st.Close() })
	bus := &dropBus{Bus: cluster.NewMemoryBus(), drop: map[string]bool{cluster.KindLinks: true, cluster.KindState: true}}
	cfg := Config{Bus: bus, PresenceInterval: 20 * time.Millisecond}
	s1, s2 := startServer(t, st, cfg), startServer(t, st, cfg)
	a, b := dial(t, s1, "main"), dial(t, s2, "main")
	a.join("ada", -1)
	b.join("bob", -1)

	status, body, _ := s1.do(t, "POST", "/api/v1/pads/main/links", `{"title":"Slides","url":"https://example.org/s.pdf"}`)
	if status != 201 {
		t.Fatalf("POST link: %d %s", status, body)
	}
	for _, c := range []*wsClient{a, b} {
		if m := c.readType("links"); len(m.Links) != 1 || m.Links[0].URL != "https://example.org/s.pdf" {
			t.Errorf("links pushed as %+v", m.Links)
		}
	}

	if status, body, _ := s1.do(t, "PATCH", "/api/v1/pads/main", `{"state":"archived"}`, bearer...); status != 200 {
		t.Fatalf("archive: %d %s", status, body)
	}
	if ce := closeError(t, a); ce.Code != websocket.StatusGoingAway {
		t.Fatalf("replica 1 closed its editor with %v, want going away", ce)
	}
	a = dial(t, s1, "main") // the editor reconnects; its replica heartbeats again
	if w := a.join("ada", 0); !w.ReadOnly || len(w.Links) != 1 {
		t.Fatalf("welcome on replica 1 after archiving: %+v", w)
	}
	if ce := closeError(t, b); ce.Code != websocket.StatusGoingAway || ce.Reason != "session is now archived; reconnect" {
		t.Fatalf("replica 2 closed its editor with %v, want going away (archived)", ce)
	}

	// Once deleted, no replica heartbeats the session any more; replica 2
	// finds out when it re-reads the sessions it serves.
	b = dial(t, s2, "main")
	b.join("bob", 0)
	if status, body, _ := s1.do(t, "DELETE", "/api/v1/pads/main", "", bearer...); status != 204 {
		t.Fatalf("delete: %d %s", status, body)
	}
	for i, c := range []*wsClient{a, b} {
		if ce := closeError(t, c); ce.Code != protocol.StatusUnknownPad || ce.Reason != "session deleted" {
			t.Errorf("replica %d closed its editor with %v, want %d (session deleted)", i+1, ce, protocol.StatusUnknownPad)
		}
	}
}

func TestSessionVersion(t *testing.T) {
	added := time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.UTC)
	link := conference.Link{ID: "l1", Title: "Slides", URL: "https://example.org/s.pdf", Added: added}
	open := accessKey(conference.PolicyOpen, "s1")
	base := sessionVersion(false, open, []conference.Link{link})
	changed := func(f func(*conference.Link)) []conference.Link {
		l := link
		f(&l)
		return []conference.Link{l}
	}
	cases := []struct {
		name     string
		archived bool
		access   string
		links    []conference.Link
		same     bool
	}{
		{"equal", false, open, []conference.Link{link}, true},
		{"open with another secret", false, accessKey("", "s2"), []conference.Link{link}, true},
		{"link policy", false, accessKey(conference.PolicyLink, "s1"), []conference.Link{link}, false},
		{"another time zone, same millisecond", false, open, changed(func(l *conference.Link) { l.Added = added.In(time.FixedZone("X", 3600)).Truncate(time.Millisecond) }), true},
		{"archived", true, open, []conference.Link{link}, false},
		{"no links", false, open, nil, false},
		{"another title", false, open, changed(func(l *conference.Link) { l.Title = "Deck" }), false},
		{"another URL", false, open, changed(func(l *conference.Link) { l.URL = "https://example.org/t.pdf" }), false},
		{"another id", false, open, changed(func(l *conference.Link) { l.ID = "l2" }), false},
		{"added later", false, open, changed(func(l *conference.Link) { l.Added = added.Add(time.Millisecond) }), false},
		{"fields shifted", false, open, changed(func(l *conference.Link) { l.ID, l.Title = "l1S", "lides" }), false},
		{"a second link", false, open, []conference.Link{link, link}, false},
	}
	for _, tc := range cases {
		if got := sessionVersion(tc.archived, tc.access, tc.links) == base; got != tc.same {
			t.Errorf("%s: same version %v, want %v", tc.name, got, tc.same)
		}
	}
	if sessionVersion(false, open, nil) != sessionVersion(false, open, []conference.Link{}) {
		t.Error("nil and empty links differ")
	}
}
