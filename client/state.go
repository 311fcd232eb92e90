package client

import (
	"errors"
	"fmt"
	"time"

	"github.com/confpad/confpad/collab"
)

// errGap means the server skipped a revision: the client must resume from
// the last revision it has.
var errGap = errors.New("client: revision gap in the server's stream")

// sent is the op in flight: sent (or to be sent once connected) and not
// yet acknowledged.
type sent struct {
	// wire, base and seq are what went on the wire; a resend repeats them
	// exactly so the server can deduplicate it.
	wire collab.Op
	base int
	seq  int
	// op is wire transformed past every remote op received since it was
	// sent: the op as it applies at the client's revision.
	op collab.Op
	// edits is how many Edit calls the op carries.
	edits int
	// sentAt is when the op was first handed to a connection (zero until
	// then).
	sentAt time.Time
	// retries counts temporary refusals by the server, for the backoff.
	retries int
}

// buffered holds the local edits made while an op is in flight, composed
// into one op.
type buffered struct {
	op    collab.Op
	edits int
}

// state is the client's OT state machine, with no I/O: the local text, the
// server revision it rests on, the op in flight and the buffer. It is not
// safe for concurrent use; Client guards it with its mutex.
type state struct {
	doc      *collab.Doc
	rev      int
	seq      int // the last seq handed out
	inflight *sent
	buffer   *buffered
	// cursor is a selection in the local text waiting to be sent until
	// the client is in sync (a cursor message names a server revision).
	cursor *[2]int
}

// edit applies op to the local text and queues it: it becomes the op in
// flight if there is none (the caller must then send it), else it is
// composed into the buffer. The text is unchanged if op does not apply.
func (s *state) edit(op collab.Op) (send bool, err error) {
	var composed collab.Op
	if s.inflight != nil && s.buffer != nil {
		// Compose first: it fails only if op does not fit the text, and
		// then nothing has changed yet.
		if composed, err = collab.Compose(s.buffer.op, op); err != nil {
			return false, fmt.Errorf("client: edit: %w", err)
		}
	}
	if err := s.doc.Apply(op); err != nil {
		return false, fmt.Errorf("client: edit: %w", err)
	}
	if s.cursor != nil {
		s.cursor = transformSel(*s.cursor, op)
	}
	switch {
	case s.inflight == nil:
		s.seq++
		s.inflight = &sent{wire: op, base: s.rev, seq: s.seq, op: op, edits: 1}
		return true, nil
	case s.buffer == nil:
		s.buffer = &buffered{op: op, edits: 1}
	default:
		s.buffer.op = composed
		s.buffer.edits++
	}
	return false, nil
}

// remote applies another client's op, committed as revision rev, to the
// local text, transformed past the unacknowledged ops (which are in turn
// transformed past it). It returns false for a revision the client already
// has, and errGap for one beyond the next. On error nothing changes.
func (s *state) remote(rev int, op collab.Op) (applied bool, err error) {
	switch {
	case rev <= s.rev:
		return false, nil
	case rev > s.rev+1:
		return false, fmt.Errorf("%w: got revision %d at revision %d", errGap, rev, s.rev)
	}
	r := op
	var inflight, buffer collab.Op
	if s.inflight != nil {
		if inflight, r, err = transformPair(s.inflight.op, r); err != nil {
			return false, err
		}
	}
	if s.buffer != nil {
		if buffer, r, err = transformPair(s.buffer.op, r); err != nil {
			return false, err
		}
	}
	if err := s.doc.Apply(r); err != nil {
		return false, fmt.Errorf("client: remote op %d: %w", rev, err)
	}
	if s.inflight != nil {
		s.inflight.op = inflight
	}
	if s.buffer != nil {
		s.buffer.op = buffer
	}
	if s.cursor != nil {
		s.cursor = transformSel(*s.cursor, r)
	}
	s.rev = rev
	return true, nil
}

// transformPair transforms the local op l and the remote op r past each
// other with the server's tie-breaking: the remote op was committed first,
// so l takes side Right against it and r takes side Left.
func transformPair(l, r collab.Op) (collab.Op, collab.Op, error) {
	l2, err := collab.Transform(l, r, collab.Right)
	if err != nil {
		return collab.Op{}, collab.Op{}, fmt.Errorf("client: transform local op: %w", err)
	}
	r2, err := collab.Transform(r, l, collab.Left)
	if err != nil {
		return collab.Op{}, collab.Op{}, fmt.Errorf("client: transform remote op: %w", err)
	}
	return l2, r2, nil
}

// ack records that the op in flight with this seq is revision rev. It
// returns the acknowledged op, or nil for an ack the client is not waiting
// for (a resent op committed before the drop is acknowledged twice). The
// buffer, if any, becomes the new op in flight; next is true if the caller
// must send it.
func (s *state) ack(seq, rev int) (acked *sent, next bool, err error) {
	if s.inflight == nil || seq != s.inflight.seq {
		return nil, false, nil
	}
	if rev != s.rev+1 {
		return nil, false, fmt.Errorf("%w: ack of seq %d as revision %d at revision %d", errGap, seq, rev, s.rev)
	}
	acked = s.inflight
	s.rev = rev
	s.inflight = nil
	if s.buffer != nil {
		s.seq++
		s.inflight = &sent{wire: s.buffer.op, base: s.rev, seq: s.seq, op: s.buffer.op, edits: s.buffer.edits}
		s.buffer = nil
		next = true
	}
	return acked, next, nil
}

// pending is the number of Edit calls not yet acknowledged.
func (s *state) pending() int {
	n := 0
	if s.inflight != nil {
		n += s.inflight.edits
	}
	if s.buffer != nil {
		n += s.buffer.edits
	}
	return n
}

// takeCursor returns the waiting selection if the client is in sync, and
// forgets it.
func (s *state) takeCursor() (sel [2]int, ok bool) {
	if s.cursor == nil || s.inflight != nil {
		return sel, false
	}
	sel = *s.cursor
	s.cursor = nil
	return sel, true
}

// transformSel moves a selection past op.
func transformSel(sel [2]int, op collab.Op) *[2]int {
	moved := collab.TransformSelection(sel, op)
	return &moved
}
