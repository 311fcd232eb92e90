package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/confpad/confpad/cluster"
	"github.com/confpad/confpad/cluster/redisbus"
	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/internal/episode"
	"github.com/confpad/confpad/search"
	"github.com/confpad/confpad/search/ftsindex"
	"github.com/confpad/confpad/store/redisstore"
	"github.com/confpad/confpad/store/sqlitestore"
	"github.com/redis/go-redis/v9"
)

// stores is where serve keeps its data and how replicas meet: the embedded
// SQLite store by default, or Redis in cluster mode (--redis).
type stores struct {
	catalog conference.Catalog
	log     collab.Log
	// feed and bus connect replicas; nil in embedded mode.
	feed collab.Feed
	bus  cluster.Bus
	// search is the full-text index: SQLite FTS5 in <data>/search.db in
	// embedded mode; nil in cluster mode (or when search.db cannot be
	// opened), where the replica indexes in memory (httpapi's default).
	search search.Index
	// ready is what /readyz checks: that the database, or every Redis
	// master, takes writes.
	ready func(context.Context) error
	// where says where the data is, for the start-up log line (a Redis
	// URL with its password hidden).
	where string
	close func() error
}

// openStores opens Redis when redisURL is set (cluster mode: Log, Feed,
// Catalog and the cluster.Bus all on Redis, nothing on local disk), and
// otherwise the SQLite database dataDir/confpad.db. The stores live until
// close, not until ctx ends, so that commits still land while serve drains.
// go-redis's own messages (a failed dial, each time it retries) go to
// logger at debug level: what matters reaches callers as errors and
// /readyz.
func openStores(ctx context.Context, redisURL, dataDir string, logger *slog.Logger) (*stores, error) {
	ctx = context.WithoutCancel(ctx)
	if redisURL == "" {
		path := filepath.Join(dataDir, "confpad.db")
		if err := checkDataDir(dataDir); err != nil {
			return nil, err
		}
		db, err := sqlitestore.Open(ctx, path, sqlitestore.WithLogger(logger))
		if err != nil {
			return nil, err
		}
		// A store that opens but refuses writes (a read-only disk, a full
		// one) is logged now; /readyz reports it until writes succeed.
		_ = db.CheckWritable(ctx)
		st := &stores{catalog: db, log: db, ready: db.CheckWritable, where: path, close: db.Close}
		// The search index is derived data: where it cannot be opened (a
		// read-only disk), the server still serves and searches from
		// memory.
		index, err := ftsindex.Open(ctx, filepath.Join(dataDir, "search.db"))
		if err != nil {
			logger.Warn("search index unavailable; searching from memory instead", "err", err)
			return st, nil
		}
		st.search = index
		st.close = func() error { return errors.Join(db.Close(), index.Close()) }
		return st, nil
	}
	redis.SetLogger(redisLogger{logger})
	rs, err := redisstore.Open(ctx, redisURL, redisstore.Options{ClientName: replicaName()})
	if err != nil {
		return nil, fmt.Errorf("cluster mode: %w", err)
	}
	// Redis that answers but refuses writes (out of memory, a read-only
	// replica after a failover) makes the replica not ready, logged once
	// per episode.
	writes := &episode.Tracker{Logger: logger, What: "storage: writes"}
	ready := func(ctx context.Context) error {
		err := rs.CheckWritable(ctx)
		writes.Observe(err)
		return err
	}
	_ = ready(ctx)
	return &stores{
		catalog: rs,
		log:     rs,
		feed:    rs,
		bus:     redisbus.New(rs),
		ready:   ready,
		where:   rs.URL(),
		close:   rs.Close,
	}, nil
}

// checkDataDir creates dir if needed and refuses, with the fix, a
// directory this process may not write for lack of permission: the usual
// mistake with a host folder mounted into the container. A read-only disk
// is left to the store, which serves readers and reports not ready.
func checkDataDir(dir string) error {
	err := os.MkdirAll(dir, 0o750)
	if err == nil {
		var f *os.File
		if f, err = os.CreateTemp(dir, ".write-test-*"); err == nil {
			f.Close()
			return os.Remove(f.Name())
		}
	}
	if errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("the data directory %s is not writable by this process (uid %d, gid %d): "+
			"give it to that user (chown -R %d:%d DIR; for the container image, the host folder mounted at /data) "+
			"or run as the directory's owner (docker run --user \"$(id -u):$(id -g)\"): %w",
			dir, os.Getuid(), os.Getgid(), os.Getuid(), os.Getgid(), err)
	}
	return nil
}

// replicaName names this process's Redis connections (CLIENT LIST shows
// it): confpad-<host>-<pid>, so an operator can tell replicas apart.
func replicaName() string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	return fmt.Sprintf("confpad-%s-%d", host, os.Getpid())
}

// redisLogger passes go-redis's messages to slog at debug level.
type redisLogger struct{ l *slog.Logger }

func (r redisLogger) Printf(ctx context.Context, format string, v ...any) {
	r.l.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}
