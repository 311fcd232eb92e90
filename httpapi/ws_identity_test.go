package httpapi

import (
	"testing"
	"time"

	"github.com/confpad/confpad/protocol"
)

// joinAs joins with a raw secret client id and returns the welcome.
func (c *wsClient) joinAs(secret string) serverMsg {
	c.t.Helper()
	c.send(map[string]any{"type": "join", "client": secret, "name": "Mallory"})
	return c.readType("welcome")
}

// victimAndAttacker joins the victim and a watcher, and an attacker who
// joins with the victim's id as everyone sees it (welcome users, op
// authors, presence): the most an attacker can know of the victim.
func victimAndAttacker(t *testing.T, ts *testServer) (victim, watcher, attacker *wsClient, victimID string) {
	t.Helper()
	victim, watcher, attacker = dial(t, ts, "main"), dial(t, ts, "main"), dial(t, ts, "main")
	watcher.join("watcher", -1)
	victimID = victim.join("victim", -1).You
	// A rename makes the victim an active user, whom everyone is shown.
	victim.send(map[string]any{"type": "rename", "name": "Victim"})
	if m := watcher.readType("presence"); m.User.Client != victimID {
		t.Fatalf("the watcher was not shown the victim as %s: %+v", victimID, m)
	}
	attacker.joinAs(victimID)
	return victim, watcher, attacker, victimID
}

// TestPublicIDIsNotTheSecret: what others see of a client is the public id
// derived from its secret, never the secret.
func TestPublicIDIsNotTheSecret(t *testing.T) {
	ts := newTestServer(t, Config{})
	c, other := dial(t, ts, "main"), dial(t, ts, "main")
	w := c.join("ada", -1)
	if w.You != pub("ada") || w.You == secretOf("ada") {
		t.Errorf("welcome.you = %q, want the public id %q", w.You, pub("ada"))
	}
	for _, u := range other.join("bob", -1).Users {
		if u.Client == secretOf("ada") {
			t.Error("the welcome shows ada's secret")
		}
	}
	c.op(0, 1, `["x"]`)
	if m := other.readType("op"); m.Author != pub("ada") {
		t.Errorf("op author %q, want ada's public id", m.Author)
	}
}

// TestForeignSeqDoesNotSwallowTheVictimsOp (defect 1a): an attacker who
// commits the victim's next seq under the victim's visible id does not
// make the victim's own op with that seq a duplicate: it is applied.
func TestForeignSeqDoesNotSwallowTheVictimsOp(t *testing.T) {
	ts := newTestServer(t, Config{})
	victim, _, attacker, _ := victimAndAttacker(t, ts)
	r1 := victim.op(0, 1, `["a"]`)
	r2 := attacker.op(r1, 2, `[1,"EVIL"]`)
	victim.readType("op") // the attacker's op
	r3 := victim.op(r2, 2, `[5,"b"]`)
	if r3 != r2+1 {
		t.Errorf("the victim's seq 2 was acked as revision %d, want a new revision %d", r3, r2+1)
	}
	if got := ts.text(t, "main"); got != "aEVILb" {
		t.Errorf("text %q, want %q: the victim's acknowledged op is lost", got, "aEVILb")
	}
}

// TestJoiningWithTheVisibleIDDoesNotCloseTheVictim (defect 1b): the
// attacker's join is another user; the victim stays connected and keeps
// getting its acks.
func TestJoiningWithTheVisibleIDDoesNotCloseTheVictim(t *testing.T) {
	ts := newTestServer(t, Config{})
	victim, _, _, _ := victimAndAttacker(t, ts)
	victim.sendRaw(`{"type":"op","rev":0,"seq":1,"op":["still here"]}`)
	for {
		m, err := victim.tryRead()
		if err != nil {
			t.Fatalf("the victim's connection ended: %v", err)
		}
		if m.Type == "ack" {
			break
		}
	}
	if n := ts.srv.people("main"); n != 3 {
		t.Errorf("%d people, want 3 (victim, watcher, attacker)", n)
	}
}

// TestEditsCarryTheirAuthorsOwnID (defect 1c): the attacker's edits are
// broadcast under the attacker's id, not the victim's.
func TestEditsCarryTheirAuthorsOwnID(t *testing.T) {
	ts := newTestServer(t, Config{})
	_, watcher, attacker, victimID := victimAndAttacker(t, ts)
	attacker.op(0, 1, `["I resign"]`)
	m := watcher.readType("op")
	if m.Author == victimID {
		t.Errorf("the attacker's op is broadcast under the victim's id %s", victimID)
	}
	if want := protocol.PublicID(protocol.DomainClient, victimID); m.Author != want {
		t.Errorf("author %q, want the attacker's public id %q", m.Author, want)
	}
}

// TestTakeoverNeedsTheSecret: the same secret still takes over its own
// older connection (a reconnect before the old one died), closing it with
// 4409; the visible id does not.
func TestTakeoverNeedsTheSecret(t *testing.T) {
	ts := newTestServer(t, Config{})
	victim, _, _, _ := victimAndAttacker(t, ts)
	again := dial(t, ts, "main")
	again.join("victim", 0)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if ce := closeError(t, victim); ce.Code != protocol.StatusReplaced {
			t.Errorf("old connection closed with %v, want %d", ce, protocol.StatusReplaced)
		}
	}()
	select {
	case <-done:
	case <-time.After(testTimeout):
		t.Fatal("the old connection was not closed")
	}
}
