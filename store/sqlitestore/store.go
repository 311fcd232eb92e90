// Package sqlitestore is confpad's embedded store: one SQLite file, through
// the pure-Go driver modernc.org/sqlite, that holds every pad's history
// (collab.Log) and the conference's sessions (conference.Catalog).
//
// The database runs in WAL mode with synchronous=FULL, so a nil error from
// Append means the records are on disk. Appends from all pads go to one
// writer goroutine that commits whatever has queued up in a single
// transaction (group commit): under load, one fsync covers many keystrokes.
// Reads use a separate pool of query-only connections, which WAL lets run
// beside the writer.
//
// A Store is meant to be the only writer of its file: the pad engine above
// it serialises each pad's appends in-process. Another process writing the
// same file is safe (SQLite locks it) but only waits up to the busy timeout.
package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"modernc.org/sqlite" // also registers the "sqlite" database/sql driver

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/internal/episode"
	"github.com/confpad/confpad/internal/turns"
)

// Compile-time checks that a Store is both seams, and reads old
// revisions in one step.
var (
	_ collab.Log            = (*Store)(nil)
	_ collab.RevisionReader = (*Store)(nil)
	_ conference.Catalog    = (*Store)(nil)
)

// ErrClosed is returned by Append on a Store that has been closed.
var ErrClosed = errors.New("sqlitestore: store is closed")

// busyTimeout is how long a statement waits for a lock held by another
// process before it fails with SQLITE_BUSY.
const busyTimeout = 5 * time.Second

// readConns is the size of the read pool: at least one connection per
// CPU, so that the reads of old revisions that run at once (one per CPU,
// revisionTurns) need not wait for one.
func readConns() int {
	return max(4, runtime.GOMAXPROCS(0))
}

// Store is an SQLite database holding pad histories and the conference
// catalog. It implements collab.Log and conference.Catalog and is safe for
// concurrent use. Open one with Open and release it with Close.
type Store struct {
	// write has exactly one connection; the group-commit writer and the
	// catalog's writes share it, so this process never contends with
	// itself for SQLite's write lock.
	write *sql.DB
	// read is a pool of query-only connections.
	read *sql.DB
	// revision is ReadRevision's query, prepared once: preparing it took
	// about a quarter of a read's CPU.
	revision *sql.Stmt
	// revisionTurns admits ReadRevision's queries first come, first
	// served.
	revisionTurns turns.Turns
	w             *writer
	// health follows the outcome of every write.
	health *episode.Tracker
}

// Open opens the SQLite database at path, creating its directory, the file
// and the schema if they do not exist and migrating an older schema to the
// current one. The database must not be newer than this code knows.
//
// Open makes SQLite commit with fdatasync(2) rather than fsync(2) in the
// whole process, as SQLite's own Linux builds do: the same durability, and
// on ext4 about half the wait per commit.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	_, _ = sqlite.Fdatasync(true) // unavailable on some platforms: fsync stays
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("sqlitestore: create the directory of %s: %w", path, err)
	}
	write, err := sql.Open("sqlite", dsn(path, "_txlock=immediate&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)"))
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	if err := migrate(ctx, write); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}

	read, err := sql.Open("sqlite", dsn(path, "_query_only=1&_pragma=mmap_size(1073741824)"))
	if err == nil {
		read.SetMaxOpenConns(readConns())
		read.SetMaxIdleConns(readConns())
		err = read.PingContext(ctx)
		if err != nil {
			read.Close()
		}
	}
	var revision *sql.Stmt
	if err == nil {
		if revision, err = read.PrepareContext(ctx, revisionQuery); err != nil {
			read.Close()
		}
	}
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlitestore: open %s for reading: %w", path, err)
	}
	s := &Store{write: write, read: read, revision: revision, revisionTurns: turns.PerCPU(), health: &episode.Tracker{What: "storage: writes"}}
	for _, o := range opts {
		o(s)
	}
	s.w = startWriter(write, s.health)
	return s, nil
}

// dsn builds the driver's data source name for the file at path: a file:
// URI (with the characters URIs reserve escaped) plus the busy timeout and
// params.
func dsn(path, params string) string {
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return fmt.Sprintf("file:%s?_pragma=busy_timeout(%d)&%s", escaped, busyTimeout.Milliseconds(), params)
}

// Ping reports whether the database can still be read.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.read.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlitestore: ping: %w", err)
	}
	return nil
}

// Close waits for every Append already accepted to be committed and
// answered, then closes the database. Appends that arrive later return
// ErrClosed. Close may be called more than once.
func (s *Store) Close() error {
	s.w.close()
	return errors.Join(s.revision.Close(), s.read.Close(), s.write.Close())
}

// querier is what *sql.DB and *sql.Tx have in common, so that a read can run
// on its own or as part of a larger read transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Backup writes a consistent copy of the whole database to the new file
// out (VACUUM INTO): the state of one moment, even while other
// connections and processes write. The copy is compact and needs no -wal
// file; it is a database Open can use as it is. out must not exist.
func (s *Store) Backup(ctx context.Context, out string) error {
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("sqlitestore: backup to %s: the file exists", out)
	}
	if _, err := s.write.ExecContext(ctx, `VACUUM INTO ?`, out); err != nil {
		return fmt.Errorf("sqlitestore: backup to %s: %w", out, err)
	}
	return nil
}

// IntegrityCheck runs SQLite's integrity_check over the whole file and
// returns an error listing the problems it reports, nil when it reports
// none.
func (s *Store) IntegrityCheck(ctx context.Context) error {
	rows, err := s.read.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return fmt.Errorf("sqlitestore: integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("sqlitestore: integrity check: %w", err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlitestore: integrity check: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("sqlitestore: integrity check failed:\n%s", strings.Join(problems, "\n"))
	}
	return nil
}
