package httpapi

import (
	"database/sql"
	"fmt"
	"testing"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/protocol"
)

// TestHistoryRewritten: when the store loses acknowledged ops and another
// writer commits different ones at their revisions, the pad cannot give
// the log its history back; connections that saw the lost history are
// closed with 4410 so that they load the pad afresh, instead of being
// sent ops that do not fit what they hold.
func TestHistoryRewritten(t *testing.T) {
	ts := newTestServer(t, Config{})
	a, b := dial(t, ts, "main"), dial(t, ts, "main")
	rev := a.join("a", -1).Rev
	b.join("b", -1)
	for i := range 4 {
		rev = a.op(rev, i+1, `["x"]`)
	}
	// The store loses revisions 3 and 4, and another replica commits its
	// own revision 3.
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
	if err := other.Append(t.Context(), "main", 2, []collab.Record{{Op: collab.NewOp(collab.Insert("Z")), Client: "elsewhere", Seq: 1}}); err != nil {
		t.Fatal(err)
	}
	// The next op meets the rewritten log.
	a.sendRaw(fmt.Sprintf(`{"type":"op","rev":%d,"seq":5,"op":["y"]}`, rev))
	for _, c := range []*wsClient{a, b} {
		if ce := closeError(t, c); ce.Code != protocol.StatusHistoryChanged {
			t.Fatalf("connection closed with %v, want close code %d", ce, protocol.StatusHistoryChanged)
		}
	}
	// A fresh join gets the log's history and can edit it.
	c := dial(t, ts, "main")
	welcome := c.join("c", -1)
	if welcome.Rev != 3 || welcome.Text == nil || *welcome.Text != "Zxx" {
		t.Errorf("fresh join: rev %d, text %v; want 3, Zxx", welcome.Rev, welcome.Text)
	}
	if got := c.op(3, 1, `[3,"!"]`); got != 4 || ts.text(t, "main") != "Zxx!" {
		t.Errorf("op after the reset: rev %d, text %q; want 4, Zxx!", got, ts.text(t, "main"))
	}
}
