package client

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/protocol"
)

// simServer is an in-memory model of the server's ordering for the state
// machine tests: ops based on an old revision are transformed against the
// history after it with side Right, and (client, seq) pairs are deduped.
type simServer struct {
	text    string
	history []simRecord
	done    map[[2]string]int // (client, seq) -> revision
}

type simRecord struct {
	client string
	seq    int
	op     collab.Op
}

// submit commits op from client, based on revision base, and returns its
// revision.
func (s *simServer) submit(t *testing.T, client string, seq, base int, op collab.Op) int {
	t.Helper()
	key := [2]string{client, fmt.Sprint(seq)}
	if rev, ok := s.done[key]; ok {
		return rev
	}
	for _, r := range s.history[base:] {
		var err error
		if op, err = collab.Transform(op, r.op, collab.Right); err != nil {
			t.Fatalf("server transform: %v", err)
		}
	}
	text, err := collab.Apply(s.text, op)
	if err != nil {
		t.Fatalf("server apply %v to %q: %v", op, s.text, err)
	}
	s.text = text
	s.history = append(s.history, simRecord{client, seq, op})
	s.done[key] = len(s.history)
	return len(s.history)
}

// simClient is a state machine with its link to the server: what it sent
// and what the server has for it, each delivered in order.
type simClient struct {
	id      string
	st      state
	toSrv   []protocol.OpMessage
	fromSrv []int // revisions to deliver: an op, or an ack of the client's own
}

// sendInflight queues the op in flight as Client.sendInflightLocked does.
func (c *simClient) sendInflight() {
	f := c.st.inflight
	c.toSrv = append(c.toSrv, protocol.OpMessage{Type: protocol.TypeOp, Rev: f.base, Seq: f.seq, Op: f.wire})
}

// deliver hands the client the next revision the server has for it.
func (c *simClient) deliver(t *testing.T, srv *simServer) {
	t.Helper()
	rev := c.fromSrv[0]
	c.fromSrv = c.fromSrv[1:]
	r := srv.history[rev-1]
	if r.client == c.id {
		_, next, err := c.st.ack(r.seq, rev)
		if err != nil {
			t.Fatalf("%s: ack %d: %v", c.id, rev, err)
		}
		if next {
			c.sendInflight()
		}
		return
	}
	if _, err := c.st.remote(rev, r.op); err != nil {
		t.Fatalf("%s: remote %d: %v", c.id, rev, err)
	}
}

// resume models a dropped connection: unsent messages and undelivered
// revisions are lost; the client then gets every revision after its own
// and resends its op in flight unchanged.
func (c *simClient) resume(srv *simServer) {
	c.toSrv, c.fromSrv = nil, nil
	for rev := c.st.rev + 1; rev <= len(srv.history); rev++ {
		c.fromSrv = append(c.fromSrv, rev)
	}
	if c.st.inflight != nil {
		c.sendInflight()
	}
}

// randomOp returns an op that fits a text of n code points: an insert
// (sometimes of astral characters) or, if del, a delete at a random
// position, or both.
func randomOp(rng *rand.Rand, n int, del bool) collab.Op {
	alphabet := []string{"a", "b", "é", "€", "😀", "𝄞", "\n"}
	pos := rng.IntN(n + 1)
	var op []collab.Component
	if pos > 0 {
		op = append(op, collab.Skip(pos))
	}
	if d := rng.IntN(min(3, n-pos) + 1); del && d > 0 && rng.IntN(2) == 0 {
		op = append(op, collab.Delete(d))
	}
	if len(op) == 0 || op[len(op)-1].Skip() > 0 || rng.IntN(2) == 0 {
		var s string
		for range 1 + rng.IntN(3) {
			s += alphabet[rng.IntN(len(alphabet))]
		}
		op = append(op, collab.Insert(s))
	}
	return collab.Normalize(collab.NewOp(op...))
}

// TestStateConverges drives several state machines against the model
// server with random interleavings of local edits, sends, deliveries and
// dropped connections, then checks every local text equals the server's.
// Every other seed only inserts, and then the text's length shows that no
// edit was lost or applied twice (concurrent deletes of one character
// rightly delete it once, so with deletes length proves nothing).
func TestStateConverges(t *testing.T) {
	for seed := range uint64(200) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			deletes := seed%2 == 1
			srv := &simServer{done: map[[2]string]int{}}
			clients := make([]*simClient, 2+rng.IntN(3))
			for i := range clients {
				clients[i] = &simClient{id: fmt.Sprint("c", i), st: state{doc: collab.NewDoc("")}}
			}
			inserted := 0
			for range 300 {
				c := clients[rng.IntN(len(clients))]
				switch r := rng.IntN(10); {
				case r < 4:
					op := randomOp(rng, c.st.doc.Len(), deletes)
					send, err := c.st.edit(op)
					if err != nil {
						t.Fatalf("%s: edit %v: %v", c.id, op, err)
					}
					inserted += op.InsertLen() - op.DeleteLen()
					if send {
						c.sendInflight()
					}
				case r < 6 && len(c.toSrv) > 0:
					m := c.toSrv[0]
					c.toSrv = c.toSrv[1:]
					rev := srv.submit(t, c.id, m.Seq, m.Rev, m.Op)
					for _, o := range clients {
						if o != c || rev == len(srv.history) {
							o.fromSrv = append(o.fromSrv, rev)
						}
					}
				case r < 9 && len(c.fromSrv) > 0:
					c.deliver(t, srv)
				case r == 9 && rng.IntN(4) == 0:
					c.resume(srv)
				}
			}
			// Flush: every client resumes once more (which also covers a
			// resend of an op that was committed) and the links drain.
			for _, c := range clients {
				c.resume(srv)
			}
			for busy := true; busy; {
				busy = false
				for _, c := range clients {
					if len(c.toSrv) > 0 {
						m := c.toSrv[0]
						c.toSrv = c.toSrv[1:]
						rev := srv.submit(t, c.id, m.Seq, m.Rev, m.Op)
						for _, o := range clients {
							o.fromSrv = append(o.fromSrv, rev)
						}
						busy = true
					}
					for len(c.fromSrv) > 0 {
						if c.fromSrv[0] <= c.st.rev {
							c.fromSrv = c.fromSrv[1:]
							continue
						}
						c.deliver(t, srv)
						busy = true
					}
				}
			}
			for _, c := range clients {
				if got := c.st.doc.String(); got != srv.text {
					t.Fatalf("%s ends with %q, server with %q", c.id, got, srv.text)
				}
				if c.st.pending() != 0 || c.st.rev != len(srv.history) {
					t.Fatalf("%s: %d edits pending at revision %d of %d", c.id, c.st.pending(), c.st.rev, len(srv.history))
				}
			}
			if n := len([]rune(srv.text)); !deletes && n != inserted {
				t.Fatalf("server text has %d code points, the edits add up to %d: an edit was lost or doubled", n, inserted)
			}
		})
	}
}

// TestStateAck checks the ack rules one by one.
func TestStateAck(t *testing.T) {
	ins := func(s string) collab.Op { return collab.NewOp(collab.Insert(s)) }
	tests := []struct {
		name      string
		seq, rev  int
		wantAcked bool
		wantNext  bool
		wantErr   bool
	}{
		{name: "the op in flight", seq: 1, rev: 1, wantAcked: true, wantNext: true},
		{name: "a seq not waited for", seq: 7, rev: 1},
		{name: "a revision gap", seq: 1, rev: 3, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := state{doc: collab.NewDoc("")}
			if _, err := s.edit(ins("a")); err != nil {
				t.Fatal(err)
			}
			if _, err := s.edit(ins("b")); err != nil {
				t.Fatal(err)
			}
			acked, next, err := s.ack(tc.seq, tc.rev)
			if (err != nil) != tc.wantErr || (acked != nil) != tc.wantAcked || next != tc.wantNext {
				t.Fatalf("ack(%d, %d) = %v, %v, %v", tc.seq, tc.rev, acked, next, err)
			}
			if tc.wantNext && (s.inflight.seq != 2 || s.inflight.base != 1 || s.buffer != nil) {
				t.Fatalf("buffer not promoted: %+v", s.inflight)
			}
			if !tc.wantAcked && s.pending() != 2 {
				t.Fatalf("pending = %d after an ignored ack, want 2", s.pending())
			}
		})
	}
}

// TestStateRemote checks duplicates, gaps and the tie-break of a remote
// insert at the position of a pending local insert.
func TestStateRemote(t *testing.T) {
	s := state{doc: collab.NewDoc("xy")}
	if _, err := s.edit(collab.NewOp(collab.Skip(1), collab.Insert("L"))); err != nil {
		t.Fatal(err)
	}
	if applied, err := s.remote(0, collab.NewOp(collab.Insert("?"))); applied || err != nil {
		t.Fatalf("old revision: applied %v, err %v", applied, err)
	}
	if _, err := s.remote(2, collab.NewOp(collab.Insert("?"))); err == nil {
		t.Fatal("revision gap accepted")
	}
	// The server transforms the pending L against R with side Right, so R,
	// committed first, stays before L; the client must agree.
	if _, err := s.remote(1, collab.NewOp(collab.Skip(1), collab.Insert("R"))); err != nil {
		t.Fatal(err)
	}
	if _, err := s.remote(2, collab.NewOp(collab.Insert("Q"))); err != nil {
		t.Fatal(err)
	}
	if got := s.doc.String(); got != "QxRLy" {
		t.Fatalf("text %q, want QxRLy", got)
	}
	if got := s.inflight.op.String(); got != `[3,"L"]` {
		t.Fatalf("in-flight op %s, want [3,\"L\"]", got)
	}
	if got := s.inflight.wire.String(); got != `[1,"L"]` {
		t.Fatalf("wire op %s changed; a resend must repeat it", got)
	}
}
