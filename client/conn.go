package client

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/confpad/confpad/protocol"
)

// conn is one websocket connection of a Client, after its welcome: a
// reader goroutine (Client.readLoop) and a writer goroutine draining a
// bounded queue, so the client's lock is never held across network I/O.
//
// Reads and writes take a context without a deadline or cancellation, so
// the websocket library arms no timer per frame; ending ctx drops the
// connection instead, which unblocks them.
type conn struct {
	ws     *websocket.Conn
	out    chan []byte
	ctx    context.Context
	cancel context.CancelFunc
	once   sync.Once
}

func newConn(parent context.Context, ws *websocket.Conn) *conn {
	cn := &conn{ws: ws, out: make(chan []byte, sendQueue)}
	cn.ctx, cn.cancel = context.WithCancel(parent)
	context.AfterFunc(cn.ctx, cn.abort)
	return cn
}

// send queues a message without blocking. A connection whose queue is full
// is stuck: it is dropped, and the client resumes on a new one.
func (cn *conn) send(msg any) {
	b, err := encode(msg)
	if err != nil {
		cn.abort()
		return
	}
	select {
	case cn.out <- b:
	default:
		cn.abort()
	}
}

// writeLoop writes queued frames until the connection ends.
func (cn *conn) writeLoop() {
	for {
		select {
		case <-cn.ctx.Done():
			return
		case b := <-cn.out:
			if err := cn.ws.Write(context.Background(), websocket.MessageText, b); err != nil {
				cn.abort()
				return
			}
		}
	}
}

// close closes the connection cleanly (a close frame with status normal).
func (cn *conn) close() {
	cn.once.Do(func() {
		_ = cn.ws.Close(websocket.StatusNormalClosure, "")
		cn.cancel()
	})
}

// abort drops the connection at once, without a close handshake.
func (cn *conn) abort() {
	cn.once.Do(func() {
		cn.cancel()
		_ = cn.ws.CloseNow()
	})
}

// connect dials, joins (resuming from the client's revision if it was
// welcomed before), processes what arrives up to the welcome, then
// installs the connection, resends the op in flight and starts the
// connection's goroutines. A connection it replaces is dropped first.
func (c *Client) connect(ctx context.Context) error {
	c.connectMu.Lock()
	defer c.connectMu.Unlock()

	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrClosed
	}
	old := c.cur
	c.cur = nil
	join := protocol.JoinMessage{Type: protocol.TypeJoin, Client: c.opts.Client, Name: c.opts.Name, Color: c.opts.Color, Edit: c.opts.Edit}
	if c.joined {
		since := c.st.rev
		join.Since = &since
	}
	c.mu.Unlock()
	if old != nil {
		old.abort()
	}

	ws, _, err := websocket.Dial(ctx, c.url, &websocket.DialOptions{HTTPClient: c.opts.HTTPClient, HTTPHeader: c.opts.HTTPHeader})
	if err != nil {
		return fmt.Errorf("client: dial %s: %w", c.url, err)
	}
	ws.SetReadLimit(c.opts.ReadLimit)
	if err := c.handshake(ctx, ws, join); err != nil {
		_ = ws.CloseNow()
		return err
	}

	cn := newConn(c.ctx, ws)
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		cn.abort()
		return ErrClosed
	}
	c.cur = cn
	c.sendInflightLocked()
	c.sendCursorLocked()
	c.wg.Add(2) // under mu, which Close takes before it waits
	c.mu.Unlock()
	go func() { defer c.wg.Done(); cn.writeLoop() }()
	go func() { defer c.wg.Done(); c.readLoop(cn) }()
	return nil
}

// handshake sends the join and handles messages until the welcome.
func (c *Client) handshake(ctx context.Context, ws *websocket.Conn, join protocol.JoinMessage) error {
	b, err := encode(join)
	if err != nil {
		return err
	}
	if err := ws.Write(ctx, websocket.MessageText, b); err != nil {
		return fmt.Errorf("client: send join: %w", err)
	}
	for {
		_, data, err := ws.Read(ctx)
		now := time.Now()
		if err != nil {
			return fmt.Errorf("client: join: %w", err)
		}
		m, ev, err := c.handle(data, now)
		c.emit(ev)
		switch {
		case err != nil:
			return err
		case m.Type == protocol.TypeError:
			return &ServerError{Code: m.Code, Message: m.Message}
		case m.Type == protocol.TypeWelcome:
			return nil
		}
	}
}

// readLoop handles the connection's messages until it fails or is
// replaced, then reports the loss and, with AutoReconnect, resumes.
func (c *Client) readLoop(cn *conn) {
	var err error
	for {
		var data []byte
		_, data, err = cn.ws.Read(context.Background())
		now := time.Now()
		if err != nil {
			err = fmt.Errorf("client: connection lost: %w", err)
			break
		}
		var ev Event
		_, ev, err = c.handle(data, now)
		c.emit(ev)
		if err != nil {
			break
		}
	}
	cn.abort()
	c.mu.Lock()
	lost := c.cur == cn
	if lost {
		c.cur = nil
	}
	c.mu.Unlock()
	if !lost {
		return // closed or replaced on purpose
	}
	c.emit(Event{Kind: EventDisconnected, Time: time.Now(), Err: err})
	if c.opts.AutoReconnect && resumable(err) {
		c.wg.Add(1)
		go func() { defer c.wg.Done(); c.reconnectLoop() }()
	}
}

// resumable reports whether a connection lost with err is worth resuming:
// its close code's policy is protocol.Retry. After a Resync close (the
// pad's history was rewritten under this client) a Client does not load
// the pad afresh, as it keeps its owner's document; its owner makes a new
// one.
func resumable(err error) bool {
	return protocol.ClosePolicy(websocket.CloseStatus(err)) == protocol.Retry && !errors.Is(err, ErrNoResume)
}
