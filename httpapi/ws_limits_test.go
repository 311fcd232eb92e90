package httpapi

import (
	"strings"
	"testing"
	"time"

	"github.com/confpad/confpad/protocol"
	"github.com/gobwas/ws"
)

// TestByteRateThrottlesALargeSender (issue 12, defect 2): a connection
// that sends more than its byte burst is handled at its byte rate: its ops
// are still committed, later, while another client's op goes through at
// once.
func TestByteRateThrottlesALargeSender(t *testing.T) {
	const rate, burst = 100 << 10, 150 << 10 // 100 KiB/s, 150 KiB at once
	ts := newTestServer(t, Config{ByteRate: rate, ByteBurst: burst})
	flood, other := dial(t, ts, "main"), dial(t, ts, "main")
	rev := flood.join("flood", -1).Rev
	other.join("other", -1)
	big := `["` + strings.Repeat("x", 50<<10) + `"]` // ~50 KiB
	start := time.Now()
	// 8 ops of 50 KiB: 400 KiB, 250 KiB over the burst: 2.5 s at 100 KiB/s.
	for i := range 8 {
		rev = flood.op(rev, i+1, big)
		if i%2 == 0 {
			rev = flood.op(rev, i+100, `[{"d":51200}]`)
		}
	}
	elapsed := time.Since(start)
	// A lower bound only (no upper bound on wall-clock time): the bytes
	// over the burst cannot have been read faster than the rate.
	if min := 2 * time.Second; elapsed < min {
		t.Errorf("the flood of ~450 KiB was read in %v, faster than 100 KiB/s after a 150 KiB burst allows", elapsed)
	}
	if seconds := counterValue(ts.srv.metrics.throttledSeconds); seconds <= 0 {
		t.Errorf("throttled seconds metric %.2f, want > 0", seconds)
	}
	// Another connection is not throttled by it.
	for {
		m := other.read()
		if m.Type == "op" && m.Rev == rev {
			break
		}
	}
	r := other.op(rev, 1, `["hi"]`)
	if r != rev+1 {
		t.Errorf("other's op became %d, want %d", r, rev+1)
	}
}

// TestPadQuota (issue 12, defect 2): once a pad's stored history reaches
// the quota, an op that would pass it is refused with quota_exceeded
// (counted in the errors metric) and not stored, also after a restart (the
// pad's size is read back from the store).
func TestPadQuota(t *testing.T) {
	const quota = 64 << 10
	ts := newTestServer(t, Config{PadQuota: quota, ByteRate: 1 << 30})
	c := dial(t, ts, "main")
	rev := c.join("writer", -1).Rev
	chunk := strings.Repeat("y", 10<<10)
	seq := 0
	refused := false
	for range 20 { // 20 × 10 KiB would be 200 KiB
		seq++
		c.sendRaw(`{"type":"op","rev":` + itoa(rev) + `,"seq":` + itoa(seq) + `,"op":["` + chunk + `"]}`)
		m := c.read()
		for m.Type == "presence" {
			m = c.read()
		}
		if m.Type == "error" {
			if m.Code != protocol.QuotaExceeded || m.Ref == nil || *m.Ref != seq {
				t.Fatalf("op %d refused with %+v, want quota_exceeded", seq, m)
			}
			refused = true
			break
		}
		rev = m.Rev
	}
	if !refused {
		t.Fatal("200 KiB of ops were all stored under a 64 KiB quota")
	}
	if rev < 5 || rev > 7 {
		t.Errorf("%d ops of 10 KiB stored under a 64 KiB quota, want 5 to 6", rev)
	}
	if n := counterValue(ts.srv.metrics.errors.WithLabelValues(protocol.QuotaExceeded)); n != 1 {
		t.Errorf("confpad_errors_total{code=quota_exceeded} = %v, want 1", n)
	}
	stored := ts.text(t, "main")

	// After a restart the store says how full the pad is.
	ts.stop()
	ts2 := startServer(t, ts.store, Config{PadQuota: quota})
	c2 := dial(t, ts2, "main")
	c2.join("writer2", -1)
	c2.sendRaw(`{"type":"op","rev":` + itoa(rev) + `,"seq":1,"op":["` + chunk + `"]}`)
	if m := c2.readType("error"); m.Code != protocol.QuotaExceeded {
		t.Errorf("after a restart: %+v, want quota_exceeded", m)
	}
	if got := ts2.text(t, "main"); got != stored {
		t.Errorf("the pad changed after its quota was reached: %d characters, was %d", len(got), len(stored))
	}
}

// TestThrottledClientThatAnswersPingsStaysOpen: a client over its byte
// rate is slowed, not closed. While its messages wait for the rate, the
// server reads on (its pongs too), and while it holds the client's later
// data unread it does not count a pong behind that data as missing: with
// pings every 50 ms and 1.5 s of throttling, the keepalive leaves the
// connection open and every op is acked.
func TestThrottledClientThatAnswersPingsStaysOpen(t *testing.T) {
	const rate = 16 << 10 // 16 KiB/s, 16 KiB at once
	ts := newTestServer(t, Config{ByteRate: rate, ByteBurst: rate, PingInterval: 50 * time.Millisecond})
	c := dial(t, ts, "main")
	rev := c.join("slowed", -1).Rev
	big := `["` + strings.Repeat("x", 8<<10) + `"]`
	const ops = 5 // 40 KiB: 24 KiB over the burst, 1.5 s at the rate
	for i := range ops {
		c.sendRaw(`{"type":"op","rev":` + itoa(rev+i) + `,"seq":` + itoa(i+1) + `,"op":` + big + `}`)
	}
	// The client answers pings while it reads (coder/websocket does).
	for i := range ops {
		if ack := c.readType("ack"); ack.Seq != i+1 || ack.Rev != rev+i+1 {
			t.Fatalf("ack %+v, want seq %d rev %d", ack, i+1, rev+i+1)
		}
	}
	if seconds := counterValue(ts.srv.metrics.throttledSeconds); seconds <= 0 {
		t.Errorf("throttled seconds metric %.2f, want > 0", seconds)
	}
}

// TestThrottledClientThatNeverAnswersIsClosed: a client that answers no
// ping but keeps sending over its byte rate, so that the reader is always
// held back, is closed by the keepalive once its pong is later than a
// ping interval and the byte rate's time for the two messages held.
func TestThrottledClientThatNeverAnswersIsClosed(t *testing.T) {
	ts := newTestServer(t, Config{ByteRate: 2000, ByteBurst: 2000, MaxFrameBytes: 1000, PingInterval: 50 * time.Millisecond})
	c := dialRaw(t, ts, "main")
	c.write(ws.NewTextFrame(joinMessage("nopong")), false)
	if m := c.nextMessage(); m.Type != "welcome" {
		t.Fatalf("got %+v, want the welcome", m)
	}
	cursor := []byte(`{"type":"cursor","rev":0,"sel":[0,0],"pad":"` + strings.Repeat("y", 900) + `"}`)
	go func() { // keeps the reader held back; a write blocks while it is
		for {
			if err := ws.WriteFrame(c.conn, ws.MaskFrame(ws.NewTextFrame(cursor))); err != nil {
				return
			}
		}
	}()
	_ = c.conn.SetReadDeadline(time.Now().Add(time.Minute)) // fails, not hangs, if never closed
	code, reason := c.closeCode()                           // reads on, answering no ping
	if want := protocol.CloseKeepalive; code != ws.StatusCode(want.Code) {
		t.Errorf("closed with %d %q, want %d (keepalive)", code, reason, want.Code)
	}
}
