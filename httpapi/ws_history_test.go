package httpapi

import (
	"database/sql"
	"testing"

	"github.com/coder/websocket"

	"github.com/confpad/confpad/collab"
)

// expectClosed reads c until its connection ends and fails unless it was
// closed with code.
func expectClosed(t *testing.T, c *wsClient, code websocket.StatusCode) {
	t.Helper()
	var err error
	for err == nil {
		_, err = c.tryRead()
	}
	if got := websocket.CloseStatus(err); got != code {
		t.Fatalf("connection ended with %v, want close code %d", err, code)
	}
}

// TestHistoryRewritten: when the store loses acknowledged ops and another
// writer commits different ones at their revisions, connections that saw
// the lost history are closed with 4410 so that they load the pad afresh,
// instead of being sent ops that do not fit what they hold.
func TestHistoryRewritten(t *testing.T) {
	t.Run("the pad reloads with less history", func(t *testing.T) {
		ts := newTestServer(t, Config{})
		a, b := dial(t, ts, "main"), dial(t, ts, "main")
		rev := a.join("a", -1).Rev
		b.join("b", -1)
		for i := range 4 {
			rev = a.op(rev, i+1, `["x"]`)
		}
		// The store loses revisions 3 and 4, and another replica commits
		// its own revision 3.
		db, err := sql.Open("sqlite", ts.path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(`DELETE FROM ops WHERE pad = 'main' AND rev > 2`); err != nil {
			t.Fatal(err)
		}
		other := openStore(t, ts.path)
		defer other.Close()
		if err := other.Append(t.Context(), "main", 2, []collab.Record{{Op: collab.Op{{Insert: "Z"}}, Client: "elsewhere", Seq: 1}}); err != nil {
			t.Fatal(err)
		}
		// The pad cannot give the log its history back: the op is refused
		// and the pad reloads.
		a.sendRaw(`{"type":"op","rev":4,"seq":5,"op":["y"]}`)
		if m := a.readType("error"); m.Code != codeUnavailable {
			t.Fatalf("op on the rewritten pad: %+v, want unavailable", m)
		}
		// The next join meets the reloaded pad: the others are reset.
		c := dial(t, ts, "main")
		welcome := c.join("c", -1)
		if welcome.Rev != 3 || welcome.Text == nil || *welcome.Text != "Zxx" {
			t.Errorf("fresh join: rev %d, text %v; want 3, Zxx", welcome.Rev, welcome.Text)
		}
		expectClosed(t, a, statusHistoryChanged)
		expectClosed(t, b, statusHistoryChanged)
		if got := c.op(3, 1, `[3,"!"]`); got != 4 {
			t.Errorf("op after the reset: rev %d, want 4", got)
		}
	})
	t.Run("a commit replaces a delivered revision", func(t *testing.T) {
		ts := newTestServer(t, Config{})
		a, b := dial(t, ts, "main"), dial(t, ts, "main")
		rev := a.join("a", -1).Rev
		b.join("b", -1)
		rev = a.op(rev, 1, `["x"]`)
		rev = a.op(rev, 2, `["y"]`)
		// Delivering a revision again, the same record, changes nothing.
		ts.srv.onCommit("main", []collab.Record{{Rev: rev, Op: collab.Op{{Insert: "y"}}, Client: "a", Seq: 2}})
		rev = a.op(rev, 3, `["z"]`)
		if m := b.readType("op"); m.Rev != 1 {
			t.Fatalf("b got %+v, want rev 1", m)
		}
		b.readType("op")
		if m := b.readType("op"); m.Rev != rev {
			t.Fatalf("b got %+v, want rev %d after the repeated delivery", m, rev)
		}
		// Another record at a delivered revision resets both.
		ts.srv.onCommit("main", []collab.Record{{Rev: rev, Op: collab.Op{{Insert: "q"}}, Client: "elsewhere", Seq: 1}})
		expectClosed(t, a, statusHistoryChanged)
		expectClosed(t, b, statusHistoryChanged)
	})
}
