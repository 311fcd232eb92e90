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

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
)

// Close codes and reasons the server uses besides the standard ones.
const (
	// statusUnknownPad: the pad does not exist or was deleted; do not
	// reconnect.
	statusUnknownPad websocket.StatusCode = 4404
	// statusReplaced: another connection joined with the same client id;
	// do not reconnect with this id.
	statusReplaced websocket.StatusCode = 4409
	// statusHistoryChanged: the pad's history was rewritten under the
	// connection (the store lost acknowledged ops and another replica
	// committed others at their revisions); load the pad afresh, without
	// since.
	statusHistoryChanged websocket.StatusCode = 4410

	reasonTooSlow    = "too slow; resume with since"
	reasonTooMany    = "too many messages; slow down"
	reasonRestarting = "server restarting, reconnect"
)

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

// session is one websocket connection. Its goroutines: the handler (the
// HTTP request's goroutine) runs joins, ops and cursors one at a time;
// the reader reads and parses frames; the writer drains the bounded send
// queue; keepalive pings and enforces the idle timeouts.
type session struct {
	s    *Server
	conn *websocket.Conn
	pad  conference.Session

	// hub is set once joined; user, lastCursor and cursorTimer are
	// guarded by hub.mu after that.
	hub         *hub
	user        PresenceUser
	lastCursor  time.Time
	cursorTimer *time.Timer

	queue    chan outgoing
	done     chan struct{} // closed by kill
	killOnce sync.Once
	code     websocket.StatusCode
	reason   string

	lastRead atomic.Int64 // unix nanoseconds of the last frame read
	joined   atomic.Bool
}

// serveWS handles GET /pads/:id/ws.
func (s *Server) serveWS(c echo.Context) error {
	if s.closing.Load() {
		return apiError(503, codeUnavailable, "server is shutting down")
	}
	padSess, lookupErr := s.cfg.Catalog.Session(c.Request().Context(), c.Param("id"))
	if lookupErr != nil && !errors.Is(lookupErr, conference.ErrNotFound) {
		return apiError(503, codeUnavailable, "catalog unavailable")
	}
	conn, err := websocket.Accept(c.Response(), c.Request(), nil)
	if err != nil {
		return nil // Accept has written the HTTP error
	}
	conn.SetReadLimit(s.cfg.MaxFrameBytes * hardReadLimitFactor)
	if lookupErr != nil {
		s.metrics.errors.WithLabelValues(codeUnknownPad).Inc()
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.WriteTimeout)
		defer cancel()
		_ = conn.Write(ctx, websocket.MessageText, encodeError(codeUnknownPad, "no session "+truncate(c.Param("id"), 64), -1))
		return conn.Close(statusUnknownPad, "unknown pad")
	}
	sess := &session{
		s:     s,
		conn:  conn,
		pad:   padSess,
		queue: make(chan outgoing, s.cfg.SendQueue),
		done:  make(chan struct{}),
	}
	sess.lastRead.Store(time.Now().UnixNano())
	s.track(sess, true)
	defer s.track(sess, false)
	sess.run()
	return nil
}

// run serves the connection until it closes.
func (sess *session) run() {
	// ctx, for the engine calls, ends once the writer closed the
	// connection.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	inbound := make(chan inboundMessage, 16)
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); sess.readLoop(inbound) }()
	go func() { defer wg.Done(); sess.writeLoop(); cancel() }()
	go func() { defer wg.Done(); sess.keepalive() }()

	var leave func()
	for in := range inbound {
		msg := in.msg
		if err := sess.check(msg); err != nil {
			sess.sendError(err.Code, err.Message, in.seq)
			continue
		}
		switch msg.Type {
		case "join":
			if l := sess.join(ctx, msg); l != nil {
				leave = l
			}
		case "op":
			sess.submit(ctx, msg)
		case "cursor":
			sess.moveCursor(ctx, msg)
		case "rename":
			sess.hub.rename(sess, msg.Name, msg.Color)
		}
	}
	if sess.hub != nil {
		sess.hub.leave(sess)
		sess.s.releaseHub(sess.hub)
	}
	if leave != nil {
		leave()
	}
	sess.kill(websocket.StatusNormalClosure, "")
	wg.Wait()
}

// readLoop reads frames, answers what is wrong with them, and hands valid
// messages to the handler. It closes inbound when the connection ends.
//
// Reads get a context without a deadline or cancel, like writes (see
// writeLoop): a cancellable one costs the library a context.AfterFunc per
// frame header and payload. The reads end when the writer closes the
// connection.
func (sess *session) readLoop(inbound chan<- inboundMessage) {
	defer close(inbound)
	var buf bytes.Buffer
	limit := sess.s.cfg.MaxFrameBytes
	var lr io.LimitedReader // reused: io.LimitReader would allocate per frame
	frames := newTokenBucket(sess.s.cfg.MessageRate, sess.s.cfg.MessageBurst)
	for {
		typ, r, err := sess.conn.Reader(context.Background())
		if err != nil {
			sess.readFailed(err)
			return
		}
		now := time.Now()
		sess.lastRead.Store(now.UnixNano())
		if !frames.take(now) {
			sess.s.metrics.errors.WithLabelValues(codeRateLimited).Inc()
			sess.kill(websocket.StatusPolicyViolation, reasonTooMany)
			return
		}
		buf.Reset()
		lr.R, lr.N = r, limit+1
		n, err := buf.ReadFrom(&lr)
		if err == nil && n > limit {
			_, err = io.Copy(io.Discard, r)
			if err == nil {
				sess.sendError(codeTooLarge, "frame is larger than the limit of "+strconv.FormatInt(limit, 10)+" bytes", -1)
				continue
			}
		}
		if err != nil {
			sess.readFailed(err)
			return
		}
		if typ != websocket.MessageText {
			sess.sendError(codeBadMessage, "binary frames are not accepted; send JSON in text frames", -1)
			continue
		}
		msg, seq, perr := parseClientMessage(buf.Bytes(), sess.s.maxOpLen)
		if perr != nil {
			sess.sendError(perr.Code, perr.Message, seq)
			continue
		}
		select {
		case inbound <- inboundMessage{msg, seq}:
		case <-sess.done:
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
	msg clientMessage
	seq int
}

// check rejects messages that do not fit the connection's state; it runs
// in the handler, after the messages before it were handled.
func (sess *session) check(msg clientMessage) *protoError {
	joined := sess.joined.Load()
	switch {
	case msg.Type == "join" && joined:
		return protoErrorf(codeBadMessage, "already joined")
	case msg.Type != "join" && !joined:
		return protoErrorf(codeNotJoined, "send join first")
	case msg.Type == "op" && sess.hub.readOnly.Load():
		return protoErrorf(codeReadOnly, "this session is archived and read-only")
	}
	return nil
}

func (sess *session) readFailed(err error) {
	switch {
	case websocket.CloseStatus(err) != -1:
		sess.kill(websocket.StatusNormalClosure, "")
	case errors.Is(err, websocket.ErrMessageTooBig):
		sess.s.metrics.errors.WithLabelValues(codeTooLarge).Inc()
		sess.kill(websocket.StatusMessageTooBig, "frame far over the size limit")
	default:
		sess.kill(websocket.StatusNormalClosure, "")
	}
}

// join joins the pad; it returns the engine's leave function, or nil and
// sends the error.
func (sess *session) join(ctx context.Context, msg clientMessage) (leave func()) {
	s := sess.s
	h, err := s.joinHub(ctx, sess.pad.ID)
	switch {
	case errors.Is(err, conference.ErrNotFound):
		sess.sendError(codeUnknownPad, "no session "+sess.pad.ID, -1)
		sess.kill(statusUnknownPad, "unknown pad")
		return nil
	case err != nil:
		sess.sendError(codeUnavailable, "catalog unavailable; reconnect later", -1)
		sess.kill(websocket.StatusGoingAway, "storage unavailable; reconnect")
		return nil
	}
	sess.user = PresenceUser{Client: msg.Client, Name: msg.Name, Color: msg.Color}
	var text *string
	leave, err = s.engine.Join(ctx, sess.pad.ID, msg.Since, func(head int, t string, missed []collab.Record) {
		if msg.Since < 0 {
			text = &t
		}
		h.join(sess, head, text, missed)
	})
	if err != nil {
		s.releaseHub(h)
		sess.sendEngineError(err, -1)
		return nil
	}
	sess.hub = h
	sess.joined.Store(true)
	return leave
}

// submit commits an op. The ack reaches the author through the hub, in
// order with the op stream; a resent op that was already committed is
// acked here.
func (sess *session) submit(ctx context.Context, msg clientMessage) {
	s := sess.s
	start := time.Now()
	res, err := s.engine.Submit(ctx, sess.pad.ID, collab.Submission{Client: sess.user.Client, Seq: msg.Seq, Base: msg.Rev, Op: msg.Op})
	s.metrics.submitSeconds.Observe(time.Since(start).Seconds())
	switch {
	case err != nil:
		sess.sendEngineError(err, msg.Seq)
		if isReadOnly(err) {
			s.refreshLater(sess.hub) // this replica's copy of the state is stale
		}
	case res.Duplicate:
		sess.send(encodeAck(msg.Seq, res.Rev))
	default:
		s.metrics.opsCommitted.Inc()
	}
}

// moveCursor places the connection's selection at the head and hands it
// to the hub.
func (sess *session) moveCursor(ctx context.Context, msg clientMessage) {
	sel, head, err := sess.s.engine.Rebase(ctx, sess.pad.ID, msg.Rev, msg.Sel)
	if err != nil {
		sess.sendEngineError(err, -1)
		return
	}
	sess.hub.cursor(sess, sel, head)
}

// sendEngineError reports an engine error to the client; ref is the op's
// seq or -1.
func (sess *session) sendEngineError(err error, ref int) {
	var ce *collab.Error
	switch {
	case errors.As(err, &ce):
		sess.sendError(ce.Code, ce.Message, ref)
	case errors.Is(err, context.Canceled):
		// the connection is closing
	default:
		sess.s.log.Error("pad engine failed", "pad", sess.pad.ID, "err", err)
		sess.sendError(codeInternal, "internal error; try again", ref)
	}
}

func (sess *session) sendError(code, message string, ref int) {
	sess.s.metrics.errors.WithLabelValues(code).Inc()
	sess.send(encodeError(code, message, ref))
}

// send queues a frame without blocking. A connection whose queue is full
// is too slow: it is closed, and resumes with since.
func (sess *session) send(frame []byte) {
	sess.enqueue(outgoing{one: frame})
}

func (sess *session) sendMany(frames [][]byte) {
	sess.enqueue(outgoing{many: frames})
}

func (sess *session) enqueue(o outgoing) {
	select {
	case <-sess.done:
		return
	default:
	}
	select {
	case sess.queue <- o:
	default:
		sess.tooSlow()
	}
}

func (sess *session) tooSlow() {
	sess.killOnce.Do(func() {
		sess.s.metrics.slowDisconnects.Inc()
		sess.code, sess.reason = websocket.StatusPolicyViolation, reasonTooSlow
		close(sess.done)
	})
}

// kill closes the connection with code and reason (the first call wins).
// It never blocks: the writer performs the close.
func (sess *session) kill(code websocket.StatusCode, reason string) {
	sess.killOnce.Do(func() {
		sess.code, sess.reason = code, reason
		close(sess.done)
	})
}

// writeLoop writes queued frames until the connection is killed, then
// closes it. A burst of writes that takes longer than WriteTimeout means
// the client is too slow: a timer, armed once per burst, drops it.
//
// Writes get a context without a deadline, so the library arms no timer
// of its own per frame; at thousands of frames a second that timer was a
// tenth of the server's CPU.
func (sess *session) writeLoop() {
	stalled := time.AfterFunc(time.Hour, func() {
		sess.tooSlow()
		_ = sess.conn.CloseNow() // unblocks the stalled write
	})
	stalled.Stop()
	for {
		select {
		case o := <-sess.queue:
			stalled.Reset(sess.s.cfg.WriteTimeout)
			err := sess.writeBurst(o)
			stalled.Stop()
			if err != nil {
				sess.kill(websocket.StatusNormalClosure, "") // unless tooSlow came first
			}
		case <-sess.done:
			err := sess.conn.Close(sess.code, sess.reason)
			if err != nil && sess.code != websocket.StatusNormalClosure {
				sess.s.log.Debug("websocket close", "pad", sess.pad.ID, "err", err)
			}
			return
		}
	}
}

// writeBurst writes o and whatever else is queued already (up to
// maxBurst items).
func (sess *session) writeBurst(o outgoing) error {
	ctx := context.Background()
	for n := 1; ; n++ {
		if err := sess.write(ctx, o); err != nil {
			return err
		}
		if n == maxBurst {
			return nil
		}
		select {
		case o = <-sess.queue:
		default:
			return nil
		}
	}
}

// maxBurst bounds the queued items one writeBurst takes.
const maxBurst = 64

func (sess *session) write(ctx context.Context, o outgoing) error {
	if o.one != nil {
		return sess.conn.Write(ctx, websocket.MessageText, o.one)
	}
	for _, f := range o.many {
		if err := sess.conn.Write(ctx, websocket.MessageText, f); err != nil {
			return err
		}
	}
	return nil
}

// keepalive pings the client every PingInterval and closes connections
// that miss a pong, that do not join within JoinTimeout, or that send
// nothing for IdleTimeout.
func (sess *session) keepalive() {
	cfg := sess.s.cfg
	t := time.NewTicker(cfg.PingInterval)
	defer t.Stop()
	joinBy := time.NewTimer(cfg.JoinTimeout)
	defer joinBy.Stop()
	for {
		select {
		case <-sess.done:
			return
		case <-joinBy.C:
			if !sess.joined.Load() {
				sess.kill(websocket.StatusPolicyViolation, "no join message")
				return
			}
			continue
		case <-t.C:
		}
		idle := time.Since(time.Unix(0, sess.lastRead.Load()))
		switch {
		case idle > cfg.IdleTimeout:
			sess.kill(websocket.StatusGoingAway, "idle timeout")
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), cfg.PingInterval)
		err := sess.conn.Ping(ctx)
		cancel()
		if err != nil {
			sess.s.log.Debug("keepalive failed", slog.String("pad", sess.pad.ID), slog.Any("err", err))
			sess.kill(websocket.StatusGoingAway, "keepalive timeout")
			return
		}
	}
}
