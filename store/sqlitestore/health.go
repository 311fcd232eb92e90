package sqlitestore

import (
	"context"
	"fmt"
	"log/slog"
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
	return func(s *Store) { s.health.Logger = l }
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
	s.health.Observe(err)
	if err != nil {
		return fmt.Errorf("sqlitestore: the database refuses writes: %w", err)
	}
	return nil
}
