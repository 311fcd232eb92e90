package httpapi

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"
	"github.com/gobwas/ws"
	"github.com/labstack/echo/v4"

	"github.com/confpad/confpad/cluster"
	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/protocol"
)

// codeRateLimited labels, in the errors metric, connections closed for
// sending too many frames; the client learns it from the close reason
// (protocol.CloseTooMany).
const codeRateLimited = "rate_limited"

// hardReadLimitFactor: messages over MaxFrameBytes are read and discarded
// up to this many times the limit; past that the connection is closed
// with StatusMessageTooBig.
const hardReadLimitFactor = 16

// closeProtocolError closes a connection that breaks RFC 6455 (an
// unmasked frame, reserved bits or opcodes, a fragmented control frame).
var closeProtocolError = protocol.Close{Code: websocket.StatusProtocolError, Reason: "websocket protocol error"}

// conn is one websocket connection, made to cost little while idle, as
// most of a crowd's readers are: the request's goroutine returns once the
// connection is upgraded, and the connection's own goroutine (run) waits
// for the next frame header in a small array of the struct. A message's
// payload is read into a pooled buffer only while it arrives, growing
// with the bytes that came (not with the length a header claims), and it
// is handled (joins, ops, cursors, one at a time, in order) on a handler
// goroutine that exists only while a message waits for it, so that the
// engine's deep calls do not grow the idle goroutine's stack and the
// reader goes on reading control frames and the client's close while a
// message is handled (frameReader).
// Sends write to the socket without blocking (ws_send.go); a writer
// goroutine exists only while the send queue has something for it, and
// keepalive pings and timeouts run on timers (keepalive).
type conn struct {
	s   *Server
	nc  net.Conn
	raw syscall.RawConn // nc's, for writeNow; nil if it has none
	// direct is writeNow's callback and arguments, guarded by queueMu.
	direct directWrite
	rd     io.Reader // nc, or the upgrade's buffered reader if it holds bytes
	slot   *connSlot // released when the connection ends
	pad    conference.Session
	hdr    [ws.MaxHeaderSize - 2]byte // a frame header being read

	// hub is set once joined; user, active, people, lastCursor and
	// cursorTimer are guarded by hub.mu after that.
	hub         *hub
	user        cluster.User
	active      bool // listed to others (hub.active)
	people      int  // the count of people the client was told last
	lastCursor  time.Time
	cursorTimer *time.Timer

	// author is the public author id of the join, and authorName and
	// authorColor its latest name and colour, for the author table; only
	// the handler uses them.
	author, authorName, authorColor string

	// queue holds encoded frames that wait for the writer, at most
	// Config.SendQueue items; an idle connection holds no buffer for it.
	// partial says its first item is the rest of a frame writeNow began.
	// writing is set while a writer goroutine runs.
	queueMu sync.Mutex
	queue   [][]byte
	partial bool
	writing bool
	closed  chan struct{} // closed once the writer is done
	// ctx is the context of the engine calls; the writer cancels it as
	// it closes the connection, which may be before run starts.
	ctx      context.Context
	cancel   func()
	done     chan struct{} // closed by kill
	dead     atomic.Bool   // set by kill: killed, cheaper than done
	killOnce sync.Once
	close    protocol.Close // how kill closes it

	// editSecret is the edit-link secret the join sent ("" if none);
	// canEdit, set by hub.join, says whether it lets the connection edit
	// under the session's policy (see access.go).
	editSecret string
	canEdit    atomic.Bool

	lastRead atomic.Int64 // unix nanoseconds of the last message read
	// pingSent is when the ping that waits for its pong was sent (unix
	// nanoseconds), 0 if none waits.
	pingSent atomic.Int64
	// heldBack is set while the reader waits for the handler before it
	// reads more data (frameReader.waitForRoom): a pong may wait unread
	// behind that data, and the keepalive gives it longer (heldPongGrace).
	heldBack atomic.Bool
	asked    atomic.Bool // a join message arrived
	joined   atomic.Bool
}

// serveWS handles GET /pads/:id/ws: it checks the request, upgrades it
// and hands the connection to a goroutine of its own (run), then returns,
// so that the request, echo's context and the handler's stack are freed.
func (s *Server) serveWS(c echo.Context) error {
	if s.closing.Load() {
		return apiError(503, protocol.Unavailable, "server is shutting down")
	}
	r := c.Request()
	session, lookupErr := s.cfg.Catalog.Session(r.Context(), c.Param("id"))
	if lookupErr != nil && !errors.Is(lookupErr, conference.ErrNotFound) {
		return apiError(503, protocol.Unavailable, "catalog unavailable")
	}
	// A page of another origin may not join: its editor would write as the
	// visitor. sameOrigin checks the Origin with its scheme.
	if !s.sameOrigin(r) {
		return apiError(http.StatusForbidden, codeCrossOrigin, "pages of another origin may not open this websocket")
	}
	if !isUpgrade(r) {
		return apiError(http.StatusUpgradeRequired, protocol.BadMessage, "this route is a websocket: send Upgrade: websocket")
	}
	// RFC 6455 (11.3.1, 11.3.5): each of these once; the upgrader reads
	// only the first.
	if len(r.Header.Values("Sec-WebSocket-Key")) > 1 || len(r.Header.Values("Sec-WebSocket-Version")) > 1 {
		return apiError(http.StatusBadRequest, protocol.BadMessage, "send Sec-WebSocket-Key and Sec-WebSocket-Version once each")
	}
	// A body (-1: chunked) would be read as the first frames.
	if r.ContentLength != 0 {
		return apiError(http.StatusBadRequest, protocol.BadMessage, "a websocket handshake has no body")
	}
	upgrader := ws.HTTPUpgrader{Header: c.Response().Header()}
	nc, rw, _, err := upgrader.Upgrade(r, c.Response())
	if err != nil {
		if nc != nil {
			_ = nc.Close() // Upgrade has answered with the HTTP error
		}
		c.Response().Status = http.StatusBadRequest // for the access log
		return nil
	}
	c.Response().Status = http.StatusSwitchingProtocols // for the access log
	c.Response().Committed = true
	cn := newConn(s, nc, session)
	cn.slot = wsSlotOf(c)
	if rw.Reader.Buffered() > 0 {
		cn.rd = rw.Reader // the client did not wait for the answer
	}
	if !s.track(cn, true) {
		// Shutdown began while this request was checked.
		_ = nc.SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout))
		_, _ = nc.Write(closeFrame(protocol.CloseRestarting))
		_ = nc.Close()
		return nil
	}
	cn.slot.handOff()
	if lookupErr != nil {
		go cn.refuse(c.Param("id"))
		return nil
	}
	cn.lastRead.Store(time.Now().UnixNano())
	go cn.run()
	return nil
}

// newConn is a connection of s over nc, upgraded, to pad.
func newConn(s *Server, nc net.Conn, pad conference.Session) *conn {
	cn := &conn{
		s:      s,
		nc:     nc,
		rd:     nc,
		pad:    pad,
		closed: make(chan struct{}),
		done:   make(chan struct{}),
	}
	cn.ctx, cn.cancel = context.WithCancel(context.Background())
	if sc, ok := nc.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			cn.setRaw(raw)
		}
	}
	return cn
}

// refuse tells the client that the pad does not exist and closes.
func (cn *conn) refuse(id string) {
	cn.s.metrics.errors.WithLabelValues(protocol.UnknownPad).Inc()
	cn.send(protocol.EncodeError(protocol.UnknownPad, "no session "+protocol.Truncate(id, 64), -1))
	cn.kill(protocol.CloseUnknownPad)
	cn.readLoop(nil)
	cn.finish()
}

// finish waits for the writer's close and releases the connection.
func (cn *conn) finish() {
	<-cn.closed
	_ = cn.nc.Close()
	cn.s.track(cn, false)
	cn.slot.release()
}

// run serves the connection until it closes.
func (cn *conn) run() {
	ctx := cn.ctx
	defer cn.cancel()
	stopKeepalive := cn.keepalive()

	var leave func()
	cn.readLoop(func(msg protocol.ClientMessage, seq int) {
		if err := cn.check(msg); err != nil {
			cn.sendError(err.Code, err.Message, seq)
			return
		}
		switch msg.Type {
		case protocol.TypeJoin:
			cn.asked.Store(true)
			if l := cn.join(ctx, msg); l != nil {
				leave = l
			}
		case protocol.TypeOp:
			cn.submit(ctx, msg)
		case protocol.TypeCursor:
			cn.moveCursor(ctx, msg)
		case protocol.TypeRename:
			cn.hub.rename(cn, msg.Name, msg.Color)
			cn.renameAuthor(msg.Name, msg.Color)
		}
	})
	stopKeepalive()
	if cn.hub != nil {
		cn.hub.leave(cn)
		cn.s.releaseHub(cn.hub)
	}
	if leave != nil {
		leave()
	}
	cn.kill(protocol.CloseNormal)
	cn.finish()
}

// payloadPool holds the buffers messages are read into, so that idle
// connections hold none.
var payloadPool = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledPayload is the largest buffer put back into payloadPool.
const maxPooledPayload = 64 << 10

// readLoop reads frames and answers control frames; it answers what is
// wrong with a message and hands valid ones, with their seq (or -1), to
// handle, until the connection ends. handle runs on the handler
// goroutine (frameReader.handleQueued), one message at a time, in order,
// while the loop reads on; readLoop returns once the last call of handle
// has returned. Once the connection is killed it only waits for the
// client's close frame, discarding the rest; handle nil does so from the
// start.
//
// The loop is small on purpose: an idle connection's goroutine waits
// here, and what its stack holds then (this frame and the socket read's)
// decides whether the garbage collector can shrink the stack to 4 KiB.
// Everything else happens in frameReader.frame, whose frame is on the
// stack only while a frame arrives.
func (cn *conn) readLoop(handle func(msg protocol.ClientMessage, seq int)) {
	fr := &frameReader{
		cn:       cn,
		handle:   handle,
		limit:    cn.s.cfg.MaxFrameBytes,
		frames:   newTokenBucket(cn.s.cfg.MessageRate, float64(cn.s.cfg.MessageBurst)),
		byteRate: newTokenBucket(float64(cn.s.cfg.ByteRate), float64(cn.s.cfg.ByteBurst)),
	}
	defer fr.end()
	for {
		h, err := ws.ReadHeaderBuffer(cn.rd, cn.hdr[:])
		if err != nil {
			cn.readFailed(err)
			return
		}
		if !fr.frame(h) {
			return
		}
	}
}

// frameReader is the state of a connection's reading between frames,
// and the hand-over of its messages to the handler.
//
// A complete data message goes to next, where the handler goroutine takes
// it; the reader meanwhile reads on, so that it answers pings, takes
// pongs and meets the client's close frame or EOF while a message is
// handled (a close kills the connection, whose ctx then ends the join's
// admission wait or the engine call in flight). Memory stays bounded: at
// most one message is handled and one waits in next; before it reads the
// next data message the reader waits until next is free (waitForRoom).
// The handler goroutine runs only while next has a message, as the writer
// does while the send queue has something, so an idle connection has
// neither it nor a payload buffer.
type frameReader struct {
	cn               *conn
	handle           func(msg protocol.ClientMessage, seq int)
	limit            int64
	frames, byteRate *tokenBucket
	m                message // the data message being read
	buf              *[]byte // its payload, from payloadPool
	inFlight         bool    // a fragmented message goes on

	// mu guards next and queued (next holds a message for the handler),
	// handling (a handler goroutine runs) and room, made by a reader that
	// waits for next to be taken and closed once it is.
	mu       sync.Mutex
	next     readMessage
	queued   bool
	handling bool
	room     chan struct{}
	handlers sync.WaitGroup // the handler goroutine, for end
}

// readMessage is a complete data message on its way to the handler.
type readMessage struct {
	m   message
	buf *[]byte // its payload, from payloadPool; nil if it was discarded
	// until is when the byte rate's debt, this message's bytes included,
	// is paid: the handler waits until then before it handles it.
	until time.Time
}

// end waits for the handler goroutine to return and puts the payload
// buffer back into the pool. The connection is killed by then, so a
// handler waiting for its turn or for the engine ends soon.
func (fr *frameReader) end() {
	fr.handlers.Wait()
	fr.release()
}

// release puts the payload buffer back into the pool.
func (fr *frameReader) release() {
	putPayload(fr.buf)
	fr.buf = nil
}

// putPayload puts buf, if any, back into payloadPool unless it grew large.
func putPayload(buf *[]byte) {
	if buf != nil && cap(*buf) <= maxPooledPayload {
		payloadPool.Put(buf)
	}
}

// waitForRoom waits, before the reader reads another data message, until
// the message read ahead has gone to the handler, or the connection is
// killed. While it waits the client's later frames stay unread, its pongs
// among them: heldBack tells the keepalive so.
func (fr *frameReader) waitForRoom() {
	cn := fr.cn
	fr.mu.Lock()
	if !fr.queued {
		fr.mu.Unlock()
		return
	}
	room := make(chan struct{})
	fr.room = room
	fr.mu.Unlock()
	cn.heldBack.Store(true)
	select {
	case <-room:
	case <-cn.done:
	}
	cn.heldBack.Store(false)
}

// handOff gives the handler msg, a complete message, and starts the
// handler goroutine unless it runs. next is free: waitForRoom saw to it.
func (fr *frameReader) handOff(msg readMessage) {
	fr.mu.Lock()
	defer fr.mu.Unlock()
	fr.next, fr.queued = msg, true
	if !fr.handling {
		fr.handling = true
		fr.handlers.Add(1)
		go fr.handleQueued()
	}
}

// handleQueued is the handler goroutine: it handles the messages handed
// to it, one at a time, and ends when none waits. The JSON parser's, the
// engine's and the encoder's deep calls grow its stack, which ends with
// it, and not the stack of the connection's goroutine, which idles for
// hours.
func (fr *frameReader) handleQueued() {
	defer fr.handlers.Done()
	for {
		fr.mu.Lock()
		if !fr.queued {
			fr.handling = false
			fr.mu.Unlock()
			return
		}
		msg := fr.next
		fr.next, fr.queued = readMessage{}, false
		if fr.room != nil {
			close(fr.room)
			fr.room = nil
		}
		fr.mu.Unlock()
		fr.handleMessage(msg)
		putPayload(msg.buf)
	}
}

// handleMessage waits until the byte rate allows msg, then parses it and
// hands it to handle. A message read before the connection was killed is
// handled all the same, without the wait: the client sent it before its
// close (an op typed just before a tab closed), and its op commits.
func (fr *frameReader) handleMessage(msg readMessage) {
	cn := fr.cn
	cn.throttle(time.Until(msg.until))
	var payload []byte
	if msg.buf != nil {
		payload = *msg.buf
	}
	parsed, seq, perr := msg.m.parse(payload, fr.limit, cn.s.maxOpLen)
	if perr != nil {
		cn.sendError(perr.Code, perr.Message, seq)
		return
	}
	fr.handle(parsed, seq)
}

// frame reads the rest of the frame of header h and acts on it; false
// ends the reading.
func (fr *frameReader) frame(h ws.Header) bool {
	cn := fr.cn
	state := ws.StateServerSide
	if fr.inFlight {
		state = state.Set(ws.StateFragmented)
	}
	if err := ws.CheckHeader(h, state); err != nil {
		cn.s.metrics.errors.WithLabelValues(protocol.BadMessage).Inc()
		cn.kill(closeProtocolError)
		if h.Length <= fr.limit {
			// Read the frame, so that closing the socket with it unread
			// does not reset the connection before the close frame.
			_, _ = io.CopyN(io.Discard, cn.rd, h.Length)
		}
		return false
	}
	// Every frame counts against the message rate, fragments and control
	// frames too: a flood of empty fragments or of pings costs as much.
	if fr.handle != nil && !cn.killed() && !fr.frames.take(time.Now()) {
		cn.s.metrics.errors.WithLabelValues(codeRateLimited).Inc()
		cn.kill(protocol.CloseTooMany) // and drain until the client's close
	}
	if h.OpCode.IsControl() {
		return cn.control(h)
	}
	if !fr.inFlight { // the first frame of a message
		if fr.handle != nil && !cn.killed() {
			fr.waitForRoom()
		}
		fr.m = message{op: h.OpCode}
	}
	fr.inFlight = !h.Fin
	// Compared before adding: a client's lengths may add up past int64.
	if h.Length > fr.limit*hardReadLimitFactor-fr.m.size {
		cn.s.metrics.errors.WithLabelValues(protocol.TooLarge).Inc()
		cn.kill(protocol.CloseTooBig)
		return false
	}
	fr.m.size += h.Length
	draining := fr.handle == nil || cn.killed()
	var err error
	if fr.m.size > fr.limit || draining {
		_, err = io.CopyN(io.Discard, cn.rd, h.Length)
		fr.release()
	} else {
		if fr.buf == nil {
			fr.buf = payloadPool.Get().(*[]byte)
			*fr.buf = (*fr.buf)[:0]
		}
		*fr.buf, err = readPayload(cn.rd, *fr.buf, h)
	}
	if err != nil {
		cn.readFailed(err)
		return false
	}
	if fr.inFlight || draining {
		return true
	}
	now := time.Now()
	cn.lastRead.Store(now.UnixNano())
	// Every byte read counts against the byte rate, a discarded
	// message's too; the handler waits for the debt.
	fr.handOff(readMessage{m: fr.m, buf: fr.buf, until: now.Add(fr.byteRate.owe(now, float64(fr.m.size)))})
	fr.buf = nil
	return true
}

// message is a data message being read: its type and size so far.
type message struct {
	op   ws.OpCode
	size int64
}

// parse checks a complete message of payload and parses it.
func (m message) parse(payload []byte, limit int64, maxOpLen int) (protocol.ClientMessage, int, *protocol.Error) {
	switch {
	case m.size > limit:
		return protocol.ClientMessage{}, -1, protocol.Errorf(protocol.TooLarge, "frame is larger than the limit of %d bytes", limit)
	case m.op != ws.OpText:
		return protocol.ClientMessage{}, -1, protocol.Errorf(protocol.BadMessage, "binary frames are not accepted; send JSON in text frames")
	}
	return protocol.ParseClientMessage(payload, maxOpLen)
}

// payloadStep is the most a payload buffer grows ahead of the bytes that
// arrived, while they are fewer than it.
const payloadStep = 16 << 10

// readPayload reads h's payload onto the end of buf and unmasks it. buf
// grows as the bytes arrive, by at most payloadStep or what this payload
// read so far, whichever is more, never past the length h claims: a
// client that claims a large frame and sends a few bytes makes the
// server hold little.
func readPayload(r io.Reader, buf []byte, h ws.Header) ([]byte, error) {
	start := len(buf)
	for left := h.Length; left > 0; {
		n := int(min(left, int64(max(payloadStep, len(buf)-start))))
		buf = slices.Grow(buf, n)
		got, err := io.ReadFull(r, buf[len(buf):len(buf)+n])
		buf = buf[:len(buf)+got]
		if err != nil {
			return buf, err
		}
		left -= int64(n)
	}
	ws.Cipher(buf[start:], h.Mask, 0)
	return buf, nil
}

// control answers a control frame of header h; false ends the reading
// (the client closed).
func (cn *conn) control(h ws.Header) bool {
	var p [ws.MaxControlFramePayloadSize]byte
	payload := p[:h.Length]
	if _, err := io.ReadFull(cn.rd, payload); err != nil {
		cn.readFailed(err)
		return false
	}
	ws.Cipher(payload, h.Mask, 0)
	switch h.OpCode {
	case ws.OpPing:
		cn.sendFrame(appendFrame(nil, ws.OpPong, payload))
	case ws.OpPong:
		cn.pingSent.Store(0)
	case ws.OpClose:
		// Answer with the client's code, as RFC 6455 asks, unless the
		// server closes already.
		// A body is a 2-byte code and a UTF-8 reason; 1 byte is none.
		// CheckCloseFrameData lets codes past 4999, which no range
		// defines, through.
		code, reason := ws.ParseCloseFrameData(payload)
		if len(payload) == 1 || len(payload) >= 2 && (code > 4999 || ws.CheckCloseFrameData(code, reason) != nil) {
			cn.kill(closeProtocolError)
		} else {
			cn.kill(protocol.Close{Code: websocket.StatusCode(code)})
		}
		return false
	}
	return true
}

// tokenBucket allows rate units (frames, bytes) a second on average and
// burst at once.
type tokenBucket struct {
	rate, burst, tokens float64
	last                time.Time
}

func newTokenBucket(rate, burst float64) *tokenBucket {
	return &tokenBucket{rate: rate, burst: burst, tokens: burst}
}

// refill adds the tokens earned since the last call.
func (b *tokenBucket) refill(now time.Time) {
	if !b.last.IsZero() {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
}

// take spends a token for an event at now; false if none is left.
func (b *tokenBucket) take(now time.Time) bool {
	b.refill(now)
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// owe spends n tokens at now, going into debt if there are not enough,
// and returns how long to wait until the debt is paid.
func (b *tokenBucket) owe(now time.Time, n float64) time.Duration {
	b.refill(now)
	b.tokens -= n
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}

// throttle waits d before the next message is handled (a connection over
// its byte rate); false if the connection was closed meanwhile.
func (cn *conn) throttle(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	cn.s.metrics.throttledSeconds.Add(d.Seconds())
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-cn.done:
		return false
	}
}

// check rejects messages that do not fit the connection's state; it runs
// in the handler, after the messages before it were handled.
func (cn *conn) check(msg protocol.ClientMessage) *protocol.Error {
	joined := cn.joined.Load()
	switch {
	case msg.Type == protocol.TypeJoin && joined:
		return protocol.Errorf(protocol.BadMessage, "already joined")
	case msg.Type != protocol.TypeJoin && !joined:
		return protocol.Errorf(protocol.NotJoined, "send join first")
	case msg.Type != protocol.TypeJoin && !cn.canEdit.Load():
		return protocol.Errorf(protocol.ReadOnly, "this pad is view-only: editing, cursors and names need its edit link")
	case msg.Type == protocol.TypeOp && cn.hub.readOnly.Load():
		return protocol.Errorf(protocol.ReadOnly, "this session is archived and read-only")
	}
	return nil
}

// readFailed ends a connection whose reading failed: the client went
// away or broke off mid-frame, the close handshake is over, or a frame
// header was malformed (a protocol error).
func (cn *conn) readFailed(err error) {
	if errors.Is(err, ws.ErrHeaderLengthMSB) || errors.Is(err, ws.ErrHeaderLengthUnexpected) {
		// A frame header RFC 6455 forbids, not a broken connection.
		cn.s.metrics.errors.WithLabelValues(protocol.BadMessage).Inc()
		cn.kill(closeProtocolError)
		return
	}
	if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && !cn.killed() {
		cn.s.log.Debug("websocket read", "pad", cn.pad.ID, "err", err)
	}
	cn.kill(protocol.CloseNormal)
}

// join joins the pad; it returns the engine's leave function, or nil and
// sends the error.
func (cn *conn) join(ctx context.Context, msg protocol.ClientMessage) (leave func()) {
	s := cn.s
	// Admission first: a join that waits holds no hub, and a storm reads
	// the catalog no faster than joins are admitted.
	if s.admit.wait(ctx) != nil {
		return nil // the connection closed while its join waited
	}
	h, err := s.joinHub(ctx, cn.pad.ID)
	switch {
	case errors.Is(err, conference.ErrNotFound):
		cn.sendError(protocol.UnknownPad, "no session "+cn.pad.ID, -1)
		cn.kill(protocol.CloseUnknownPad)
		return nil
	case err != nil:
		cn.sendError(protocol.Unavailable, "catalog unavailable; reconnect later", -1)
		cn.kill(protocol.CloseUnavailable)
		return nil
	}
	// msg.Client is the public id of the join's secret: the connection's
	// identity everywhere from here on (dedupe, acks, presence, 4409).
	cn.user = cluster.User{Client: msg.Client, Name: msg.Name, Color: msg.Color}
	cn.author, cn.authorName, cn.authorColor = msg.Author, msg.Name, msg.Color
	cn.editSecret = msg.Edit
	leave, err = s.engine.Join(ctx, cn.pad.ID, msg.Since, func(head int, text *string, missed []collab.Record) {
		h.join(cn, head, text, missed)
	})
	if err != nil {
		s.releaseHub(h)
		cn.sendEngineError(err, -1)
		return nil
	}
	cn.hub = h
	cn.joined.Store(true)
	return leave
}

// submit commits an op. The ack reaches the author through the hub, in
// order with the op stream; a resent op that was already committed is
// acked here.
func (cn *conn) submit(ctx context.Context, msg protocol.ClientMessage) {
	s := cn.s
	cn.hub.activate(cn)
	start := time.Now()
	// The commit runs to its end even if the client closes meanwhile:
	// the op was read, and a client that closed cannot send it again.
	res, err := s.engine.Submit(context.WithoutCancel(ctx), cn.pad.ID, collab.Submission{Client: cn.user.Client, Seq: msg.Seq, Author: cn.author, Base: msg.Rev, Op: msg.Op})
	s.metrics.submitSeconds.Observe(time.Since(start).Seconds())
	switch {
	case err != nil:
		cn.sendEngineError(err, msg.Seq)
		if isReadOnly(err) {
			s.refreshLater(cn.hub) // this replica's copy of the state is stale
		}
	case res.Duplicate:
		cn.send(protocol.EncodeAck(msg.Seq, res.Rev))
	default:
		s.metrics.opsCommitted.Inc()
		s.authorNotes.noteOp(cn.pad.ID, cn.author, cn.authorName, cn.authorColor, time.Now())
	}
}

// moveCursor hands the connection's selection to the hub, which moves it
// to the head through its recent records. Only a selection the hub cannot
// place goes through the engine, which reports a revision after the head
// (rev_ahead), moves an older one through its recent records, and refuses
// one older than those (rev_too_old).
func (cn *conn) moveCursor(ctx context.Context, msg protocol.ClientMessage) {
	if cn.hub.cursor(cn, msg.Sel, msg.Rev) {
		return
	}
	sel, head, err := cn.s.engine.Rebase(ctx, cn.pad.ID, msg.Rev, msg.Sel)
	if err != nil {
		cn.sendEngineError(err, -1)
		return
	}
	cn.hub.cursor(cn, sel, head)
}

// sendEngineError reports an engine error to the client; ref is the op's
// seq or -1.
func (cn *conn) sendEngineError(err error, ref int) {
	var ce *collab.Error
	switch {
	case errors.As(err, &ce):
		cn.sendError(ce.Code, ce.Message, ref)
	case errors.Is(err, context.Canceled):
		// the connection is closing
	default:
		cn.s.log.Error("pad engine failed", "pad", cn.pad.ID, "err", err)
		cn.sendError(protocol.Internal, "internal error; try again", ref)
	}
}

func (cn *conn) sendError(code, message string, ref int) {
	cn.s.metrics.errors.WithLabelValues(code).Inc()
	cn.send(protocol.EncodeError(code, message, ref))
}

// keepalive pings the client every PingInterval and closes connections
// that miss a pong until the next ping is due, that send no join within
// JoinTimeout, or that send no message for IdleTimeout. While the reader
// is held back (heldBack) a pong may wait unread behind the data, and it
// may come up to heldPongGrace later; a client that keeps itself held
// back never answering is closed all the same. It runs on timers. stop
// ends it.
func (cn *conn) keepalive() (stop func()) {
	cfg := cn.s.cfg
	joinBy := time.AfterFunc(cfg.JoinTimeout, func() {
		if !cn.asked.Load() {
			cn.kill(protocol.CloseNoJoin)
		}
	})
	var ping *time.Timer
	ping = time.AfterFunc(cfg.PingInterval, func() {
		sent := cn.pingSent.Load()
		waited := time.Since(time.Unix(0, sent))
		switch {
		case time.Since(time.Unix(0, cn.lastRead.Load())) > cfg.IdleTimeout:
			cn.kill(protocol.CloseIdle)
		case sent != 0 && waited >= cfg.PingInterval && (!cn.heldBack.Load() || waited > cfg.PingInterval+cn.s.heldPongGrace()):
			cn.s.log.Debug("keepalive failed: no pong", slog.String("pad", cn.pad.ID))
			cn.kill(protocol.CloseKeepalive)
		case sent != 0: // held back: the pong may wait behind the data
			ping.Reset(cfg.PingInterval)
		case !cn.killed():
			cn.pingSent.Store(time.Now().UnixNano())
			cn.sendFrame(pingFrame)
			ping.Reset(cfg.PingInterval)
		}
	})
	return func() {
		joinBy.Stop()
		ping.Stop()
	}
}

// heldPongGrace is how much later than PingInterval a pong may come while
// the reader is held back: the time the byte rate takes for the two
// messages the reader may hold (one handled, one read ahead), each up to
// MaxFrameBytes.
func (s *Server) heldPongGrace() time.Duration {
	return time.Duration(float64(2*s.cfg.MaxFrameBytes) / float64(s.cfg.ByteRate) * float64(time.Second))
}

func (cn *conn) tooSlow() {
	cn.killOnce.Do(func() {
		cn.s.metrics.slowDisconnects.Inc()
		cn.close = protocol.CloseTooSlow
		cn.closeLater()
	})
}

// closeLater marks the connection as killed and has the writer close it.
func (cn *conn) closeLater() {
	cn.dead.Store(true)
	close(cn.done)
	cn.queueMu.Lock()
	cn.startWriterLocked()
	cn.queueMu.Unlock()
}

// killed reports whether the connection is being closed.
func (cn *conn) killed() bool { return cn.dead.Load() }

// kill closes the connection with c (the first call wins). It never
// blocks: the writer sends the close frame.
func (cn *conn) kill(c protocol.Close) {
	cn.killOnce.Do(func() {
		cn.close = c
		cn.closeLater()
	})
}
