package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/gobwas/ws"

	"github.com/confpad/confpad/internal/testutil"
	"github.com/confpad/confpad/protocol"
)

// closeError reads until the connection ends and returns its close frame.
// It may run in another goroutine, so it reports with Errorf.
func closeError(t *testing.T, c *wsClient) websocket.CloseError {
	err := c.readUntilClosed()
	var ce websocket.CloseError
	if !errors.As(err, &ce) {
		t.Errorf("connection ended with %v, want a close frame", err)
	}
	return ce
}

func TestShutdownClosesWebsocketsWithGoingAway(t *testing.T) {
	ts := newTestServer(t, Config{})
	c := dial(t, ts, "main")
	rev := c.join("a", -1).Rev
	rev = c.op(rev, 1, `["kept"]`)
	closed := make(chan websocket.CloseError, 1)
	go func() { closed <- closeError(t, c) }() // the client answers the close at once
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if err := ts.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if ce := <-closed; ce.Code != websocket.StatusGoingAway || ce.Reason != protocol.CloseRestarting.Reason {
		t.Errorf("closed with %v, want going away %q", ce, protocol.CloseRestarting.Reason)
	}
	// New websockets are refused; the acknowledged op is stored.
	if status, _, _ := ts.do(t, "GET", "/pads/main/ws", ""); status != 503 {
		t.Errorf("websocket during shutdown: status %d, want 503", status)
	}
	recs, err := ts.store.Records(ctx, "main", 0, -1)
	if err != nil || len(recs) != rev {
		t.Errorf("stored %d records (%v), want %d", len(recs), err, rev)
	}
}

// TestConnectionsWithoutJoinAreClosed: the join timeout runs on its own
// clock, not on the keepalive's (a ping interval far longer than it).
func TestConnectionsWithoutJoinAreClosed(t *testing.T) {
	ts := newTestServer(t, Config{PingInterval: time.Hour, JoinTimeout: 50 * time.Millisecond})
	c := dial(t, ts, "main")
	if ce := closeError(t, c); ce.Code != websocket.StatusPolicyViolation {
		t.Errorf("closed with %v, want policy violation", ce)
	}
}

func TestIdleConnectionsAreClosed(t *testing.T) {
	ts := newTestServer(t, Config{PingInterval: 20 * time.Millisecond, IdleTimeout: 100 * time.Millisecond})
	c := dial(t, ts, "main")
	c.join("idle", -1)
	if ce := closeError(t, c); ce.Code != websocket.StatusGoingAway || ce.Reason != "idle timeout" {
		t.Errorf("closed with %v, want going away (idle timeout)", ce)
	}
}

func TestSameClientIDReplacesOldConnection(t *testing.T) {
	ts := newTestServer(t, Config{})
	old, watcher := dial(t, ts, "main"), dial(t, ts, "main")
	old.join("same", -1)
	watcher.join("w", -1)
	fresh := dial(t, ts, "main")
	fresh.join("same", 0)
	if ce := closeError(t, old); ce.Code != protocol.StatusReplaced {
		t.Errorf("old connection closed with %v, want %d", ce, protocol.StatusReplaced)
	}
	// Acks go to the new connection; the user is still listed once.
	rev := fresh.op(0, 1, `["x"]`)
	if m := watcher.readType("op"); m.Rev != rev || m.Author != pub("same") {
		t.Errorf("watcher got %+v", m)
	}
	if n := ts.srv.people("main"); n != 2 {
		t.Errorf("%d people, want 2", n)
	}
}

// TestUnansweredPingsCloseTheConnection: a client that stops reading
// answers no pings, and is closed with "keepalive timeout".
func TestUnansweredPingsCloseTheConnection(t *testing.T) {
	ts := newTestServer(t, Config{PingInterval: 20 * time.Millisecond})
	c := dial(t, ts, "main")
	c.join("silent", -1) // then reads nothing, so pongs are not sent
	testutil.Eventually(t, "the server to give up on the connection", func() bool {
		ts.srv.connsMu.Lock()
		defer ts.srv.connsMu.Unlock()
		for cn := range ts.srv.conns {
			select {
			case <-cn.done:
				return true
			default:
			}
		}
		return false
	})
	if ce := closeError(t, c); ce.Code != websocket.StatusGoingAway || ce.Reason != "keepalive timeout" {
		t.Errorf("closed with %v, want going away (keepalive timeout)", ce)
	}
}

// TestClosingWhileTheJoinWaitsReleasesTheConnection: a client that sends
// join while admission makes it wait (the first join takes the only slot
// of the burst, the next comes 1000 s later), then closes, with a close
// frame or by closing the socket, is released without waiting for its
// turn: the reader meets the close while the join waits, and the kill
// ends the wait. What is left is the first connection, with its reader
// alone.
func TestClosingWhileTheJoinWaitsReleasesTheConnection(t *testing.T) {
	ts := newTestServer(t, Config{JoinRate: 0.001, JoinBurst: 1, PingInterval: time.Hour})
	tracked := func(want func(cn *conn) bool) *conn {
		ts.srv.connsMu.Lock()
		defer ts.srv.connsMu.Unlock()
		for cn := range ts.srv.conns {
			if want(cn) {
				return cn
			}
		}
		return nil
	}
	dial(t, ts, "main").join("first", -1)
	var first *conn
	testutil.Eventually(t, "the first connection to be joined", func() bool {
		first = tracked(func(cn *conn) bool { return cn.joined.Load() })
		return first != nil
	})
	tests := []struct {
		name  string
		close func(c *rawClient)
	}{
		{"close frame", func(c *rawClient) {
			c.write(ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusNormalClosure, "")), false)
		}},
		{"socket closed", func(c *rawClient) { c.conn.Close() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dialRaw(t, ts, "main")
			c.write(ws.NewTextFrame(joinMessage("waiting")), false)
			var waiting *conn
			testutil.Eventually(t, "the join to wait for admission", func() bool {
				waiting = tracked(func(cn *conn) bool { return cn != first && cn.asked.Load() })
				return waiting != nil
			})
			tt.close(c)
			testutil.Eventually(t, "the waiting connection to be released", func() bool {
				return tracked(func(cn *conn) bool { return cn == waiting }) == nil
			})
			if err := waiting.ctx.Err(); err == nil {
				t.Error("the released connection's context did not end")
			}
			testutil.Eventually(t, "its goroutines to end", func() bool { return connGoroutines() == 1 })
		})
	}
}

// TestOpRightBeforeTheCloseCommits sends an op and the close frame in
// one write, as a tab closed right after a keystroke does: the op the
// server read before the close is committed, although the close ends the
// connection (and its context) while the op is handled.
func TestOpRightBeforeTheCloseCommits(t *testing.T) {
	ts := newTestServer(t, Config{})
	for i := range 20 {
		c := dialRaw(t, ts, "main")
		c.write(ws.NewTextFrame(joinMessage(fmt.Sprint("closer", i))), false)
		if m := c.nextMessage(); m.Type != "welcome" {
			t.Fatalf("got %+v, want the welcome", m)
		}
		op, _ := json.Marshal(map[string]any{"type": "op", "seq": 1, "rev": i, "op": []any{"x"}})
		var both bytes.Buffer
		for _, f := range []ws.Frame{ws.NewTextFrame(op), ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusNormalClosure, ""))} {
			if err := ws.WriteFrame(&both, ws.MaskFrame(f)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := c.conn.Write(both.Bytes()); err != nil {
			t.Fatal(err)
		}
		want := strings.Repeat("x", i+1)
		testutil.Eventually(t, "the op to be committed", func() bool { return ts.text(t, "main") == want })
		c.conn.Close()
	}
}
