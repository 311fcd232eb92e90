package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gobwas/ws"

	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/internal/testutil"
	"github.com/confpad/confpad/protocol"
)

// These tests attack the websocket connection layer as a hostile client
// would, each over a real loopback connection to a real server.

// maskedFrame is f encoded as a client sends it.
func maskedFrame(f ws.Frame) []byte {
	var b bytes.Buffer
	_ = ws.WriteFrame(&b, ws.MaskFrame(f))
	return b.Bytes()
}

// upgradeRequest is a handshake for pad's websocket, with extra header
// lines (each ending in CRLF) before its end.
func upgradeRequest(ts *testServer, pad, extra string) string {
	host := strings.TrimPrefix(ts.http.URL, "http://")
	return "GET /pads/" + pad + "/ws HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extra + "\r\n"
}

// dialHandshake sends req, and what follows it in the same write, on a
// new TCP connection and reads the answer's status line and headers; c
// reads the frames after them.
func dialHandshake(t *testing.T, ts *testServer, req string) (*http.Response, *rawClient) {
	t.Helper()
	nc, err := net.Dial("tcp", strings.TrimPrefix(ts.http.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(testTimeout))
	if _, err := io.WriteString(nc, req); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(nc)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res, &rawClient{t: t, conn: nc, r: br}
}

// connGoroutines counts the goroutines running a connection's code: its
// reader, writer and handler.
func connGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		if bytes.Contains(g, []byte("httpapi.(*conn).")) || bytes.Contains(g, []byte("httpapi.(*frameReader).")) {
			count++
		}
	}
	return count
}

// waitConnsGone waits until the server tracks no connection, has no
// goroutine left running one, and every address's slot is released.
func waitConnsGone(t *testing.T, ts *testServer) {
	t.Helper()
	testutil.Eventually(t, "every connection to be released", func() bool {
		ts.srv.connsMu.Lock()
		defer ts.srv.connsMu.Unlock()
		return len(ts.srv.conns) == 0
	})
	testutil.Eventually(t, "the connections' goroutines to end", func() bool {
		return connGoroutines() == 0
	})
	testutil.Eventually(t, "every address's slots to be released", func() bool {
		ts.srv.perAddr.mu.Lock()
		defer ts.srv.perAddr.mu.Unlock()
		return len(ts.srv.perAddr.byAddr) == 0
	})
}

// TestHandshakeWithPipelinedFrames: a client that sends its join in the
// same write as the upgrade request, without waiting for the answer, is
// joined: the bytes that arrived with the handshake are neither lost nor
// misparsed, and the reading goes on from the socket after them.
func TestHandshakeWithPipelinedFrames(t *testing.T) {
	ts := newTestServer(t, Config{})
	join := maskedFrame(ws.NewTextFrame(joinMessage("pipelined")))
	res, c := dialHandshake(t, ts, upgradeRequest(ts, "main", "")+string(join))
	if res.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade answered %d", res.StatusCode)
	}
	if m := c.nextMessage(); m.Type != "welcome" {
		t.Fatalf("the pipelined join was answered with %+v, want a welcome", m)
	}
	// A frame written after the buffered ones is read too.
	c.write(ws.NewPingFrame([]byte("later")), false)
	if f, _ := c.next(); f.Header.OpCode != ws.OpPong || string(f.Payload) != "later" {
		t.Errorf("a later ping was answered with %v %q, want its pong", f.Header.OpCode, f.Payload)
	}
}

// TestOddHandshakes: upgrade requests that break RFC 6455 get an HTTP
// error, not a websocket, and hold no connection slot: the address can
// still open its MaxConnsPerAddr connections afterwards.
func TestOddHandshakes(t *testing.T) {
	const limit = 2
	ts := newTestServer(t, Config{MaxConnsPerAddr: limit})
	host := strings.TrimPrefix(ts.http.URL, "http://")
	base := "GET /pads/main/ws HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
	tests := []struct{ name, req string }{
		{"no key", base + "Sec-WebSocket-Version: 13\r\n\r\n"},
		{"a short key", base + "Sec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n\r\n"},
		{"two keys", base + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"},
		{"two versions", base + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Version: 13\r\n\r\n"},
		{"version 8", base + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n"},
		{"HTTP/1.0", strings.Replace(upgradeRequest(ts, "main", ""), "HTTP/1.1", "HTTP/1.0", 1)},
		{"POST", strings.Replace(upgradeRequest(ts, "main", ""), "GET", "POST", 1)},
		// A body would be read as the first frames.
		{"a body", upgradeRequest(ts, "main", "Content-Length: 14\r\n") + "\x81\x88\x00\x00\x00\x00{\"type\":1}"},
		{"a chunked body", upgradeRequest(ts, "main", "Transfer-Encoding: chunked\r\n") + "0\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, _ := dialHandshake(t, ts, tt.req)
			if res.StatusCode < 400 {
				t.Errorf("answered %d, want an HTTP error", res.StatusCode)
			}
		})
	}
	// The upgrader writes its HTTP error before the handler returns and
	// the slot is released: wait for that, then use every slot.
	testutil.Eventually(t, "the refused handshakes' slots to be released", func() bool {
		ts.srv.perAddr.mu.Lock()
		defer ts.srv.perAddr.mu.Unlock()
		return len(ts.srv.perAddr.byAddr) == 0
	})
	for range limit {
		dialRaw(t, ts, "main")
	}
}

// TestMalformedFramesFailTheConnection: frames RFC 6455 forbids close
// the connection with 1002 (protocol error), not as if all were well.
func TestMalformedFramesFailTheConnection(t *testing.T) {
	ts := newTestServer(t, Config{})
	tests := []struct {
		name string
		raw  []byte
	}{
		// A close frame's body is a 2-byte code and a reason, or nothing.
		{"a close frame with a 1-byte body", maskedFrame(ws.NewCloseFrame([]byte{0x03}))},
		{"a close code over 4999", maskedFrame(ws.NewCloseFrame(binary.BigEndian.AppendUint16(nil, 5000)))},
		{"a close code of 65535", maskedFrame(ws.NewCloseFrame(binary.BigEndian.AppendUint16(nil, 65535)))},
		{"a close reason that is not UTF-8", maskedFrame(ws.NewCloseFrame(append(binary.BigEndian.AppendUint16(nil, 1000), 0xff, 0xfe)))},
		// A 64-bit length must have its most significant bit clear.
		{"a 64-bit length with the top bit set", []byte{0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dialRaw(t, ts, "main")
			if _, err := c.conn.Write(tt.raw); err != nil {
				t.Fatal(err)
			}
			if code, reason := c.closeCode(); code != ws.StatusProtocolError {
				t.Errorf("closed with %d %q, want %d", code, reason, ws.StatusProtocolError)
			}
		})
	}
}

// TestFloodsOfFramesAreRateLimited: the message rate counts frames, so a
// flood of empty fragments of one message, or of pings, closes the
// connection as a flood of messages does; neither costs the server
// memory meanwhile, and the connection's goroutines end.
func TestFloodsOfFramesAreRateLimited(t *testing.T) {
	const burst = 20
	ts := newTestServer(t, Config{MessageRate: 1, MessageBurst: burst})
	tests := []struct {
		name  string
		flood []byte // sent 10 times the burst
		start []byte // sent once before
	}{
		{"empty fragments", maskedFrame(ws.NewFrame(ws.OpContinuation, false, nil)), maskedFrame(ws.NewFrame(ws.OpText, false, []byte("{")))},
		{"pings", maskedFrame(ws.NewPingFrame([]byte("p"))), nil},
		{"pongs", maskedFrame(ws.NewPongFrame(nil)), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dialRaw(t, ts, "main")
			c.write(ws.NewTextFrame(joinMessage("flood-"+strings.ReplaceAll(tt.name, " ", "-"))), false)
			if m := c.nextMessage(); m.Type != "welcome" {
				t.Fatalf("join answered with %+v", m)
			}
			// The client writes while it reads, as a flooder would: the
			// server's pongs must not fill the socket buffers first.
			go func() {
				_, _ = c.conn.Write(append(tt.start, bytes.Repeat(tt.flood, 10*burst)...))
			}()
			if code, reason := c.closeCode(); code != ws.StatusPolicyViolation || reason != protocol.CloseTooMany.Reason {
				t.Errorf("closed with %d %q, want the message rate's close", code, reason)
			}
			c.write(ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusNormalClosure, "")), false)
			_, _ = io.Copy(io.Discard, c.r)
			c.conn.Close()
		})
	}
	waitConnsGone(t, ts)
}

// TestSlotsReleasedOnceInEveryPath: an address opens its whole
// allowance of connections and each ends in another way (a protocol
// error, a client close, a message far too large, a vanished client, an
// unknown pad, no join, a client too slow); afterwards the server holds
// no connection nor goroutine of them, and the address can open its whole
// allowance again. A slot released twice or never would show in the
// count.
func TestSlotsReleasedOnceInEveryPath(t *testing.T) {
	const limit = 1024
	ts := newTestServer(t, Config{MaxFrameBytes: limit, JoinTimeout: 100 * time.Millisecond})
	joined := func(c *rawClient, label string) {
		c.write(ws.NewTextFrame(joinMessage(label)), false)
		if m := c.nextMessage(); m.Type != "welcome" {
			t.Fatalf("join answered with %+v", m)
		}
	}
	abuses := []struct {
		name  string
		pad   string
		abuse func(c *rawClient)
	}{
		{"protocol error", "main", func(c *rawClient) { c.write(ws.NewTextFrame([]byte("{}")), true) }},
		{"client close", "main", func(c *rawClient) {
			c.write(ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusNormalClosure, "")), false)
		}},
		{"far too large", "main", func(c *rawClient) {
			c.write(ws.Frame{Header: ws.Header{Fin: true, OpCode: ws.OpText, Length: limit*hardReadLimitFactor + 1}}, false)
		}},
		{"vanished mid-frame", "main", func(c *rawClient) {
			joined(c, "vanished-mid-frame")
			_, _ = c.conn.Write(maskedFrame(ws.NewTextFrame(joinMessage("x")))[:9])
			c.conn.Close()
		}},
		{"unknown pad", "nowhere", func(c *rawClient) {}},
		{"no join", "main", func(c *rawClient) {}},
		{"too slow", "main", func(c *rawClient) {
			joined(c, "too-slow-client")
			ts.srv.connsMu.Lock()
			for cn := range ts.srv.conns {
				if cn.joined.Load() {
					cn.tooSlow()
				}
			}
			ts.srv.connsMu.Unlock()
		}},
	}
	ts.srv.perAddr.max = len(abuses) // as MaxConnsPerAddr would
	clients := make([]*rawClient, len(abuses))
	for i, a := range abuses {
		clients[i] = dialRaw(t, ts, a.pad)
		if a.name != "too slow" {
			a.abuse(clients[i])
		}
	}
	// The last one is abused once the others are no longer joined.
	abuses[len(abuses)-1].abuse(clients[len(abuses)-1])
	for _, c := range clients {
		go func() { // the clients answer the close, or vanish, as clients do
			_, _ = io.Copy(io.Discard, c.r)
			c.conn.Close()
		}()
	}
	waitConnsGone(t, ts)
	for i := range abuses {
		c := dialRaw(t, ts, "main")
		joined(c, "again-"+strings.Repeat("x", 10)+string(rune('a'+i)))
	}
	if res, _ := dialHandshake(t, ts, upgradeRequest(ts, "main", "")); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("one connection over the allowance answered %d, want 429", res.StatusCode)
	}
}

// TestSlowlorisIsClosedByTheIdleTimeout: a client that trickles a frame
// one byte at a time, forever, never completes a message; the idle
// timeout closes it, and the server stops waiting for it (it cannot send
// its close frame) soon after.
func TestSlowlorisIsClosedByTheIdleTimeout(t *testing.T) {
	ts := newTestServer(t, Config{IdleTimeout: 150 * time.Millisecond, PingInterval: 100 * time.Millisecond})
	c := dialRaw(t, ts, "main")
	c.write(ws.NewTextFrame(joinMessage("slowloris-client")), false)
	if m := c.nextMessage(); m.Type != "welcome" {
		t.Fatalf("join answered with %+v", m)
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		frame := maskedFrame(ws.NewTextFrame(bytes.Repeat([]byte("x"), 1000)))
		for _, b := range frame {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			if _, err := c.conn.Write([]byte{b}); err != nil {
				return
			}
		}
	}()
	if code, reason := c.closeCode(); code != ws.StatusGoingAway || reason != protocol.CloseIdle.Reason {
		t.Errorf("closed with %d %q, want the idle timeout's", code, reason)
	}
	// The server closes the TCP connection although the client still
	// trickles and never answers the close.
	if _, err := io.Copy(io.Discard, c.r); err != nil {
		t.Errorf("after the close: %v, want EOF", err)
	}
	waitConnsGone(t, ts)
}

// TestShutdownDuringAnUpgradeStorm: Shutdown while clients keep
// upgrading and joining returns once every websocket is closed; the
// upgrades that arrive meanwhile are refused or closed at once, and none
// stays tracked, running or holding its address's slot.
func TestShutdownDuringAnUpgradeStorm(t *testing.T) {
	ts := newTestServer(t, Config{})
	const dialers = 8
	var started sync.WaitGroup
	started.Add(dialers)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for d := range dialers {
		wg.Go(func() {
			first := true
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
				nc, br, _, err := ws.Dialer{}.Dial(ctx, ts.wsURL("main"))
				cancel()
				if first {
					first = false
					started.Done()
				}
				if err != nil {
					continue // refused: the server is shutting down
				}
				_ = nc.SetDeadline(time.Now().Add(testTimeout))
				var b bytes.Buffer
				_ = ws.WriteFrame(&b, ws.MaskFrame(ws.NewTextFrame(joinMessage(fmt.Sprintf("storm-%d-%08d", d, i)))))
				_, _ = nc.Write(b.Bytes())
				var r io.Reader = nc
				if br != nil {
					r = io.MultiReader(br, nc)
				}
				_, _ = io.Copy(io.Discard, r) // until the server closes it
				nc.Close()
			}
		})
	}
	started.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if err := ts.srv.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	close(stop)
	wg.Wait()
	waitConnsGone(t, ts)
}

// TestBroadcastWhileConnectionsClose: readers vanish, close or are
// closed while an editor's ops are broadcast to them; the editor's every
// op is acknowledged, and the readers leave nothing behind.
func TestBroadcastWhileConnectionsClose(t *testing.T) {
	ts := newTestServer(t, Config{MessageRate: 1e6, MessageBurst: 1e6})
	const readers, ops = 24, 100
	rs := make([]*rawClient, readers)
	for i := range rs {
		rs[i] = dialRaw(t, ts, "main")
		rs[i].write(ws.NewTextFrame(joinMessage(fmt.Sprintf("reader-%010d", i))), false)
		if m := rs[i].nextMessage(); m.Type != "welcome" {
			t.Fatalf("reader %d: join answered with %+v", i, m)
		}
	}
	editor := dialRaw(t, ts, "main")
	editor.write(ws.NewTextFrame(joinMessage("the-editor-client")), false)
	if m := editor.nextMessage(); m.Type != "welcome" {
		t.Fatalf("editor: join answered with %+v", m)
	}
	var wg sync.WaitGroup
	for i, c := range rs {
		wg.Go(func() {
			for range i % 8 { // a few broadcasts first
				if _, err := readFrame(c.r); err != nil {
					return
				}
			}
			switch i % 3 {
			case 0: // vanishes
				c.conn.Close()
				return
			case 1: // closes
				c.write(ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusGoingAway, "")), false)
			case 2: // stops reading mid-frame, then vanishes
				_, _ = io.ReadFull(c.r, make([]byte, 3))
				c.conn.Close()
				return
			}
			_, _ = io.Copy(io.Discard, c.r)
			c.conn.Close()
		})
	}
	for seq := 1; seq <= ops; seq++ {
		op := fmt.Sprintf(`{"type":"op","rev":%d,"seq":%d,"op":["x"]}`, seq-1, seq)
		editor.write(ws.NewTextFrame([]byte(op)), false)
		for {
			m := editor.nextMessage()
			if m.Type == "error" {
				t.Fatalf("op %d: %+v", seq, m)
			}
			if m.Type == "ack" {
				break
			}
		}
	}
	editor.conn.Close()
	wg.Wait()
	waitConnsGone(t, ts)
	if got := ts.text(t, "main"); !strings.Contains(got, strings.Repeat("x", ops)) {
		t.Errorf("the pad holds %q, want the %d ops", got, ops)
	}
}

// TestPingFloodWithoutReading: a client that sends pings as fast as it
// can and reads none of the pongs cannot make the server queue them
// without bound: once the socket and the queue are full it is closed as
// too slow, and released although it keeps sending.
func TestPingFloodWithoutReading(t *testing.T) {
	ts := newTestServer(t, Config{MessageRate: 1e9, MessageBurst: 1e9, SendQueue: 8, WriteTimeout: 200 * time.Millisecond})
	d := ws.Dialer{NetDial: func(ctx context.Context, network, addr string) (net.Conn, error) {
		nd := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
			return rc.Control(func(fd uintptr) {
				_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
			})
		}}
		return nd.DialContext(ctx, network, addr)
	}}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	nc, _, _, err := d.Dial(ctx, ts.wsURL("main"))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(testTimeout))
	pings := bytes.Repeat(maskedFrame(ws.NewPingFrame(bytes.Repeat([]byte("p"), ws.MaxControlFramePayloadSize))), 1000)
	// Writes fail once the server has closed the connection; 1 GiB at
	// most bounds the loop should it never.
	for sent := 0; sent < 1<<30; sent += len(pings) {
		if _, err := nc.Write(pings); err != nil {
			break
		}
	}
	testutil.Eventually(t, "the flooder to be closed as too slow", func() bool {
		return counterValue(ts.srv.metrics.slowDisconnects) == 1
	})
	waitConnsGone(t, ts)
}

// TestWriterLeavesNoDeadlineBehind: when the writer ends, the socket's
// write deadline is cleared before the next send may write or start
// another writer. Were it cleared after (outside queueMu), it could clear
// the deadline the next writer just set, and that writer would wait for
// a client that reads nothing forever: never closed as too slow, its
// goroutines and slot held.
func TestWriterLeavesNoDeadlineBehind(t *testing.T) {
	ts := newTestServer(t, Config{})
	server, client := socketPair(t)
	cn := newSocketConn(ts.srv, server)
	// A writer whose last burst set a deadline that has passed since.
	_ = server.SetWriteDeadline(time.Now().Add(-time.Second))
	cn.queueMu.Lock()
	cn.writing = true
	cn.queueMu.Unlock()
	if _, more := cn.takeBurst(nil); more {
		t.Fatal("takeBurst of an empty queue went on")
	}
	// The writer has given up the socket: a send writes at once.
	cn.sendFrame(textFrame([]byte("next")))
	cn.queueMu.Lock()
	queued := len(cn.queue)
	cn.queueMu.Unlock()
	if queued != 0 {
		t.Fatal("the send after the writer ended met its deadline and was queued")
	}
	_ = client.SetReadDeadline(time.Now().Add(testTimeout))
	if f, err := readFrame(client); err != nil || string(f.Payload) != "next" {
		t.Errorf("read %q, %v; want the frame sent", f.Payload, err)
	}
}

// TestFragmentLengthsDoNotOverflow: fragments whose lengths add up past
// the largest int64 close the connection as too big; the sum must not
// wrap around to a small size that the server then tries to read.
func TestFragmentLengthsDoNotOverflow(t *testing.T) {
	ts := newTestServer(t, Config{MaxFrameBytes: 1024})
	c := dialRaw(t, ts, "main")
	c.write(ws.NewFrame(ws.OpText, false, []byte("{")), false)
	// Only the header: the server must not wait for the payload.
	c.write(ws.Frame{Header: ws.Header{Fin: true, OpCode: ws.OpContinuation, Length: 1<<63 - 1}}, false)
	if code, reason := c.closeCode(); code != ws.StatusMessageTooBig {
		t.Errorf("closed with %d %q, want %d", code, reason, ws.StatusMessageTooBig)
	}
	waitConnsGone(t, ts)
}

// TestShutdownBeforeTheConnectionRuns: Shutdown may kill a connection
// that serveWS has tracked but whose goroutine has not started yet; its
// writer then closes it without a crash, and Shutdown returns once the
// connection, started late, is done.
func TestShutdownBeforeTheConnectionRuns(t *testing.T) {
	ts := newTestServer(t, Config{})
	// What serveWS does up to the goroutine's start, on a connection of
	// the test's own.
	server, client := socketPair(t)
	cn := newConn(ts.srv, server, conference.Session{ID: "main"})
	if !ts.srv.track(cn, true) {
		t.Fatal("not tracked")
	}
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		shut <- ts.srv.Shutdown(ctx)
	}()
	_ = client.SetReadDeadline(time.Now().Add(testTimeout))
	if f, err := readFrame(client); err != nil || f.Header.OpCode != ws.OpClose {
		t.Fatalf("read %v, %v; want the close frame", f.Header, err)
	}
	go cn.run() // serveWS's goroutine starts late
	_, _ = client.Write(maskedFrame(ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusNormalClosure, ""))))
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	waitConnsGone(t, ts)
}

// TestLengthsAtTheLimits: a message of exactly MaxFrameBytes is handled,
// and one of exactly the hard limit, whole or in fragments, is answered
// with too_large on a connection that stays open (one byte more closes
// it: TestFrameReading).
func TestLengthsAtTheLimits(t *testing.T) {
	const limit = 1024
	const hard = limit * hardReadLimitFactor
	ts := newTestServer(t, Config{MaxFrameBytes: limit})
	padded := func(label string, n int) []byte {
		j := joinMessage(label)
		return append(j, bytes.Repeat([]byte(" "), n-len(j))...)
	}
	tests := []struct {
		name   string
		frames []ws.Frame
		want   string // the answer's type, or error code
	}{
		{"exactly the limit", []ws.Frame{ws.NewTextFrame(padded("exactly-the-limit", limit))}, "welcome"},
		{"exactly the hard limit", []ws.Frame{ws.NewTextFrame(padded("x", hard))}, protocol.TooLarge},
		{"fragments of exactly the hard limit", []ws.Frame{
			ws.NewFrame(ws.OpText, false, padded("x", hard-limit)),
			ws.NewFrame(ws.OpContinuation, false, bytes.Repeat([]byte(" "), limit-1)),
			ws.NewFrame(ws.OpContinuation, true, []byte(" ")),
		}, protocol.TooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dialRaw(t, ts, "main")
			for _, f := range tt.frames {
				c.write(f, false)
			}
			m := c.nextMessage()
			got := m.Type
			if got == "error" {
				got = m.Code
			}
			if got != tt.want {
				t.Errorf("answered %s, want %s", got, tt.want)
			}
			if tt.want == "welcome" {
				return
			}
			c.write(ws.NewTextFrame(joinMessage("after-"+strings.ReplaceAll(tt.name, " ", "-"))), false)
			if m := c.nextMessage(); m.Type != "welcome" {
				t.Errorf("a join after it was answered with %+v, want a welcome", m)
			}
		})
	}
}
