package httpapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
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

// hardReadLimitFactor: frames over MaxFrameBytes are read and discarded up
// to this many times the limit; past that the library closes the
// connection with StatusMessageTooBig.
const hardReadLimitFactor = 16

// outgoing is one item of a connection's send queue: one frame, or several
// that must go out together (a catch-up and its welcome).
type outgoing struct {
	one  []byte
	many [][]byte
}

// conn is one websocket connection. It has one goroutine, so that a
// crowd of idle readers costs little: the HTTP request's goroutine reads
// and parses frames and runs joins, ops and cursors one at a time. A
// writer goroutine exists only while the send queue has something for it
// (startWriter), and keepalive pings and timeouts run on timers
// (keepalive).
type conn struct {
	s   *Server
	ws  *websocket.Conn
	pad conference.Session

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

	// queue holds what waits for the writer, at most Config.SendQueue
	// items; an idle connection holds no buffer for it. writing is set
	// while a writer goroutine runs.
	queueMu  sync.Mutex
	queue    []outgoing
	writing  bool
	stalled  *time.Timer   // armed while a burst is written
	closed   chan struct{} // closed once the websocket is
	cancel   func()        // ends the context of the engine calls
	done     chan struct{} // closed by kill
	killOnce sync.Once
	close    protocol.Close // how kill closes it

	// editSecret is the edit-link secret the join sent ("" if none);
	// canEdit, set by hub.join, says whether it lets the connection edit
	// under the session's policy (see access.go).
	editSecret string
	canEdit    atomic.Bool

	lastRead atomic.Int64 // unix nanoseconds of the last frame read
	asked    atomic.Bool  // a join message arrived
	joined   atomic.Bool
}

// serveWS handles GET /pads/:id/ws.
func (s *Server) serveWS(c echo.Context) error {
	if s.closing.Load() {
		return apiError(503, protocol.Unavailable, "server is shutting down")
	}
	session, lookupErr := s.cfg.Catalog.Session(c.Request().Context(), c.Param("id"))
	if lookupErr != nil && !errors.Is(lookupErr, conference.ErrNotFound) {
		return apiError(503, protocol.Unavailable, "catalog unavailable")
	}
	// A page of another origin may not join: its editor would write as the
	// visitor. sameOrigin checks the Origin with its scheme, which the
	// library's own check (host only) does not.
	if !s.sameOrigin(c.Request()) {
		return apiError(http.StatusForbidden, codeCrossOrigin, "pages of another origin may not open this websocket")
	}
	ws, err := websocket.Accept(c.Response(), c.Request(), &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return nil // Accept has written the HTTP error
	}
	ws.SetReadLimit(s.cfg.MaxFrameBytes * hardReadLimitFactor)
	if lookupErr != nil {
		s.metrics.errors.WithLabelValues(protocol.UnknownPad).Inc()
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.WriteTimeout)
		defer cancel()
		_ = ws.Write(ctx, websocket.MessageText, protocol.EncodeError(protocol.UnknownPad, "no session "+protocol.Truncate(c.Param("id"), 64), -1))
		return ws.Close(protocol.CloseUnknownPad.Code, protocol.CloseUnknownPad.Reason)
	}
	cn := &conn{
		s:      s,
		ws:     ws,
		pad:    session,
		closed: make(chan struct{}),
		done:   make(chan struct{}),
	}
	cn.lastRead.Store(time.Now().UnixNano())
	s.track(cn, true)
	defer s.track(cn, false)
	cn.run()
	return nil
}

// run serves the connection until it closes.
func (cn *conn) run() {
	// ctx, for the engine calls, ends once the writer closed the
	// connection.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cn.cancel = cancel
	cn.stalled = time.AfterFunc(time.Hour, func() {
		cn.tooSlow()
		_ = cn.ws.CloseNow() // unblocks the stalled write
	})
	cn.stalled.Stop()
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
	<-cn.closed
}

// readLoop reads frames, answers what is wrong with them, and hands valid
// messages, with their seq (or -1), to handle, until the connection ends.
//
// Reads get a context without a deadline or cancel, like writes (see
// writeLoop): a cancellable one costs the library a context.AfterFunc per
// frame header and payload. The reads end when the writer closes the
// connection.
func (cn *conn) readLoop(handle func(msg protocol.ClientMessage, seq int)) {
	var buf bytes.Buffer
	limit := cn.s.cfg.MaxFrameBytes
	var lr io.LimitedReader // reused: io.LimitReader would allocate per frame
	frames := newTokenBucket(cn.s.cfg.MessageRate, float64(cn.s.cfg.MessageBurst))
	bytes := newTokenBucket(float64(cn.s.cfg.ByteRate), float64(cn.s.cfg.ByteBurst))
	for {
		typ, r, err := cn.ws.Reader(context.Background())
		if err != nil {
			cn.readFailed(err)
			return
		}
		now := time.Now()
		cn.lastRead.Store(now.UnixNano())
		if !frames.take(now) {
			cn.s.metrics.errors.WithLabelValues(codeRateLimited).Inc()
			cn.kill(protocol.CloseTooMany)
			return
		}
		buf.Reset()
		lr.R, lr.N = r, limit+1
		n, err := buf.ReadFrom(&lr)
		tooLarge := err == nil && n > limit
		if tooLarge {
			var more int64
			more, err = io.Copy(io.Discard, r)
			n += more
		}
		if err != nil {
			cn.readFailed(err)
			return
		}
		// Every byte read counts against the byte rate, a discarded
		// frame's too.
		if !cn.throttle(bytes.owe(time.Now(), float64(n))) {
			return
		}
		if tooLarge {
			cn.sendError(protocol.TooLarge, "frame is larger than the limit of "+strconv.FormatInt(limit, 10)+" bytes", -1)
			continue
		}
		if typ != websocket.MessageText {
			cn.sendError(protocol.BadMessage, "binary frames are not accepted; send JSON in text frames", -1)
			continue
		}
		msg, seq, perr := protocol.ParseClientMessage(buf.Bytes(), cn.s.maxOpLen)
		if perr != nil {
			cn.sendError(perr.Code, perr.Message, seq)
			continue
		}
		if cn.killed() {
			return
		}
		handle(msg, seq)
	}
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

// throttle waits d before the next read (a connection over its byte
// rate); false if the connection was closed meanwhile.
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

func (cn *conn) readFailed(err error) {
	switch {
	case websocket.CloseStatus(err) != -1:
		cn.kill(protocol.CloseNormal)
	case errors.Is(err, websocket.ErrMessageTooBig):
		cn.s.metrics.errors.WithLabelValues(protocol.TooLarge).Inc()
		cn.kill(protocol.CloseTooBig)
	default:
		cn.kill(protocol.CloseNormal)
	}
}

// join joins the pad; it returns the engine's leave function, or nil and
// sends the error.
func (cn *conn) join(ctx context.Context, msg protocol.ClientMessage) (leave func()) {
	s := cn.s
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
	if s.admit.wait(ctx) != nil {
		return nil // the connection closed while its join waited
	}
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
	res, err := s.engine.Submit(ctx, cn.pad.ID, collab.Submission{Client: cn.user.Client, Seq: msg.Seq, Author: cn.author, Base: msg.Rev, Op: msg.Op})
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

// send queues a frame without blocking. A connection whose queue is full
// is too slow: it is closed, and resumes with since.
func (cn *conn) send(frame []byte) {
	cn.enqueue(outgoing{one: frame})
}

func (cn *conn) sendMany(frames [][]byte) {
	cn.enqueue(outgoing{many: frames})
}

func (cn *conn) enqueue(o outgoing) {
	if cn.killed() {
		return
	}
	cn.queueMu.Lock()
	full := len(cn.queue) == cn.s.cfg.SendQueue
	if !full {
		cn.queue = append(cn.queue, o)
		cn.startWriterLocked()
	}
	cn.queueMu.Unlock()
	if full {
		cn.tooSlow()
	}
}

// startWriterLocked starts the writer goroutine unless it runs.
func (cn *conn) startWriterLocked() {
	if !cn.writing {
		cn.writing = true
		go cn.write()
	}
}

// idleQueueCap is the largest queue buffer a connection keeps once its
// queue is empty; a larger one is dropped.
const idleQueueCap = 8

// takeBurst moves up to maxBurst queued items to batch (reused) and
// returns it. When nothing is queued, the writer ends (more is false: the
// next enqueue, or kill, starts another) unless the connection was
// killed, which the writer must then close.
func (cn *conn) takeBurst(batch []outgoing) (_ []outgoing, more bool) {
	cn.queueMu.Lock()
	defer cn.queueMu.Unlock()
	if len(cn.queue) == 0 {
		if cn.killed() {
			return batch[:0], true
		}
		cn.writing = false
		return batch[:0], false
	}
	n := min(len(cn.queue), maxBurst)
	batch = append(batch[:0], cn.queue[:n]...)
	rest := copy(cn.queue, cn.queue[n:])
	clear(cn.queue[rest:]) // no frames kept alive by the buffer
	cn.queue = cn.queue[:rest]
	if rest == 0 && cap(cn.queue) > idleQueueCap {
		cn.queue = nil
	}
	return batch, true
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
	close(cn.done)
	cn.queueMu.Lock()
	cn.startWriterLocked()
	cn.queueMu.Unlock()
}

// killed reports whether the connection is being closed.
func (cn *conn) killed() bool {
	select {
	case <-cn.done:
		return true
	default:
		return false
	}
}

// kill closes the connection with c (the first call wins). It never
// blocks: the writer performs the close.
func (cn *conn) kill(c protocol.Close) {
	cn.killOnce.Do(func() {
		cn.close = c
		cn.closeLater()
	})
}

// write is the writer goroutine: it writes the queued frames, in bursts
// of up to maxBurst, and ends when the queue is empty; once the
// connection is killed it closes the websocket instead. A burst that
// takes longer than WriteTimeout means the client is too slow: the
// stalled timer, armed once per burst, drops it.
//
// Writes get a context without a deadline, so the library arms no timer
// of its own per frame; at thousands of frames a second that timer was a
// tenth of the server's CPU.
func (cn *conn) write() {
	var batch []outgoing
	for !cn.killed() {
		var more bool
		if batch, more = cn.takeBurst(batch); !more {
			return // nothing to write: the writer ends
		}
		if len(batch) == 0 {
			break // killed meanwhile
		}
		cn.stalled.Reset(cn.s.cfg.WriteTimeout)
		err := cn.writeBurst(batch)
		cn.stalled.Stop()
		clear(batch)
		if err != nil {
			cn.kill(protocol.CloseNormal) // unless tooSlow came first
		}
	}
	err := cn.ws.Close(cn.close.Code, cn.close.Reason)
	if err != nil && cn.close.Code != websocket.StatusNormalClosure {
		cn.s.log.Debug("websocket close", "pad", cn.pad.ID, "err", err)
	}
	cn.cancel()
	close(cn.closed)
}

// writeBurst writes a burst of queued items.
func (cn *conn) writeBurst(batch []outgoing) error {
	ctx := context.Background()
	for _, o := range batch {
		if err := cn.writeOne(ctx, o); err != nil {
			return err
		}
	}
	return nil
}

// maxBurst bounds the queued items one writeBurst takes.
const maxBurst = 64

func (cn *conn) writeOne(ctx context.Context, o outgoing) error {
	if o.one != nil {
		return cn.ws.Write(ctx, websocket.MessageText, o.one)
	}
	for _, f := range o.many {
		if err := cn.ws.Write(ctx, websocket.MessageText, f); err != nil {
			return err
		}
	}
	return nil
}

// keepalive pings the client every PingInterval and closes connections
// that miss a pong, that send no join within JoinTimeout, or that send
// nothing for IdleTimeout. It runs on timers: a goroutine exists only
// while a ping waits for its pong. stop ends it.
func (cn *conn) keepalive() (stop func()) {
	cfg := cn.s.cfg
	joinBy := time.AfterFunc(cfg.JoinTimeout, func() {
		if !cn.asked.Load() {
			cn.kill(protocol.CloseNoJoin)
		}
	})
	var ping *time.Timer
	ping = time.AfterFunc(time.Hour, func() {
		if time.Since(time.Unix(0, cn.lastRead.Load())) > cfg.IdleTimeout {
			cn.kill(protocol.CloseIdle)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), cfg.PingInterval)
		err := cn.ws.Ping(ctx)
		cancel()
		if err != nil {
			cn.s.log.Debug("keepalive failed", slog.String("pad", cn.pad.ID), slog.Any("err", err))
			cn.kill(protocol.CloseKeepalive)
			return
		}
		if !cn.killed() {
			ping.Reset(cfg.PingInterval)
		}
	})
	ping.Reset(cfg.PingInterval)
	return func() {
		joinBy.Stop()
		ping.Stop()
	}
}
