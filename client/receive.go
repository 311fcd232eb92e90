package client

import (
	"errors"
	"fmt"
	"time"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/protocol"
)

// errProtocol marks a server message that breaks the protocol; the
// connection is dropped (and resumed, with AutoReconnect).
var errProtocol = errors.New("client: protocol error")

// errTooFarBehind: the server refused the client's cursor as older than
// the revisions it keeps (rev_too_old without a ref). The connection is
// dropped and, with AutoReconnect, resumed: a since that old gets a fresh
// snapshot, which is the protocol's resync.
var errTooFarBehind = errors.New("client: too far behind the pad's head")

// handle applies one server message, which arrived at now, to the client's
// state and returns it with the event to report (Kind 0 if none). An error
// means the connection must be dropped; the state is then as before the
// message. Message types the client does not know are ignored, as the
// protocol allows new ones.
func (c *Client) handle(data []byte, now time.Time) (protocol.ServerMessage, Event, error) {
	m, err := protocol.DecodeServerMessage(data)
	if err != nil {
		return m, Event{}, fmt.Errorf("%w: %w", errProtocol, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var ev Event
	switch m.Type {
	case protocol.TypeWelcome:
		ev, err = c.welcomeLocked(m)
	case protocol.TypeOp:
		ev, err = c.remoteLocked(m)
	case protocol.TypeAck:
		ev, err = c.ackLocked(m, now)
	case protocol.TypePresence:
		ev = Event{Kind: EventPresence, Rev: m.Rev, Presence: m.Event, User: m.User}
	case protocol.TypePeople:
		ev = Event{Kind: EventPeople, People: m.People}
	case protocol.TypeLinks:
		ev = Event{Kind: EventLinks}
	case protocol.TypeError:
		ev = Event{Kind: EventError, Code: m.Code, Message: m.Message, Seq: -1}
		if m.Ref != nil {
			ev.Seq = *m.Ref
			c.rejectedLocked(*m.Ref, &ServerError{Code: m.Code, Message: m.Message})
		} else if m.Code == protocol.RevTooOld {
			err = fmt.Errorf("%w: %s", errTooFarBehind, m.Message)
		}
	}
	if ev.Kind == 0 || err != nil && ev.Kind != EventError {
		return m, Event{}, err
	}
	ev.Time, ev.Raw = now, data
	return m, ev, err
}

// rejectedLocked handles an error message about the op with this seq. If
// it is the op in flight and the code's policy is protocol.Retry, the same
// op (same seq and base) is sent again after a backoff; otherwise the
// client fails (protocol.Resync and Stop alike: its text holds an edit the
// server will never have, and it does not drop its owner's edits).
func (c *Client) rejectedLocked(seq int, se *ServerError) {
	f := c.st.inflight
	if f == nil || f.seq != seq {
		return
	}
	if p, _ := protocol.ErrorPolicy(se.Code); p != protocol.Retry {
		c.failed = fmt.Errorf("%w: op %d: %w", ErrRejected, seq, se)
		return
	}
	f.retries++
	cn := c.cur
	time.AfterFunc(backoff(c.opts.MinBackoff, c.opts.MaxBackoff, f.retries), func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		// A reconnect meanwhile has resent it already.
		if c.st.inflight == f && c.cur == cn && !c.closed {
			c.sendInflightLocked()
		}
	})
}

// welcomeLocked handles a welcome: with text it starts the local copy
// afresh; without, it ends a resume, and the replayed ops must have
// brought the client to its revision.
func (c *Client) welcomeLocked(m protocol.ServerMessage) (Event, error) {
	resumed := c.joined
	switch {
	case m.Text != nil && resumed && c.st.pending() > 0:
		return Event{}, fmt.Errorf("%w: got a snapshot at revision %d with %d local edits unacknowledged", ErrNoResume, m.Rev, c.st.pending())
	case m.Text != nil:
		c.st = state{doc: collab.NewDoc(*m.Text), rev: m.Rev, seq: c.st.seq, cursor: c.st.cursor}
		c.updateSyncedLocked()
	case !resumed:
		return Event{}, fmt.Errorf("%w: welcome without text on a first join", errProtocol)
	case m.Rev != c.st.rev:
		return Event{}, fmt.Errorf("%w: welcome at revision %d after replaying up to %d", errGap, m.Rev, c.st.rev)
	}
	c.joined = true
	c.readOnly = m.ReadOnly
	return Event{Kind: EventWelcome, Rev: m.Rev, Resumed: resumed, Users: m.Users, People: m.People}, nil
}

// remoteLocked handles another client's op.
func (c *Client) remoteLocked(m protocol.ServerMessage) (Event, error) {
	if !m.Op.Present {
		return Event{}, fmt.Errorf("%w: op message %d without an op", errProtocol, m.Rev)
	}
	applied, err := c.st.remote(m.Rev, m.Op.Op)
	if err != nil || !applied {
		return Event{}, err
	}
	return Event{Kind: EventRemote, Rev: m.Rev, Author: m.Author, By: m.By, Runs: m.Runs, Op: m.Op.Op}, nil
}

// ackLocked handles an ack: the op in flight is committed and the buffer,
// if any, goes out next.
func (c *Client) ackLocked(m protocol.ServerMessage, now time.Time) (Event, error) {
	acked, next, err := c.st.ack(m.Seq, m.Rev)
	if err != nil || acked == nil {
		return Event{}, err
	}
	if next {
		c.sendInflightLocked()
	}
	c.sendCursorLocked()
	c.updateSyncedLocked()
	ev := Event{Kind: EventAck, Rev: m.Rev, Seq: m.Seq, Edits: acked.edits}
	if !acked.sentAt.IsZero() {
		ev.Latency = now.Sub(acked.sentAt)
	}
	return ev, nil
}
