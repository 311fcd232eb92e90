package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/gobwas/ws"

	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/internal/testutil"
	"github.com/confpad/confpad/protocol"
)

// rawClient speaks websocket frame by frame, to send what a library
// would not (unmasked frames, fragments, control frames between them).
type rawClient struct {
	t    *testing.T
	conn net.Conn
	r    io.Reader
}

func dialRaw(t *testing.T, ts *testServer, pad string) *rawClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	conn, br, _, err := ws.Dialer{}.Dial(ctx, ts.wsURL(pad))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(testTimeout))
	c := &rawClient{t: t, conn: conn, r: conn}
	if br != nil {
		c.r = io.MultiReader(br, conn)
	}
	return c
}

// readFrame reads one frame, of at most 1 MiB, from r.
func readFrame(r io.Reader) (ws.Frame, error) {
	h, err := ws.ReadHeader(r)
	if err != nil {
		return ws.Frame{}, err
	}
	if h.Length > 1<<20 {
		return ws.Frame{}, fmt.Errorf("a frame of %d bytes", h.Length)
	}
	p := make([]byte, h.Length)
	if _, err := io.ReadFull(r, p); err != nil {
		return ws.Frame{}, err
	}
	if h.Masked {
		ws.Cipher(p, h.Mask, 0)
	}
	return ws.Frame{Header: h, Payload: p}, nil
}

// write sends frame f, masked as a client must unless unmasked.
func (c *rawClient) write(f ws.Frame, unmasked bool) {
	c.t.Helper()
	if !unmasked {
		f = ws.MaskFrame(f)
	}
	if err := ws.WriteFrame(c.conn, f); err != nil {
		c.t.Fatal(err)
	}
}

// next reads the next frame; data frames of type op are decoded into
// their message.
func (c *rawClient) next() (ws.Frame, serverMsg) {
	c.t.Helper()
	f, err := readFrame(c.r)
	if err != nil {
		c.t.Fatal(err)
	}
	var m serverMsg
	if f.Header.OpCode == ws.OpText {
		if err := json.Unmarshal(f.Payload, &m); err != nil {
			c.t.Fatalf("server sent %q: %v", f.Payload, err)
		}
	}
	return f, m
}

// nextMessage skips control frames and returns the next message.
func (c *rawClient) nextMessage() serverMsg {
	c.t.Helper()
	for {
		if f, m := c.next(); f.Header.OpCode == ws.OpText {
			return m
		}
	}
}

// closeCode reads until the server's close frame and returns its code
// and reason.
func (c *rawClient) closeCode() (ws.StatusCode, string) {
	c.t.Helper()
	for {
		if f, _ := c.next(); f.Header.OpCode == ws.OpClose {
			return ws.ParseCloseFrameData(f.Payload)
		}
	}
}

func joinMessage(label string) []byte {
	b, _ := json.Marshal(map[string]any{"type": "join", "client": secretOf(label), "name": "T " + label})
	return b
}

// TestFrameReading: what the server does with each kind of frame a
// client may send, legal or not.
func TestFrameReading(t *testing.T) {
	const limit = 1024
	ts := newTestServer(t, Config{MaxFrameBytes: limit})
	big := func(n int) []byte { return bytes.Repeat([]byte("x"), n) }
	tests := []struct {
		name string
		send func(c *rawClient)
		// want is the error code of the answer ("" none), or closed the
		// close code the server sends.
		want   string
		closed ws.StatusCode
		joined bool // send joined: no join after it
	}{
		{name: "a join in three fragments with a ping between them", send: func(c *rawClient) {
			j := joinMessage("frag")
			c.write(ws.NewFrame(ws.OpText, false, j[:5]), false)
			c.write(ws.NewPingFrame([]byte("between")), false)
			c.write(ws.NewFrame(ws.OpContinuation, false, j[5:10]), false)
			c.write(ws.NewFrame(ws.OpContinuation, true, j[10:]), false)
			if f, _ := c.next(); f.Header.OpCode != ws.OpPong || string(f.Payload) != "between" {
				c.t.Errorf("the ping was answered with %v %q, want a pong with its payload", f.Header.OpCode, f.Payload)
			}
			if m := c.nextMessage(); m.Type != "welcome" {
				c.t.Errorf("the fragmented join was answered with %+v, want a welcome", m)
			}
		}, joined: true},
		{name: "a message over the limit", send: func(c *rawClient) {
			c.write(ws.NewTextFrame(big(limit+1)), false)
		}, want: protocol.TooLarge},
		{name: "fragments over the limit together", send: func(c *rawClient) {
			c.write(ws.NewFrame(ws.OpText, false, big(limit/2+1)), false)
			c.write(ws.NewFrame(ws.OpContinuation, true, big(limit/2)), false)
		}, want: protocol.TooLarge},
		{name: "a binary message", send: func(c *rawClient) {
			c.write(ws.NewBinaryFrame(joinMessage("bin")), false)
		}, want: protocol.BadMessage},
		{name: "a message far over the limit", send: func(c *rawClient) {
			// Only the header: the server must not wait for the payload.
			c.write(ws.Frame{Header: ws.Header{Fin: true, OpCode: ws.OpText, Length: limit*hardReadLimitFactor + 1}}, false)
		}, closed: ws.StatusMessageTooBig},
		{name: "an unmasked frame", send: func(c *rawClient) {
			c.write(ws.NewTextFrame(joinMessage("plain")), true)
		}, closed: ws.StatusProtocolError},
		{name: "a reserved opcode", send: func(c *rawClient) {
			c.write(ws.NewFrame(ws.OpCode(0x3), true, nil), false)
		}, closed: ws.StatusProtocolError},
		{name: "a continuation without a message", send: func(c *rawClient) {
			c.write(ws.NewFrame(ws.OpContinuation, true, []byte("{}")), false)
		}, closed: ws.StatusProtocolError},
		{name: "a fragmented ping", send: func(c *rawClient) {
			c.write(ws.NewFrame(ws.OpPing, false, nil), false)
		}, closed: ws.StatusProtocolError},
		{name: "a close with an invalid code", send: func(c *rawClient) {
			c.write(ws.NewCloseFrame(binary.BigEndian.AppendUint16(nil, 999)), false)
		}, closed: ws.StatusProtocolError},
		{name: "the client closes", send: func(c *rawClient) {
			c.write(ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusGoingAway, "bye")), false)
		}, closed: ws.StatusGoingAway},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dialRaw(t, ts, "main")
			tt.send(c)
			switch {
			case tt.closed != 0:
				if code, reason := c.closeCode(); code != tt.closed {
					t.Errorf("closed with %d %q, want %d", code, reason, tt.closed)
				}
				// The server closes the TCP connection after its close frame.
				if _, err := io.ReadAll(c.r); err != nil {
					t.Errorf("after the close: %v, want EOF", err)
				}
				return
			case tt.want != "":
				if m := c.nextMessage(); m.Type != "error" || m.Code != tt.want {
					t.Errorf("answered with %+v, want error %s", m, tt.want)
				}
			case tt.joined:
				return
			}
			// The connection still works: a join is welcomed.
			c.write(ws.NewTextFrame(joinMessage("after-frame-test-"+strconv.Itoa(i))), false)
			if m := c.nextMessage(); m.Type != "welcome" {
				t.Errorf("a join after it was answered with %+v, want a welcome", m)
			}
		})
	}
}

// TestCloseHandshake: the server's close frame is followed by the TCP
// close only once the client answered it, so that nothing the client
// sent meanwhile makes the server's kernel reset the connection.
func TestCloseHandshake(t *testing.T) {
	ts := newTestServer(t, Config{JoinTimeout: 50 * time.Millisecond, PingInterval: time.Hour})
	c := dialRaw(t, ts, "main")
	if code, reason := c.closeCode(); code != ws.StatusPolicyViolation || reason != protocol.CloseNoJoin.Reason {
		t.Fatalf("closed with %d %q, want the join timeout's", code, reason)
	}
	// The server still reads (and drops) messages until the client's close.
	c.write(ws.NewTextFrame(joinMessage("late")), false)
	c.write(ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusNormalClosure, "")), false)
	if _, err := io.ReadAll(c.r); err != nil {
		t.Errorf("after the handshake: %v, want EOF", err)
	}
	testutil.Eventually(t, "the connection to be released", func() bool {
		ts.srv.connsMu.Lock()
		defer ts.srv.connsMu.Unlock()
		return len(ts.srv.conns) == 0
	})
}

// socketPair returns both ends of a loopback TCP connection.
func socketPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

// newSocketConn is a conn of s over nc, as serveWS makes it, without a
// reader.
func newSocketConn(s *Server, nc net.Conn) *conn {
	return newConn(s, nc, conference.Session{ID: "main"})
}

// TestSendFallsBackToTheQueue: sends to a client that stops reading
// never block the sender: once the socket's buffers are full the frames
// wait in the queue for the writer, and they all arrive, whole and in
// order, once the client reads again.
func TestSendFallsBackToTheQueue(t *testing.T) {
	ts := newTestServer(t, Config{SendQueue: 100000, WriteTimeout: time.Minute})
	server, client := socketPair(t)
	cn := newSocketConn(ts.srv, server)
	if cn.raw == nil {
		t.Fatal("a TCP connection has no raw connection for writeNow")
	}
	const frames, size = 400, 32 << 10 // 12.5 MiB: more than the socket buffers take
	payload := make([]byte, size)
	for i := range frames {
		binary.BigEndian.PutUint32(payload, uint32(i))
		cn.sendFrame(appendFrame(nil, ws.OpText, payload)) // returns although nobody reads
	}
	cn.queueMu.Lock()
	queued, writing := len(cn.queue), cn.writing
	cn.queueMu.Unlock()
	if queued == 0 && !writing {
		t.Fatal("every frame went to the socket at once; the test did not fill its buffers")
	}
	// The client reads now: every frame, in order, and the writer ends.
	r := bufio.NewReader(client)
	_ = client.SetReadDeadline(time.Now().Add(testTimeout))
	for i := range frames {
		f, err := readFrame(r)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if len(f.Payload) != size || binary.BigEndian.Uint32(f.Payload) != uint32(i) {
			t.Fatalf("frame %d: %d bytes numbered %d", i, len(f.Payload), binary.BigEndian.Uint32(f.Payload))
		}
	}
	testutil.Eventually(t, "the writer to end", func() bool {
		cn.queueMu.Lock()
		defer cn.queueMu.Unlock()
		return !cn.writing && len(cn.queue) == 0
	})
	// With the queue empty, a send goes straight to the socket again.
	cn.sendFrame(textFrame([]byte("direct")))
	cn.queueMu.Lock()
	queued, writing = len(cn.queue), cn.writing
	cn.queueMu.Unlock()
	if queued != 0 || writing {
		t.Errorf("a send to an idle connection was queued (%d items, writer %v)", queued, writing)
	}
	if f, err := readFrame(r); err != nil || string(f.Payload) != "direct" {
		t.Errorf("read %q, %v; want the direct frame", f.Payload, err)
	}
}

// TestSendersNeverWaitForASlowClient: many goroutines broadcasting to a
// client that does not read all return; the frames of each arrive in
// its order.
func TestSendersNeverWaitForASlowClient(t *testing.T) {
	ts := newTestServer(t, Config{SendQueue: 100000, WriteTimeout: time.Minute})
	server, client := socketPair(t)
	cn := newSocketConn(ts.srv, server)
	const senders, each = 4, 200
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			payload := make([]byte, 16<<10)
			for i := range each {
				payload[0], payload[1] = byte(s), byte(i)
				cn.sendFrame(appendFrame(nil, ws.OpText, payload))
			}
		})
	}
	wg.Wait() // every sender returned while the client read nothing
	r := bufio.NewReader(client)
	_ = client.SetReadDeadline(time.Now().Add(testTimeout))
	next := make([]int, senders)
	for range senders * each {
		f, err := readFrame(r)
		if err != nil {
			t.Fatal(err)
		}
		s, i := int(f.Payload[0]), int(f.Payload[1])
		if i != next[s]%256 {
			t.Fatalf("sender %d: frame %d arrived after %d", s, i, next[s]-1)
		}
		next[s]++
	}
}

// TestSlowClientQueueBound: a client that does not read is closed as too
// slow once its queue is full, and the sender still does not block.
func TestSlowClientQueueBound(t *testing.T) {
	ts := newTestServer(t, Config{SendQueue: 4, WriteTimeout: time.Minute})
	server, _ := socketPair(t)
	cn := newSocketConn(ts.srv, server)
	payload := make([]byte, 64<<10)
	for range 1000 {
		cn.sendFrame(appendFrame(nil, ws.OpText, payload))
	}
	if !cn.killed() || cn.close != protocol.CloseTooSlow {
		t.Errorf("killed %v with %v, want closed as too slow", cn.killed(), cn.close)
	}
}

// FuzzFrameReading feeds a connection's reader any bytes a client may
// send: it must end without a panic, and only through the close paths.
func FuzzFrameReading(f *testing.F) {
	frame := func(fr ws.Frame) []byte {
		var b bytes.Buffer
		_ = ws.WriteFrame(&b, ws.MaskFrameWith(fr, [4]byte{1, 2, 3, 4}))
		return b.Bytes()
	}
	join := joinMessage("fuzz")
	f.Add(frame(ws.NewTextFrame(join)))
	f.Add(append(frame(ws.NewFrame(ws.OpText, false, join[:4])), frame(ws.NewFrame(ws.OpContinuation, true, join[4:]))...))
	f.Add(frame(ws.NewPingFrame([]byte("p"))))
	f.Add(frame(ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusNormalClosure, "x"))))
	f.Add(frame(ws.NewBinaryFrame([]byte{0, 1})))
	f.Add([]byte{0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0x81, 0x05, 'h', 'e', 'l', 'l', 'o'})
	// Fragment lengths that add up past the largest int64.
	f.Add(append(frame(ws.NewFrame(ws.OpText, false, []byte("{"))), 0x80, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4))
	ts := newTestServer(f, Config{MaxFrameBytes: 256, MessageRate: 1e6, MessageBurst: 1e6})
	f.Fuzz(func(t *testing.T, data []byte) {
		server, client := net.Pipe()
		defer client.Close()
		cn := newSocketConn(ts.srv, server)
		go func() { _, _ = io.Copy(io.Discard, client) }() // the client takes what the server sends
		handled := 0
		done := make(chan struct{})
		go func() {
			defer close(done)
			cn.readLoop(func(msg protocol.ClientMessage, seq int) { handled++ })
		}()
		go func() {
			_, _ = client.Write(data) // fails once the reader gave up
			client.Close()
		}()
		<-done
		cn.kill(protocol.CloseNormal)
		<-cn.closed
		server.Close()
		if handled > len(data)/6 { // a message takes at least a 6-byte header
			t.Errorf("%d messages handled from %d bytes", handled, len(data))
		}
	})
}

// TestReadPayload: readPayload's buffer grows with the bytes that arrive,
// not with the length a header claims, and payloads of every size arrive
// whole and unmasked after what the buffer held (an earlier fragment),
// read at once or a byte at a time.
func TestReadPayload(t *testing.T) {
	mask := [4]byte{1, 2, 3, 4}
	header := func(n int64) ws.Header {
		return ws.Header{Fin: true, OpCode: ws.OpText, Length: n, Masked: true, Mask: mask}
	}
	masked := func(p []byte) []byte {
		m := bytes.Clone(p)
		ws.Cipher(m, mask, 0)
		return m
	}

	// A header that claims 256 KiB, three bytes, and the end of the stream.
	buf, err := readPayload(bytes.NewReader(masked([]byte("abc"))), nil, header(256<<10))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("a short payload read with %v, want unexpected EOF", err)
	}
	if len(buf) != 3 || cap(buf) > payloadStep {
		t.Errorf("a claim of 256 KiB with 3 bytes sent left %d bytes in a buffer of %d, want 3 in at most %d", len(buf), cap(buf), payloadStep)
	}

	sizes := []int{0, 1, payloadStep - 1, payloadStep, payloadStep + 1, 5*payloadStep + 3, 256 << 10}
	readers := []struct {
		name string
		wrap func(io.Reader) io.Reader
	}{
		{"at once", func(r io.Reader) io.Reader { return r }},
		{"a byte at a time", iotest.OneByteReader},
	}
	for _, n := range sizes {
		for _, rd := range readers {
			t.Run(fmt.Sprintf("%d bytes %s", n, rd.name), func(t *testing.T) {
				payload := make([]byte, n)
				for i := range payload {
					payload[i] = byte(i * 7)
				}
				got, err := readPayload(rd.wrap(bytes.NewReader(masked(payload))), []byte("prev"), header(int64(n)))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, append([]byte("prev"), payload...)) {
					t.Errorf("read %d bytes, not the %d sent after the 4 held", len(got), n)
				}
			})
		}
	}
}
