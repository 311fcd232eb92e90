package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/confpad/confpad/cluster"
	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/httpapi"
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
	// feed and presence connect replicas; nil in embedded mode.
	feed     collab.Feed
	presence httpapi.PresenceBus
	// search is the full-text index: SQLite FTS5 in <data>/search.db in
	// embedded mode; nil in cluster mode, where each replica indexes in
	// memory (httpapi's default).
	search search.Index
	// ready is what /readyz checks: the database, or every Redis master.
	ready func(context.Context) error
	// where says where the data is, for the start-up log line (a Redis
	// URL with its password hidden).
	where string
	close func() error
}

// openStores opens Redis when redisURL is set (cluster mode: Log, Feed,
// Catalog and the PresenceBus all on Redis, nothing on local disk), and
// otherwise the SQLite database dataDir/confpad.db. The stores live until
// close, not until ctx ends, so that commits still land while serve drains.
// go-redis's own messages (a failed dial, each time it retries) go to
// logger at debug level: what matters reaches callers as errors and
// /readyz.
func openStores(ctx context.Context, redisURL, dataDir string, logger *slog.Logger) (*stores, error) {
	ctx = context.WithoutCancel(ctx)
	if redisURL == "" {
		path := filepath.Join(dataDir, "confpad.db")
		db, err := sqlitestore.Open(ctx, path)
		if err != nil {
			return nil, err
		}
		index, err := ftsindex.Open(ctx, filepath.Join(dataDir, "search.db"))
		if err != nil {
			db.Close()
			return nil, err
		}
		return &stores{
			catalog: db, log: db, search: index, ready: db.Ping, where: path,
			close: func() error { return errors.Join(db.Close(), index.Close()) },
		}, nil
	}
	redis.SetLogger(redisLogger{logger})
	rs, err := redisstore.Open(ctx, redisURL, redisstore.Options{ClientName: replicaName()})
	if err != nil {
		return nil, fmt.Errorf("cluster mode: %w", err)
	}
	return &stores{
		catalog:  rs,
		log:      rs,
		feed:     rs,
		presence: cluster.NewPresenceBus(rs),
		ready:    rs.Ping,
		where:    rs.URL(),
		close:    rs.Close,
	}, nil
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
