package httpapi

import (
	"sync"
	"testing"
	"time"
)

// TestJoinStormIsQueuedNotRefused: joins over the admission rate wait for
// their turn; none is refused or closed by the join timeout, which ends
// when the join message arrives, although the last waits several times
// that long.
func TestJoinStormIsQueuedNotRefused(t *testing.T) {
	ts := newTestServer(t, Config{JoinRate: 20, JoinBurst: 2, JoinTimeout: 50 * time.Millisecond})
	const n = 10 // the last is admitted (n-2)/20 s = 400 ms after the first
	welcomes := make([]serverMsg, n)
	var wg sync.WaitGroup
	for i := range n {
		c := dial(t, ts, "main")
		wg.Go(func() { welcomes[i] = c.join("storm-"+itoa(i), -1) })
	}
	wg.Wait()
	for i, w := range welcomes {
		if w.Type != "welcome" || w.Text == nil {
			t.Errorf("join %d got %+v, want a welcome with the text", i, w)
		}
	}
	if got := ts.srv.people("main"); got != n {
		t.Errorf("%d people in the pad, want %d", got, n)
	}
}

// TestResumedReaderGetsOnlyWhatItMissed: a reader that resumes with since
// receives the ops after since, then a welcome without text, and nothing
// it had already.
func TestResumedReaderGetsOnlyWhatItMissed(t *testing.T) {
	ts := newTestServer(t, Config{})
	w := dial(t, ts, "main")
	w.join("writer", -1)
	rev := w.op(0, 1, `["one "]`)
	r := dial(t, ts, "main")
	if m := r.join("reader", -1); m.Rev != rev || *m.Text != "one " {
		t.Fatalf("reader's welcome %+v", m)
	}
	r.conn.CloseNow()
	rev = w.op(rev, 2, `[4,"two "]`)
	rev = w.op(rev, 3, `[8,"three"]`)

	r = dial(t, ts, "main")
	r.send(map[string]any{"type": "join", "client": secretOf("reader"), "since": 1})
	var got []serverMsg
	for {
		m := r.read()
		got = append(got, m)
		if m.Type == "welcome" {
			break
		}
	}
	if len(got) != 3 || got[0].Type != "op" || got[0].Rev != 2 || got[1].Type != "op" || got[1].Rev != 3 {
		t.Fatalf("the resume sent %+v, want the ops of revisions 2 and 3 and the welcome", got)
	}
	if wm := got[2]; wm.Text != nil || wm.Rev != rev || len(wm.Users) != 1 || wm.Users[0].Client != pub("writer") {
		t.Errorf("the resume's welcome is %+v, want revision %d without text, listing the writer", wm, rev)
	}
}

// TestJoinWaitingForAdmissionHoldsNoHub: a join that waits for admission
// holds no reference to the pad's hub (nor read the catalog for it), so a
// connection that goes away meanwhile leaves nothing behind.
func TestJoinWaitingForAdmissionHoldsNoHub(t *testing.T) {
	ts := newTestServer(t, Config{JoinRate: 0.05, JoinBurst: 1})
	first := dial(t, ts, "main")
	first.join("first", -1) // takes the only join of the burst
	waiting := dial(t, ts, "main")
	waiting.send(map[string]any{"type": "join", "client": secretOf("waiting")})
	time.Sleep(100 * time.Millisecond) // the server reads the join, which would wait 20 s
	ts.srv.hubsMu.RLock()
	refs := ts.srv.hubs["main"].refs
	ts.srv.hubsMu.RUnlock()
	if refs != 1 {
		t.Errorf("the pad's hub has %d references while one join waits, want 1 (the joined one's)", refs)
	}
	waiting.conn.CloseNow()
	first.conn.CloseNow()
}
