package client

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/confpad/confpad/protocol"
)

// Reconnect drops the current connection, if any, and resumes on a new
// one: it joins with "since" set to the client's revision, applies the ops
// it missed (and the acks of its own ops committed meanwhile), then resends
// the op in flight with its original seq and base revision; buffered edits
// follow when that is acknowledged. ctx bounds the dial and the join.
//
// Reconnect fails with ErrNoResume, and the client stays disconnected, if
// the server answers with a fresh snapshot while local edits are pending.
func (c *Client) Reconnect(ctx context.Context) error {
	return c.connect(ctx)
}

// reconnectLoop resumes after a lost connection, with exponential backoff
// and jitter, until it succeeds, the client is closed, or the server says
// not to come back: a close code or a join error whose policy is not
// protocol.Retry. A join refused with a Resync code (rev_ahead: the
// server's log lacks revisions this client has) ends it with an error
// wrapping ErrNoResume, as the client does not drop its owner's edits to
// load the pad afresh. Then it reports EventDisconnected.
func (c *Client) reconnectLoop() {
	for attempt := 1; ; attempt++ {
		t := time.NewTimer(backoff(c.opts.MinBackoff, c.opts.MaxBackoff, attempt))
		select {
		case <-c.ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(c.ctx, max(10*time.Second, c.opts.MaxBackoff))
		err := c.connect(ctx)
		cancel()
		var se *ServerError
		if errors.As(err, &se) {
			switch p, _ := protocol.ErrorPolicy(se.Code); p {
			case protocol.Retry:
				continue
			case protocol.Resync:
				err = fmt.Errorf("%w: %w", ErrNoResume, se)
			}
		}
		switch {
		case err == nil, errors.Is(err, ErrClosed), !resumable(err), se != nil:
			if err != nil && !errors.Is(err, ErrClosed) {
				c.emit(Event{Kind: EventDisconnected, Time: time.Now(), Err: err})
			}
			return
		}
	}
}

// backoff is the wait before retry number attempt (from 1): doubling from
// lo up to hi, with jitter in [d/2, d] so many clients spread out.
func backoff(lo, hi time.Duration, attempt int) time.Duration {
	d := lo
	for i := 1; i < attempt && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	return d/2 + rand.N(d/2+1)
}
