package httpapi

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/confpad/confpad/cluster"
	"github.com/confpad/confpad/internal/testutil"
	"github.com/confpad/confpad/protocol"
)

// cutBus is a cluster.Bus whose replica can be made to fall silent, as if
// it had died.
type cutBus struct {
	cluster.Bus
	cut atomic.Bool
}

func (b *cutBus) Publish(ctx context.Context, m cluster.Message) error {
	if b.cut.Load() {
		return nil
	}
	return b.Bus.Publish(ctx, m)
}

func peopleIn(t *testing.T, ts *testServer, pad string) int {
	t.Helper()
	status, body, _ := ts.do(t, "GET", "/api/v1/pads", "")
	var list padListJSON
	if err := json.Unmarshal([]byte(body), &list); status != 200 || err != nil {
		t.Fatalf("GET pads: %d %s", status, body)
	}
	for _, p := range list.Pads {
		if p.ID == pad {
			return p.People
		}
	}
	t.Fatalf("pad %s not listed", pad)
	return 0
}

// readPresence reads until a presence event of the given kind about client.
// readPresence reads messages until a presence event of the client tests
// call label.
func (c *wsClient) readPresence(event, label string) serverMsg {
	c.t.Helper()
	for {
		m := c.readType("presence")
		if m.Event == event && m.User.Client == pub(label) {
			return m
		}
	}
}

func TestPresenceAcrossReplicas(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "confpad.db"))
	t.Cleanup(func() { st.Close() })
	bus := cluster.NewMemoryBus()
	cfg := Config{Bus: bus, PresenceInterval: 50 * time.Millisecond, CursorInterval: time.Millisecond}
	s1 := startServer(t, st, cfg)
	dying := &cutBus{Bus: bus}
	cfg.Bus = dying
	s2 := startServer(t, st, cfg)

	a := dial(t, s1, "main")
	a.join("ada", -1)
	testutil.Eventually(t, "replica 2 to count ada", func() bool { return peopleIn(t, s2, "main") == 1 })

	// A reader is counted, not listed; one who acts is listed everywhere.
	b := dial(t, s2, "main")
	if w := b.join("bob", -1); len(w.Users) != 0 || w.People != 2 {
		t.Errorf("bob's welcome lists %v and counts %d, want nobody and 2", w.Users, w.People)
	}
	if m := a.readType("people"); m.People != 2 {
		t.Errorf("ada was told of %d people, want 2", m.People)
	}
	b.sendRaw(`{"type":"rename","name":"Bob B"}`)
	if m := a.readPresence("join", "bob"); m.User.Name != "Bob B" || m.User.Color != "#336699" {
		t.Errorf("ada saw bob join as %+v", m.User)
	}
	if n := peopleIn(t, s1, "main"); n != 2 {
		t.Errorf("replica 1 counts %d people, want 2", n)
	}
	c := dial(t, s1, "main")
	if w := c.join("cy", -1); len(w.Users) != 1 || w.Users[0].Client != pub("bob") || w.People != 3 {
		t.Errorf("cy's welcome lists %v and counts %d, want bob and 3", w.Users, w.People)
	}

	// Renames and cursors cross replicas.
	a.sendRaw(`{"type":"rename","name":"Ada L","color":"#ff0000"}`)
	if m := b.readPresence("join", "ada"); m.User.Name != "Ada L" || m.User.Color != "#ff0000" {
		t.Errorf("bob saw ada's rename as %+v", m.User)
	}
	a.sendRaw(`{"type":"cursor","rev":0,"sel":[0,0]}`)
	if m := b.readPresence("cursor", "ada"); m.User.Sel == nil || *m.User.Sel != [2]int{0, 0} || m.Rev != 0 {
		t.Errorf("bob saw ada's cursor as %+v", m)
	}

	// Links added on one replica reach the editors of both.
	status, body, _ := s1.do(t, "POST", "/api/v1/pads/main/links", `{"title":"Slides","url":"https://example.org/s.pdf"}`)
	if status != 201 {
		t.Fatalf("POST link: %d %s", status, body)
	}
	for _, c := range []*wsClient{a, b} {
		m := c.readType("links")
		if len(m.Links) != 1 || m.Links[0].URL != "https://example.org/s.pdf" || m.Links[0].Title != "Slides" {
			t.Errorf("links pushed as %+v", m.Links)
		}
	}

	// Replica 2 falls silent: its user disappears from replica 1.
	dying.cut.Store(true)
	a.readPresence("leave", "bob")
	if m := c.readType("people"); m.People != 2 {
		t.Errorf("after replica 2 died cy, welcomed with 3, was told of %d people, want 2", m.People)
	}
	if n := peopleIn(t, s1, "main"); n != 2 {
		t.Errorf("replica 1 counts %d people after replica 2 died, want 2", n)
	}
}

// TestCursorOlderThanTheHubIsMovedThroughTheEngine: a selection made at a
// revision from before the pad's hub existed (its recent records start at
// the first join) is moved by the engine instead, and still reaches the
// others at the head.
func TestCursorOlderThanTheHubIsMovedThroughTheEngine(t *testing.T) {
	ts := newTestServer(t, Config{CursorInterval: time.Millisecond})
	w := dial(t, ts, "main")
	w.join("writer", -1)
	r1 := w.op(0, 1, `["hello"]`)
	w.op(r1, 2, `["xyz"]`)
	w.conn.Close(websocket.StatusNormalClosure, "")
	testutil.Eventually(t, "the pad's hub to go", func() bool { return ts.srv.lookupHub("main") == nil })

	a, c := dial(t, ts, "main"), dial(t, ts, "main")
	a.join("ada", -1)
	c.join("cy", -1)
	// ada selected "ll" at revision 1, before this hub's first revision (2).
	a.sendRaw(`{"type":"cursor","rev":1,"sel":[2,4]}`)
	m := c.readPresence("cursor", "ada")
	if m.Rev != 2 || m.User.Sel == nil || *m.User.Sel != [2]int{5, 7} {
		t.Fatalf("cy saw ada's cursor %+v at rev %d, want [5 7] at rev 2", m.User.Sel, m.Rev)
	}
}

func TestCursorIsMovedThroughConcurrentOps(t *testing.T) {
	ts := newTestServer(t, Config{CursorInterval: time.Millisecond})
	a, c := dial(t, ts, "main"), dial(t, ts, "main")
	a.join("ada", -1)
	c.join("cy", -1)
	r1 := c.op(0, 1, `["hello"]`)
	a.readType("op")
	c.op(r1, 2, `["xyz"]`) // a has not seen this one yet
	// ada selected "ll" at revision 1; at revision 2 it is 3 further on.
	a.sendRaw(`{"type":"cursor","rev":1,"sel":[2,4]}`)
	m := c.readPresence("cursor", "ada")
	if m.Rev != 2 || m.User.Sel == nil || *m.User.Sel != [2]int{5, 7} {
		t.Fatalf("cy saw ada's cursor %+v at rev %d, want [5 7] at rev 2", m.User.Sel, m.Rev)
	}
	// A burst of moves ends with the latest selection.
	for i := range 20 {
		a.sendRaw(`{"type":"cursor","rev":2,"sel":[` + itoa(i%8) + `,` + itoa(i%8) + `]}`)
	}
	for {
		m := c.readPresence("cursor", "ada")
		if *m.User.Sel == [2]int{19 % 8, 19 % 8} {
			break
		}
	}
	// A new user sees ada's selection in the welcome.
	d := dial(t, ts, "main")
	var ada *protocol.User
	for _, u := range d.join("dee", -1).Users {
		if u.Client == pub("ada") {
			ada = &u
		}
	}
	switch {
	case ada == nil:
		t.Error("the welcome does not list ada")
	case ada.Sel == nil || *ada.Sel != [2]int{3, 3}:
		t.Errorf("welcome shows ada's selection as %v, want [3 3]", ada.Sel)
	}
}

// TestRenameIsNotEchoed: the others see a rename; the renamer, like for
// its other presence events, does not.
func TestRenameIsNotEchoed(t *testing.T) {
	ts := newTestServer(t, Config{})
	a, b := dial(t, ts, "main"), dial(t, ts, "main")
	a.join("ada", -1)
	b.join("bob", -1)
	// ada, a reader, appears to bob with her first rename.
	a.sendRaw(`{"type":"rename","name":"Ada L"}`)
	if m := b.readPresence("join", "ada"); m.User.Name != "Ada L" {
		t.Errorf("bob saw ada's first rename as %+v", m.User)
	}
	a.sendRaw(`{"type":"rename","name":"Ada M"}`)
	if m := b.readPresence("update", "ada"); m.User.Name != "Ada M" {
		t.Errorf("bob saw ada's rename as %+v", m.User)
	}
	a.sendRaw(`{"type":"op","rev":0,"seq":1,"op":["x"]}`)
	m := a.read()
	for m.Type == "people" {
		m = a.read()
	}
	if m.Type != "ack" {
		t.Errorf("after renaming, ada got %+v before her ack", m)
	}
}

// TestWelcomeListIsBounded: with more active users than
// protocol.MaxWelcomeUsers, a welcome lists the most recent of them, and
// counts everyone.
func TestWelcomeListIsBounded(t *testing.T) {
	ts := newTestServer(t, Config{})
	n := protocol.MaxWelcomeUsers + 5
	for i := range n {
		c := dial(t, ts, "main")
		c.join("user-"+itoa(i), -1)
		c.sendRaw(`{"type":"rename","name":"User ` + itoa(i) + `"}`)
	}
	last := dial(t, ts, "main")
	last.join("last", -1)
	time.Sleep(5 * time.Millisecond) // a later millisecond than the others'
	last.sendRaw(`{"type":"rename","name":"Last"}`)
	testutil.Eventually(t, "the last rename", func() bool {
		h := ts.srv.lookupHub("main")
		h.mu.Lock()
		defer h.mu.Unlock()
		return len(h.active) == n+1
	})
	w := dial(t, ts, "main").join("newcomer", -1)
	if len(w.Users) != protocol.MaxWelcomeUsers || w.People != n+2 {
		t.Fatalf("welcome lists %d users and counts %d, want %d and %d", len(w.Users), w.People, protocol.MaxWelcomeUsers, n+2)
	}
	if w.Users[0].Client != pub("last") || w.Users[0].Name != "Last" {
		t.Errorf("the welcome lists %+v first, want the most recently active", w.Users[0])
	}
}

// TestReplacedActiveUserStaysListed: an active user whose client
// reconnects before its old connection died stays listed, without a
// leave; a new name on the new connection is an update.
func TestReplacedActiveUserStaysListed(t *testing.T) {
	ts := newTestServer(t, Config{})
	old, watcher := dial(t, ts, "main"), dial(t, ts, "main")
	old.join("ada", -1)
	watcher.join("w", -1)
	old.sendRaw(`{"type":"rename","name":"Ada"}`)
	watcher.readPresence("join", "ada")

	fresh := dial(t, ts, "main")
	fresh.send(map[string]any{"type": "join", "client": secretOf("ada"), "name": "Ada L"})
	fresh.readType("welcome")
	if m := watcher.readType("presence"); m.Event != "update" || m.User.Client != pub("ada") || m.User.Name != "Ada L" {
		t.Errorf("the watcher got %+v, want ada's update and no leave", m)
	}
	w := dial(t, ts, "main").join("newcomer", -1)
	if len(w.Users) != 1 || w.Users[0].Client != pub("ada") || w.Users[0].Name != "Ada L" {
		t.Errorf("the newcomer's welcome lists %+v, want Ada L", w.Users)
	}
}
