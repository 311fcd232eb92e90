package sqlitestore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// probeBytes is the size of the row CheckWritable writes and deletes: big
// enough to need new pages (so a database at its size limit fails it) and
// to reach the disk at commit (so a full disk or a read-only file fails
// it), small enough to write every few seconds.
const probeBytes = 32 << 10

// Option configures Open.
type Option func(*Store)

// WithLogger makes the store log each storage failure episode: the first
// failed write with its cause at error level, and the first write that
// succeeds again at info level. Without it the store logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(s *Store) { s.health.logger = l }
}

// health tracks whether the database accepts writes, from every write the
// store makes (appends, snapshots, catalog changes, probes), and logs each
// change of state once.
type health struct {
	logger *slog.Logger // nil: silent

	mu      sync.Mutex
	failing error     // the last write's error while writes fail; nil when they succeed
	since   time.Time // when the current failure episode began
}

// observe records the outcome of a write: err nil is a success. Errors
// that say nothing about the database (a caller's cancelled context, a
// closed store) are ignored.
func (h *health) observe(err error) {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrClosed) {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case err != nil && h.failing == nil:
		h.failing, h.since = err, time.Now()
		if h.logger != nil {
			h.logger.Error("storage: writes are failing; not ready until one succeeds", "err", err)
		}
	case err != nil:
		h.failing = err
	case h.failing != nil:
		if h.logger != nil {
			h.logger.Info("storage: writes succeed again", "failed_for", time.Since(h.since).Round(time.Millisecond), "last_err", h.failing)
		}
		h.failing = nil
	}
}

// CheckWritable reports whether the database accepts writes now: it
// writes a row of probeBytes and deletes it again in one committed
// transaction, which fails on a full disk, a read-only file or directory
// and a database at its page limit alike. Every failure episode is logged
// once (see WithLogger). It is meant for a readiness check: a server
// whose store refuses writes should take no editors.
func (s *Store) CheckWritable(ctx context.Context) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err == nil {
		defer func() { _ = tx.Rollback() }()
		_, err = tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('write-probe', zeroblob(?))
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, probeBytes)
	}
	if err == nil {
		_, err = tx.ExecContext(ctx, `DELETE FROM meta WHERE key = 'write-probe'`)
	}
	if err == nil {
		err = tx.Commit()
	}
	s.health.observe(err)
	if err != nil {
		return fmt.Errorf("sqlitestore: the database refuses writes: %w", err)
	}
	return nil
}
