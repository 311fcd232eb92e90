package httpapi

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/confpad/confpad/internal/testutil"

	"github.com/coder/websocket"

	"github.com/confpad/confpad/collab"
)

// otClient is a small, correct OT client: at most one op in flight, later
// local edits composed into a buffer, incoming ops transformed against
// both. The server transforms incoming ops against history with side
// Left, so the client transforms its pending ops with Left and the
// incoming op with Right.
type otClient struct {
	t        testing.TB
	ws       *wsClient
	id       string
	doc      string // including the pending edits
	rev      int    // the server revision the client has seen
	seq      int
	inflight *collab.Op // nil if none
	inSeq    int
	buffer   *collab.Op // nil if none
	in       chan serverMsg
	rng      *rand.Rand
}

func newOTClient(t testing.TB, ts *testServer, id string, seed uint64) *otClient {
	c := &otClient{t: t, ws: dial(t, ts, "main"), id: id, in: make(chan serverMsg, 4096), rng: rand.New(rand.NewPCG(seed, 7))}
	w := c.ws.join(id, -1)
	c.doc, c.rev = *w.Text, w.Rev
	go func() {
		defer close(c.in)
		for {
			m, err := c.ws.tryRead()
			if err != nil {
				return
			}
			c.in <- m
		}
	}()
	return c
}

// edit makes a random local edit, astral characters included.
func (c *otClient) edit() {
	n := utf8.RuneCountInString(c.doc)
	pos := c.rng.IntN(n + 1)
	edit := collab.Insert([]string{"a", "b", "é", "😀", "🇫🇷", "\n", "漢", "e\u0301", "\r\n", "🧑‍💻"}[c.rng.IntN(10)])
	if n-pos > 0 && c.rng.IntN(3) == 0 {
		edit = collab.Delete(1 + c.rng.IntN(min(3, n-pos)))
	}
	op := collab.Normalize(collab.NewOp(collab.Skip(pos), edit))
	doc, err := collab.Apply(c.doc, op)
	if err != nil {
		c.t.Errorf("%s: local edit %v on %q: %v", c.id, op, c.doc, err)
		return
	}
	c.doc = doc
	switch {
	case c.inflight == nil:
		c.flush(op)
	case c.buffer == nil:
		c.buffer = &op
	default:
		if *c.buffer, err = collab.Compose(*c.buffer, op); err != nil {
			c.t.Errorf("%s: compose: %v", c.id, err)
		}
	}
}

// flush sends op as the op in flight.
func (c *otClient) flush(op collab.Op) {
	c.seq++
	c.inflight, c.inSeq = &op, c.seq
	raw, err := op.MarshalJSON()
	if err != nil {
		c.t.Errorf("%s: %v", c.id, err)
		return
	}
	msg := fmt.Sprintf(`{"type":"op","rev":%d,"seq":%d,"op":%s}`, c.rev, c.seq, raw)
	if err := c.ws.conn.Write(c.ws.ctx, websocket.MessageText, []byte(msg)); err != nil {
		c.t.Errorf("%s: send: %v", c.id, err)
	}
}

// handle applies one server message.
func (c *otClient) handle(m serverMsg) {
	switch m.Type {
	case "ack":
		if c.inflight == nil || m.Seq != c.inSeq || m.Rev != c.rev+1 {
			c.t.Errorf("%s: unexpected ack %+v at rev %d (in flight seq %d)", c.id, m, c.rev, c.inSeq)
			return
		}
		c.rev, c.inflight = m.Rev, nil
		if c.buffer != nil {
			op := *c.buffer
			c.buffer = nil
			c.flush(op)
		}
	case "op":
		if m.Rev != c.rev+1 || m.Author == pub(c.id) {
			c.t.Errorf("%s: op %d by %s at rev %d", c.id, m.Rev, m.Author, c.rev)
			return
		}
		op := mustParseOp(c.t, m.Op)
		var err error
		for _, pending := range []*collab.Op{c.inflight, c.buffer} {
			if pending == nil || err != nil {
				continue
			}
			mine := *pending
			if *pending, err = collab.Transform(mine, op, collab.Right); err == nil {
				op, err = collab.Transform(op, mine, collab.Left)
			}
		}
		if err == nil {
			c.doc, err = collab.Apply(c.doc, op)
		}
		if err != nil {
			c.t.Errorf("%s: remote op %d: %v", c.id, m.Rev, err)
		}
		c.rev = m.Rev
	case "error":
		c.t.Errorf("%s: server error %s: %s", c.id, m.Code, m.Message)
	}
}

// run makes edits with random delays until all are acknowledged.
func (c *otClient) run(edits int) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	made := 0
	for made < edits || c.inflight != nil {
		select {
		case m, ok := <-c.in:
			if !ok {
				c.t.Errorf("%s: connection closed", c.id)
				return
			}
			c.handle(m)
		case <-timer.C:
			if made < edits {
				c.edit()
				made++
				timer.Reset(time.Duration(c.rng.IntN(15)) * time.Millisecond)
			}
		case <-c.ws.ctx.Done():
			c.t.Errorf("%s: timed out with %d edits made", c.id, made)
			return
		}
	}
}

// catchUp reads until the client has seen revision head.
func (c *otClient) catchUp(head int) {
	for c.rev < head {
		select {
		case m, ok := <-c.in:
			if !ok {
				c.t.Errorf("%s: connection closed at rev %d", c.id, c.rev)
				return
			}
			c.handle(m)
		case <-c.ws.ctx.Done():
			c.t.Errorf("%s: timed out at rev %d of %d", c.id, c.rev, head)
			return
		}
	}
}

func TestConcurrentEditsConverge(t *testing.T) {
	ts := newTestServer(t, Config{})
	const clients, edits = 10, 25
	cs := make([]*otClient, clients)
	for i := range cs {
		cs[i] = newOTClient(t, ts, fmt.Sprintf("client-%d", i), uint64(i+1))
	}
	var wg sync.WaitGroup
	for _, c := range cs {
		wg.Add(1)
		go func() { defer wg.Done(); c.run(edits) }()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	var pad struct{ Rev int }
	status, body, _ := ts.do(t, "GET", "/api/v1/pads/main", "")
	if err := json.Unmarshal([]byte(body), &pad); status != 200 || err != nil {
		t.Fatalf("GET pad: %d %s", status, body)
	}
	if pad.Rev != clients*edits {
		// Composed buffers make fewer ops than edits, never more.
		if pad.Rev > clients*edits || pad.Rev < clients {
			t.Fatalf("head is %d after %d edits", pad.Rev, clients*edits)
		}
	}
	for _, c := range cs {
		wg.Add(1)
		go func() { defer wg.Done(); c.catchUp(pad.Rev) }()
	}
	wg.Wait()
	want := ts.text(t, "main")
	if utf8.RuneCountInString(want) < edits {
		t.Fatalf("text too short: %q", want)
	}
	for _, c := range cs {
		if c.doc != want {
			t.Errorf("%s has\n%q\nthe server has\n%q", c.id, c.doc, want)
		}
	}

	// A new Server on the same SQLite file serves the same text.
	ts.stop()
	ts.store.Close()
	st := openStore(t, ts.path)
	t.Cleanup(func() { st.Close() })
	again := startServer(t, st, Config{})
	if got := again.text(t, "main"); got != want {
		t.Errorf("after restart the text is\n%q\nwant\n%q", got, want)
	}
	if !strings.ContainsAny(want, "😀🇫🧑") {
		t.Logf("note: no astral character survived in %q", want)
	}
}

// TestResumeGetsExactlyTheMissedOps: a client that rejoins with since gets
// its own op as an ack and the others' as ops, then a welcome without text.
func TestResumeGetsExactlyTheMissedOps(t *testing.T) {
	ts := newTestServer(t, Config{})
	a, b := dial(t, ts, "main"), dial(t, ts, "main")
	w := a.join("alice", -1)
	b.join("bob", -1)
	r0 := w.Rev
	r1 := a.op(r0, 1, `["hello"]`)
	a.conn.Close(websocket.StatusNormalClosure, "")

	bobOps := []string{`[5," world"]`, `["> "]`, `[{"d":2}]`}
	for i, op := range bobOps {
		b.op(r1+i, i+1, op)
	}

	a2 := dial(t, ts, "main")
	a2.send(map[string]any{"type": "join", "client": secretOf("alice"), "name": "Alice", "since": r0})
	var got []serverMsg
	for {
		m := a2.read()
		if m.Type == "welcome" {
			if m.Text != nil || m.Rev != r1+len(bobOps) {
				t.Fatalf("welcome after resume: %+v", m)
			}
			break
		}
		if m.Type != "presence" {
			got = append(got, m)
		}
	}
	if len(got) != 1+len(bobOps) {
		t.Fatalf("got %d missed messages, want %d: %+v", len(got), 1+len(bobOps), got)
	}
	if got[0].Type != "ack" || got[0].Seq != 1 || got[0].Rev != r1 {
		t.Errorf("first missed message %+v, want the ack of alice's seq 1 at rev %d", got[0], r1)
	}
	for i, op := range bobOps {
		m := got[i+1]
		if m.Type != "op" || m.Rev != r1+i+1 || m.Author != pub("bob") || string(m.Op) != op {
			t.Errorf("missed message %d: %+v, want bob's op %s at rev %d", i+1, m, op, r1+i+1)
		}
	}

	// Resending alice's first op (same client, same seq) is acked with its
	// original revision and not applied again.
	before := ts.text(t, "main")
	a2.sendRaw(fmt.Sprintf(`{"type":"op","rev":%d,"seq":1,"op":["hello"]}`, r0))
	if ack := a2.readType("ack"); ack.Seq != 1 || ack.Rev != r1 {
		t.Errorf("resend acked as %+v, want seq 1 rev %d", ack, r1)
	}
	if after := ts.text(t, "main"); after != before || after != "hello world" {
		t.Errorf("text after the resend is %q (before %q), want %q", after, before, "hello world")
	}
}

// TestSlowClientIsCutOff: a client that never reads is disconnected while
// the others get every op, whether its send queue fills first or a write
// to it stalls first.
func TestSlowClientIsCutOff(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ops  int
	}{
		{"queue full", Config{SendQueue: 8, WriteTimeout: time.Minute}, 120},
		// A queue that never fills: 15 MB of inserts overflow the socket
		// buffers and a write blocks past the timeout.
		{"write stalled", Config{SendQueue: 10000, WriteTimeout: 300 * time.Millisecond}, 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { testSlowClientIsCutOff(t, tt.cfg, tt.ops) })
	}
}

func testSlowClientIsCutOff(t *testing.T, cfg Config, ops int) {
	cfg.ByteRate = 1 << 30 // the writer sends megabytes at once
	ts := newTestServer(t, cfg)
	big := strings.Repeat("x", 100000)
	slow, reader, writer := dial(t, ts, "main"), dial(t, ts, "main"), dial(t, ts, "main")
	slow.join("slow", -1)
	reader.join("reader", -1)
	rev := writer.join("writer", -1).Rev
	// The reader keeps reading; the slow client stops reading now, and big
	// ops fill its socket buffers.
	readerOps := make(chan int, 1)
	go func() {
		seen := 0
		for seen < ops {
			m, err := reader.tryRead()
			if err != nil {
				break
			}
			if m.Type == "op" {
				seen++
			}
		}
		readerOps <- seen
	}()
	for i := range ops {
		op := `["` + big + `"]`
		if i%2 == 1 {
			op = `[{"d":100000}]`
		}
		rev = writer.op(rev, i+1, op)
	}
	if seen := <-readerOps; seen != ops {
		t.Fatalf("the reader got %d ops, want %d", seen, ops)
	}
	testutil.Eventually(t, "the slow client to be cut off", func() bool {
		return counterValue(ts.srv.metrics.slowDisconnects) == 1
	})
	// Draining what was buffered ends in a closed connection.
	err := slow.readUntilClosed()
	if s := websocket.CloseStatus(err); s != -1 && s != websocket.StatusPolicyViolation {
		t.Errorf("slow client closed with %v, want policy violation or a dropped connection", err)
	}
	// The pad still works for the others.
	rev = writer.op(rev, ops+1, `["ok"]`)
	if m := reader.readType("op"); m.Rev != rev {
		t.Errorf("reader got rev %d, want %d", m.Rev, rev)
	}
}
