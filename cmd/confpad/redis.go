package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/confpad/confpad/cluster"
	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/httpapi"
	"github.com/confpad/confpad/store/redisstore"
	"github.com/confpad/confpad/store/sqlitestore"
)

// stores is where serve keeps its data and how replicas meet: the embedded
// SQLite store by default, or Redis in cluster mode (--redis).
type stores struct {
	catalog conference.Catalog
	log     collab.Log
	// feed and presence connect replicas; nil in embedded mode.
	feed     collab.Feed
	presence httpapi.PresenceBus
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
func openStores(ctx context.Context, redisURL, dataDir string) (*stores, error) {
	ctx = context.WithoutCancel(ctx)
	if redisURL == "" {
		path := filepath.Join(dataDir, "confpad.db")
		db, err := sqlitestore.Open(ctx, path)
		if err != nil {
			return nil, err
		}
		return &stores{catalog: db, log: db, ready: db.Ping, where: path, close: db.Close}, nil
	}
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
