package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/protocol"
)

// Errors returned by Client methods; test for them with errors.Is.
var (
	// ErrClosed: the client was closed.
	ErrClosed = errors.New("client: closed")
	// ErrReadOnly: the pad is read-only (archived, or view-only for want
	// of its edit link); edits are refused.
	ErrReadOnly = errors.New("client: pad is read-only")
	// ErrNoResume: the server cannot resume the client where it was: it
	// answered a resume with a fresh snapshot while local edits were
	// unacknowledged, or refused it with a code whose policy is
	// protocol.Resync (rev_ahead: its log lacks revisions the client
	// has). The client keeps its text and pending edits; it does not
	// drop them to load the pad afresh.
	ErrNoResume = errors.New("client: server could not resume the session")
	// ErrRejected: the server refused a local op for good (a code whose
	// policy is not protocol.Retry: "too_large", "read_only" after the pad
	// was archived, or "bad_op" and "rev_ahead", which mean a bug). The
	// local text holds an edit the server will never have, so every
	// further Edit fails with it: close the client and dial again.
	ErrRejected = errors.New("client: the server rejected a local op")
)

// ServerError is an error message from the server, returned by Dial and
// Reconnect when the server refuses the join (for example code
// "unknown_pad").
type ServerError struct {
	// Code is machine-readable ("unknown_pad", "too_large", ...; see
	// docs/protocol.md), Message is for people.
	Code    string
	Message string
}

// Error returns the code and the message.
func (e *ServerError) Error() string {
	return fmt.Sprintf("client: server error %s: %s", e.Code, e.Message)
}

// Default values of Options fields left zero.
const (
	DefaultReadLimit  = 64 << 20
	DefaultMinBackoff = 50 * time.Millisecond
	DefaultMaxBackoff = 5 * time.Second
	// sendQueue bounds the frames waiting for one connection's writer. The
	// client has at most one op in flight, so only a stuck connection
	// fills it; it is then dropped (and resumed).
	sendQueue = 64
)

// Options configures a Client. Every field is optional.
type Options struct {
	// Client is the client's secret id: 16 to 64 of A-Z, a-z, 0-9, '-'
	// and '_' (protocol.ValidSecret). Whoever holds it can resume this
	// client, have ops deduplicated as its own and take over its
	// connection, so it must be unguessable and never shown; others see
	// its public id (ID). The server deduplicates resent ops by (id, seq)
	// and seqs start at 1 in every Client, so an id must never be reused
	// by another Client of the same pad. Default: a random UUID.
	Client string
	// Name and Color are what other users see ("#3366ff").
	Name  string
	Color string
	// Edit is the secret of the session's edit link, needed to edit a
	// session whose policy is "link" (the welcome is read-only without
	// it); "" for none.
	Edit string
	// OnEvent, if set, is called for every Event, in order, one call at a
	// time, without the client's locks held: it may call the client's
	// methods except Close and Reconnect (which wait for it). It runs on
	// the connection's read goroutine, so a slow OnEvent delays the
	// client.
	OnEvent func(Event)
	// AutoReconnect makes the client resume by itself after the
	// connection drops, retrying with exponential backoff between
	// MinBackoff and MaxBackoff, until Close. It gives up, with an
	// EventDisconnected, when the server says the pad is unknown or
	// deleted (4404), the client id was taken over (4409), the pad's
	// history changed (4410), or refuses the join with a code whose policy
	// is not protocol.Retry (rev_ahead ends it with ErrNoResume).
	// MinBackoff also starts the backoff of ops the server refuses for a
	// while.
	AutoReconnect bool
	MinBackoff    time.Duration
	MaxBackoff    time.Duration
	// ReadLimit is the largest server message accepted, in bytes
	// (default 64 MiB; a welcome carries the whole text).
	ReadLimit int64
	// HTTPClient and HTTPHeader are used for the websocket handshake.
	HTTPClient *http.Client
	HTTPHeader http.Header
}

// Client is a connection to one pad: a local copy of its text kept in step
// with the server. Its methods are safe for concurrent use.
type Client struct {
	url  string
	opts Options

	// connectMu serialises connects and reconnects.
	connectMu sync.Mutex
	// emitMu serialises OnEvent calls.
	emitMu sync.Mutex

	mu       sync.Mutex
	st       state
	joined   bool // welcomed at least once
	readOnly bool
	failed   error // set once the server rejected an op for good
	cur      *conn // the welcomed connection; nil while disconnected
	closed   bool
	// synced is closed exactly when no edit is pending (WaitSynced).
	synced chan struct{}

	ctx    context.Context // the client's lifetime, cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Dial connects to a pad's websocket endpoint, such as
// ws://127.0.0.1:9001/pads/{id}/ws, joins it and returns once the welcome
// (with the pad's text) has arrived. ctx bounds the dial and join; the
// client then lives until Close. A join refused by the server returns a
// *ServerError.
func Dial(ctx context.Context, url string, opts Options) (*Client, error) {
	if opts.Client == "" {
		opts.Client = uuid.NewString()
	}
	if !protocol.ValidSecret(opts.Client) {
		return nil, fmt.Errorf("client: Options.Client must be %d to %d characters of A-Z, a-z, 0-9, '-' and '_'", protocol.MinSecretLen, protocol.MaxSecretLen)
	}
	if opts.ReadLimit <= 0 {
		opts.ReadLimit = DefaultReadLimit
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = DefaultMinBackoff
	}
	if opts.MaxBackoff < opts.MinBackoff {
		opts.MaxBackoff = max(DefaultMaxBackoff, opts.MinBackoff)
	}
	c := &Client{url: url, opts: opts, st: state{doc: collab.NewDoc("")}, synced: make(chan struct{})}
	close(c.synced)
	c.ctx, c.cancel = context.WithCancel(context.Background())
	if err := c.connect(ctx); err != nil {
		c.cancel()
		return nil, err
	}
	return c, nil
}

// ID returns the client's public id: its ops' Author and its presence's
// User.Client, as every client sees them (protocol.PublicID of the
// secret Options.Client).
func (c *Client) ID() string { return protocol.PublicID(protocol.DomainClient, c.opts.Client) }

// Edit applies op, which must fit the client's current local text, to that
// text and sends it to the server (or buffers it while another op is in
// flight, or while disconnected). On error nothing changes: the op does
// not fit (the error wraps collab.ErrInvalidOp or collab.ErrPastEnd), the
// pad is read-only (ErrReadOnly), the server rejected an earlier op
// (ErrRejected) or the client is closed (ErrClosed). An op the server
// refuses for a while (code "unavailable") is sent again with backoff.
func (c *Client) Edit(op collab.Op) error {
	return c.EditFunc(func(*collab.Doc) (collab.Op, error) { return op, nil })
}

// EditFunc is Edit for an op computed from the current local text: it
// calls fn with the text, under the client's lock so no remote op can
// change it meanwhile, and then edits with the op fn returns. fn must not
// keep doc, change it, or call the client's methods. An error from fn is
// returned as is.
func (c *Client) EditFunc(fn func(doc *collab.Doc) (collab.Op, error)) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.closed:
		return ErrClosed
	case c.failed != nil:
		return c.failed
	case c.readOnly:
		return ErrReadOnly
	}
	op, err := fn(c.st.doc)
	if err != nil {
		return err
	}
	send, err := c.st.edit(op)
	if err != nil {
		return err
	}
	c.updateSyncedLocked()
	if send {
		c.sendInflightLocked()
	}
	return nil
}

// SetCursor sets the local user's selection [anchor, head], in code points
// of the current local text. It is sent as soon as the client is in sync
// (a cursor message names a server revision), moved past the edits made
// until then; only the latest selection is kept.
func (c *Client) SetCursor(anchor, head int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return ErrClosed
	}
	if n := c.st.doc.Len(); anchor < 0 || head < 0 || anchor > n || head > n {
		return fmt.Errorf("client: selection [%d, %d] outside a text of %d code points", anchor, head, n)
	}
	c.st.cursor = &[2]int{anchor, head}
	c.sendCursorLocked()
	return nil
}

// Text returns the current local text: the server's text at Rev with the
// unacknowledged local edits applied. It copies the whole text; use Len
// or EditFunc where that matters.
func (c *Client) Text() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.st.doc.String()
}

// Len returns the length of the current local text in code points.
func (c *Client) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.st.doc.Len()
}

// Rev returns the last server revision the client has: every op up to it
// is in the local text.
func (c *Client) Rev() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.st.rev
}

// Pending returns how many Edit calls the server has not acknowledged yet.
func (c *Client) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.st.pending()
}

// ReadOnly reports whether the server said the pad is read-only.
func (c *Client) ReadOnly() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.readOnly
}

// WaitSynced waits until every local edit has been acknowledged, or ctx
// ends (its error is returned), or the client is closed (ErrClosed).
func (c *Client) WaitSynced(ctx context.Context) error {
	c.mu.Lock()
	ch := c.synced
	c.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-c.ctx.Done():
		return ErrClosed
	case <-ctx.Done():
		return fmt.Errorf("client: wait for acks: %w", ctx.Err())
	}
}

// Close closes the connection and stops the client; unacknowledged edits
// are abandoned. It waits for the client's goroutines, so it must not be
// called from OnEvent. Closing twice is harmless.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	cur := c.cur
	c.cur = nil
	c.mu.Unlock()
	c.cancel()
	if cur != nil {
		cur.close()
	}
	c.wg.Wait()
	return nil
}

// sendInflightLocked hands the op in flight to the current connection, if
// there is one (else the next connect sends it). A resend repeats the
// first send's seq, base and op.
func (c *Client) sendInflightLocked() {
	f := c.st.inflight
	if c.cur == nil || f == nil {
		return
	}
	if f.sentAt.IsZero() {
		f.sentAt = time.Now()
	}
	c.cur.send(protocol.OpMessage{Type: protocol.TypeOp, Rev: f.base, Seq: f.seq, Op: f.wire})
}

// sendCursorLocked sends the waiting selection if the client is connected
// and in sync.
func (c *Client) sendCursorLocked() {
	if c.cur == nil {
		return
	}
	if sel, ok := c.st.takeCursor(); ok {
		c.cur.send(protocol.CursorMessage{Type: protocol.TypeCursor, Rev: c.st.rev, Sel: sel})
	}
}

// updateSyncedLocked keeps the invariant of synced after a change of
// state: it is closed exactly when no edit is pending.
func (c *Client) updateSyncedLocked() {
	closed := false
	select {
	case <-c.synced:
		closed = true
	default:
	}
	switch pending := c.st.pending() > 0; {
	case pending && closed:
		c.synced = make(chan struct{})
	case !pending && !closed:
		close(c.synced)
	}
}

// emit delivers an event to OnEvent; an event of Kind 0 is none.
func (c *Client) emit(e Event) {
	if c.opts.OnEvent == nil || e.Kind == 0 {
		return
	}
	c.emitMu.Lock()
	defer c.emitMu.Unlock()
	c.opts.OnEvent(e)
}
