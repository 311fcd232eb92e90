package httpapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
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

// conn is one websocket connection. Its goroutines: the handler (the
// HTTP request's goroutine) runs joins, ops and cursors one at a time;
// the reader reads and parses frames; the writer drains the bounded send
// queue; keepalive pings and enforces the idle timeouts.
type conn struct {
	s   *Server
	ws  *websocket.Conn
	pad conference.Session

	// hub is set once joined; user, lastCursor and cursorTimer are
	// guarded by hub.mu after that.
	hub         *hub
	user        cluster.User
	lastCursor  time.Time
	cursorTimer *time.Timer

	// author is the public author id of the join, and authorName and
	// authorColor its latest name and colour, for the author table; only
	// the handler uses them.
	author, authorName, authorColor string

	queue    chan outgoing
	done     chan struct{} // closed by kill
	killOnce sync.Once
	close    protocol.Close // how kill closes it

	lastRead atomic.Int64 // unix nanoseconds of the last frame read
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
	ws, err := websocket.Accept(c.Response(), c.Request(), nil)
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
		s:     s,
		ws:    ws,
		pad:   session,
		queue: make(chan outgoing, s.cfg.SendQueue),
		done:  make(chan struct{}),
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
	inbound := make(chan inboundMessage, 16)
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); cn.readLoop(inbound) }()
	go func() { defer wg.Done(); cn.writeLoop(); cancel() }()
	go func() { defer wg.Done(); cn.keepalive() }()

	var leave func()
	for in := range inbound {
		msg := in.msg
		if err := cn.check(msg); err != nil {
			cn.sendError(err.Code, err.Message, in.seq)
			continue
		}
		switch msg.Type {
		case protocol.TypeJoin:
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
	}
	if cn.hub != nil {
		cn.hub.leave(cn)
		cn.s.releaseHub(cn.hub)
	}
	if leave != nil {
		leave()
	}
	cn.kill(protocol.CloseNormal)
	wg.Wait()
}

// readLoop reads frames, answers what is wrong with them, and hands valid
// messages to the handler. It closes inbound when the connection ends.
//
// Reads get a context without a deadline or cancel, like writes (see
// writeLoop): a cancellable one costs the library a context.AfterFunc per
// frame header and payload. The reads end when the writer closes the
// connection.
func (cn *conn) readLoop(inbound chan<- inboundMessage) {
	defer close(inbound)
	var buf bytes.Buffer
	limit := cn.s.cfg.MaxFrameBytes
	var lr io.LimitedReader // reused: io.LimitReader would allocate per frame
	frames := newTokenBucket(cn.s.cfg.MessageRate, cn.s.cfg.MessageBurst)
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
		if err == nil && n > limit {
			_, err = io.Copy(io.Discard, r)
			if err == nil {
				cn.sendError(protocol.TooLarge, "frame is larger than the limit of "+strconv.FormatInt(limit, 10)+" bytes", -1)
				continue
			}
		}
		if err != nil {
			cn.readFailed(err)
			return
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
		select {
		case inbound <- inboundMessage{msg, seq}:
		case <-cn.done:
			return
		}
	}
}

// tokenBucket allows rate events a second on average and burst at once.
type tokenBucket struct {
	rate, burst, tokens float64
	last                time.Time
}

func newTokenBucket(rate float64, burst int) *tokenBucket {
	return &tokenBucket{rate: rate, burst: float64(burst), tokens: float64(burst)}
}

// take spends a token for an event at now; false if none is left.
func (b *tokenBucket) take(now time.Time) bool {
	if !b.last.IsZero() {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// inboundMessage is a parsed message on its way to the handler, with its
// seq (or -1) for the "ref" of an error.
type inboundMessage struct {
	msg protocol.ClientMessage
	seq int
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
	h := s.acquireHub(cn.pad)
	cn.user = cluster.User{Client: msg.Client, Name: msg.Name, Color: msg.Color}
	cn.author, cn.authorName, cn.authorColor = msg.Author, msg.Name, msg.Color
	var text *string
	leave, err := s.engine.Join(ctx, cn.pad.ID, msg.Since, func(head int, t string, missed []collab.Record) {
		if msg.Since < 0 {
			text = &t
		}
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
	start := time.Now()
	res, err := s.engine.Submit(ctx, cn.pad.ID, collab.Submission{Client: cn.user.Client, Seq: msg.Seq, Author: cn.author, Base: msg.Rev, Op: msg.Op})
	s.metrics.submitSeconds.Observe(time.Since(start).Seconds())
	switch {
	case err != nil:
		cn.sendEngineError(err, msg.Seq)
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
// (rev_ahead) and moves an older one through the Log.
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
	select {
	case <-cn.done:
		return
	default:
	}
	select {
	case cn.queue <- o:
	default:
		cn.tooSlow()
	}
}

func (cn *conn) tooSlow() {
	cn.killOnce.Do(func() {
		cn.s.metrics.slowDisconnects.Inc()
		cn.close = protocol.CloseTooSlow
		close(cn.done)
	})
}

// kill closes the connection with c (the first call wins). It never
// blocks: the writer performs the close.
func (cn *conn) kill(c protocol.Close) {
	cn.killOnce.Do(func() {
		cn.close = c
		close(cn.done)
	})
}

// writeLoop writes queued frames until the connection is killed, then
// closes it. A burst of writes that takes longer than WriteTimeout means
// the client is too slow: a timer, armed once per burst, drops it.
//
// Writes get a context without a deadline, so the library arms no timer
// of its own per frame; at thousands of frames a second that timer was a
// tenth of the server's CPU.
func (cn *conn) writeLoop() {
	stalled := time.AfterFunc(time.Hour, func() {
		cn.tooSlow()
		_ = cn.ws.CloseNow() // unblocks the stalled write
	})
	stalled.Stop()
	for {
		select {
		case o := <-cn.queue:
			stalled.Reset(cn.s.cfg.WriteTimeout)
			err := cn.writeBurst(o)
			stalled.Stop()
			if err != nil {
				cn.kill(protocol.CloseNormal) // unless tooSlow came first
			}
		case <-cn.done:
			err := cn.ws.Close(cn.close.Code, cn.close.Reason)
			if err != nil && cn.close.Code != websocket.StatusNormalClosure {
				cn.s.log.Debug("websocket close", "pad", cn.pad.ID, "err", err)
			}
			return
		}
	}
}

// writeBurst writes o and whatever else is queued already (up to
// maxBurst items).
func (cn *conn) writeBurst(o outgoing) error {
	ctx := context.Background()
	for n := 1; ; n++ {
		if err := cn.write(ctx, o); err != nil {
			return err
		}
		if n == maxBurst {
			return nil
		}
		select {
		case o = <-cn.queue:
		default:
			return nil
		}
	}
}

// maxBurst bounds the queued items one writeBurst takes.
const maxBurst = 64

func (cn *conn) write(ctx context.Context, o outgoing) error {
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
// that miss a pong, that do not join within JoinTimeout, or that send
// nothing for IdleTimeout.
func (cn *conn) keepalive() {
	cfg := cn.s.cfg
	t := time.NewTicker(cfg.PingInterval)
	defer t.Stop()
	joinBy := time.NewTimer(cfg.JoinTimeout)
	defer joinBy.Stop()
	for {
		select {
		case <-cn.done:
			return
		case <-joinBy.C:
			if !cn.joined.Load() {
				cn.kill(protocol.CloseNoJoin)
				return
			}
			continue
		case <-t.C:
		}
		idle := time.Since(time.Unix(0, cn.lastRead.Load()))
		switch {
		case idle > cfg.IdleTimeout:
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
	}
}
