package replicatest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/coder/websocket"

	"github.com/confpad/confpad/client"
	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/internal/testutil"
	"github.com/confpad/confpad/protocol"
	"github.com/confpad/confpad/store/redisstore"
	"github.com/confpad/confpad/store/redisstore/redistest"
)

// TestNoForgedAcksAcrossReplicas (issue 12, defect 1d): an attacker on
// another replica who joins with the victim's id as everyone sees it and
// commits the victim's next seq is another author: the victim's replica
// sends the victim that op as an op, not as an ack of its own, and the
// victim's own op with that seq is committed, not taken for a duplicate.
func TestNoForgedAcksAcrossReplicas(t *testing.T) {
	srv := redistest.Start(t)
	top := startTopology(t, srv.URL(), 2)
	top.createPad(t, "forged")
	ports := top.ports()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()

	var mu sync.Mutex
	var events []client.Event
	victim, err := client.Dial(ctx, "ws://confpad.test/pads/forged/ws", client.Options{
		Client:     secretOf("victim"),
		HTTPClient: failoverHTTPClient(ports[:1], 0),
		OnEvent: func(e client.Event) {
			mu.Lock()
			defer mu.Unlock()
			events = append(events, e)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer victim.Close()
	if err := victim.Edit(collab.NewOp(collab.Insert("v"))); err != nil {
		t.Fatal(err)
	}
	if err := victim.WaitSynced(ctx); err != nil {
		t.Fatal(err)
	}

	// The attacker, on replica 1, joins with the victim's visible id and
	// sends seq 2, the victim's next.
	attacker, _, err := websocket.Dial(ctx, "ws://confpad.test/pads/forged/ws", &websocket.DialOptions{HTTPClient: failoverHTTPClient(ports[1:], 0)})
	if err != nil {
		t.Fatal(err)
	}
	defer attacker.CloseNow()
	for _, msg := range []string{
		fmt.Sprintf(`{"type":"join","client":%q}`, victim.ID()),
		`{"type":"op","rev":1,"seq":2,"op":[1,"EVIL"]}`,
	} {
		if err := attacker.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	attackerID := protocol.PublicID(protocol.DomainClient, victim.ID())
	var evilRev int
	testutil.Eventually(t, "the victim to hear of revision 2", func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range events {
			if (e.Kind == client.EventRemote || e.Kind == client.EventAck) && e.Rev >= 2 {
				evilRev = e.Rev
				return true
			}
		}
		return false
	})
	mu.Lock()
	for _, e := range events {
		switch {
		case e.Kind == client.EventAck && e.Seq != 1:
			t.Errorf("the victim got an ack of seq %d it never sent", e.Seq)
		case e.Kind == client.EventRemote && e.Author != attackerID:
			t.Errorf("the attacker's op came with author %q, want %q", e.Author, attackerID)
		}
	}
	mu.Unlock()

	// The victim's own seq 2 is committed after the attacker's.
	if err := victim.Edit(collab.NewOp(collab.Skip(5), collab.Insert("w"))); err != nil {
		t.Fatal(err)
	}
	if err := victim.WaitSynced(ctx); err != nil {
		t.Fatal(err)
	}
	rs, err := redisstore.Open(ctx, srv.URL(), redisstore.Options{ClientName: "replicatest-check"})
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	log, err := rs.Records(ctx, "forged", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range log {
		got = append(got, fmt.Sprintf("%d:%s/%d", r.Rev, r.Client, r.Seq))
	}
	want := []string{
		fmt.Sprintf("1:%s/1", victim.ID()),
		fmt.Sprintf("%d:%s/2", evilRev, attackerID),
		fmt.Sprintf("3:%s/2", victim.ID()),
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("log %v, want %v", got, want)
	}
	if text := victim.Text(); text != "vEVILw" {
		t.Errorf("the victim holds %q, want %q", text, "vEVILw")
	}
}
