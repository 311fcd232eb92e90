// Package episode logs a recurring failure once per episode: once when
// things start failing, with the cause, and once when they work again,
// however many failures and successes are reported in between.
package episode

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Tracker follows the outcomes of one kind of operation (writes to the
// store, say). The zero value logs nothing; set Logger and What.
type Tracker struct {
	// Logger receives the two lines of an episode; nil: silent.
	Logger *slog.Logger
	// What names the operation in the log lines, e.g. "storage: writes".
	What string

	mu      sync.Mutex
	failing error     // the last error while failing, nil while working
	since   time.Time // when the current episode began
}

// Observe records one outcome: err nil is a success. A cancelled or
// timed-out caller's context says nothing about the operation and is
// ignored.
func (t *Tracker) Observe(err error) {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case err != nil && t.failing == nil:
		t.failing, t.since = err, time.Now()
		if t.Logger != nil {
			t.Logger.Error(t.What+" are failing; not ready until one succeeds", "err", err)
		}
	case err != nil:
		t.failing = err
	case t.failing != nil:
		if t.Logger != nil {
			t.Logger.Info(t.What+" succeed again", "failed_for", time.Since(t.since).Round(time.Millisecond), "last_err", t.failing)
		}
		t.failing = nil
	}
}
