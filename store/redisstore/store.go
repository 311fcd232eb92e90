// Package redisstore is confpad's cluster-mode storage and fan-out: the pad
// log, the feed of committed records between replicas and the conference
// catalog, all in Redis (7 or newer) through go-redis v9. It works on one
// Redis server and on a Redis Cluster alike.
//
// Key layout (prefix "confpad" by default). Every key of one pad shares the
// hash tag {pad}, so a Redis Cluster keeps a pad on one shard and the
// scripts that touch it stay atomic:
//
//	confpad:{pad}:log       list; element i is the JSON record of revision i+1
//	                        (its length is the pad's head)
//	confpad:{pad}:snaps     sorted set of snapshot revisions (checkpoints and the newest few)
//	confpad:{pad}:snaptext  hash revision -> snapshot text
//	confpad:{pad}:snapsum   hash revision -> the text's collab.TextSum (where saved with one)
//	confpad:{pad}:snapattr  hash revision -> the snapshot's attribution as JSON runs
//	confpad:{pad}:authors   hash public author id -> the author's name, colour, times and ops as JSON
//	confpad:{pad}:meta      hash: the session's metadata as JSON ("session"),
//	                        its creation time ("created") and its state
//	                        ("state", which append.lua checks)
//	confpad:{pad}:links     hash link id -> slide link JSON
//	confpad:{pad}:ops       shard channel on which appended batches are published
//	confpad:{catalog}:title     the conference title
//	confpad:{catalog}:sessions  set of session ids
//
// Every operation that must be atomic is one Lua script in lua/, embedded
// with go:embed. Appends are compare-and-append: append.lua checks the head,
// pushes the batch and SPUBLISHes it in one step, so the published order is
// the log order. Each record carries its author's (client, seq), so a pad
// engine that lost a race sees in the records it reads back whether a resent
// op is already committed. Pub/sub is a hint; the log is the truth.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
	"github.com/redis/go-redis/v9"
)

// Compile-time checks that *Store implements the seams.
var (
	_ collab.Log            = (*Store)(nil)
	_ collab.RevisionReader = (*Store)(nil)
	_ collab.Feed           = (*Store)(nil)
	_ conference.Catalog    = (*Store)(nil)
)

// DefaultPrefix is the key prefix used when Options.Prefix is empty.
const DefaultPrefix = "confpad"

// DefaultSnapshotsKept is how many snapshots per pad are kept when
// Options.SnapshotsKept is zero.
const DefaultSnapshotsKept = 4

// Options tune a Store. The zero value is usable.
type Options struct {
	// Prefix starts every key and channel name (default "confpad"). Tests
	// give each test its own prefix; it must not contain '{' or '}'.
	Prefix string
	// SnapshotsKept is how many snapshots per pad to keep, newest first
	// (default 4).
	SnapshotsKept int
	// ClientName names the store's Redis connections (CLIENT SETNAME), so
	// an operator can tell replicas apart in CLIENT LIST.
	ClientName string
}

// Store is a Redis-backed collab.Log, collab.Feed and conference.Catalog.
// It is safe for concurrent use. Close it when done.
type Store struct {
	url     string // redacted
	rdb     redis.UniversalClient
	cluster bool
	prefix  string
	keep    int
	feed    *feed
}

// Open connects to Redis at url and checks that the server answers and runs
// Redis 7 or newer (sharded pub/sub). url is one of:
//
//	redis://[user:password@]host:port/db      one server (rediss:// for TLS)
//	unix:///path/to/redis.sock?db=0           one server over a Unix socket
//	redis-cluster://host:port,host:port,...    a Redis Cluster (rediss-cluster:// for TLS)
//
// Query parameters of go-redis (dial_timeout, pool_size, ...) are accepted.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	if strings.ContainsAny(opts.Prefix, "{}") {
		return nil, fmt.Errorf("redisstore: key prefix %q must not contain braces", opts.Prefix)
	}
	target, err := parseURL(url)
	if err != nil {
		return nil, err
	}
	var rdb redis.UniversalClient
	if target.cluster != nil {
		if opts.ClientName != "" {
			target.cluster.ClientName = opts.ClientName
		}
		rdb = redis.NewClusterClient(target.cluster)
	} else {
		if opts.ClientName != "" {
			target.single.ClientName = opts.ClientName
		}
		rdb = redis.NewClient(target.single)
	}
	s := &Store{
		url:     target.redacted,
		rdb:     rdb,
		cluster: target.cluster != nil,
		prefix:  opts.Prefix,
		keep:    opts.SnapshotsKept,
	}
	if s.prefix == "" {
		s.prefix = DefaultPrefix
	}
	if s.keep <= 0 {
		s.keep = DefaultSnapshotsKept
	}
	if err := s.checkServer(ctx); err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("redisstore: open %s: %w", target.redacted, err)
	}
	if err := s.backfillStates(ctx); err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("redisstore: open %s: %w", target.redacted, err)
	}
	s.feed = newFeed(s)
	return s, nil
}

// URL returns the URL the store was opened with, its password hidden.
func (s *Store) URL() string { return s.url }

// checkServer pings every node and requires Redis 7 or newer.
func (s *Store) checkServer(ctx context.Context) error {
	return s.eachNode(ctx, func(ctx context.Context, c *redis.Client) error {
		info, err := c.Info(ctx, "server").Result()
		if err != nil {
			return err
		}
		major := serverMajor(info)
		if major < 7 {
			return fmt.Errorf("redis server %s at %s is too old: confpad needs Redis 7 or newer (sharded pub/sub)",
				serverVersion(info), c.Options().Addr)
		}
		return nil
	})
}

// serverVersion returns the redis_version field of INFO server.
func serverVersion(info string) string {
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "redis_version:"); ok {
			return v
		}
	}
	return "unknown"
}

// serverMajor returns the major version in INFO server, or 0.
func serverMajor(info string) int {
	major, _, _ := strings.Cut(serverVersion(info), ".")
	n, err := strconv.Atoi(major)
	if err != nil {
		return 0
	}
	return n
}

// eachNode runs fn on the single server, or on every master of a cluster.
func (s *Store) eachNode(ctx context.Context, fn func(context.Context, *redis.Client) error) error {
	if c, ok := s.rdb.(*redis.ClusterClient); ok {
		return c.ForEachMaster(ctx, fn)
	}
	return fn(ctx, s.rdb.(*redis.Client))
}

// Ping reports whether Redis answers: the server, or every master of a
// cluster. It is what /readyz checks in cluster mode.
func (s *Store) Ping(ctx context.Context) error {
	err := s.eachNode(ctx, func(ctx context.Context, c *redis.Client) error {
		return c.Ping(ctx).Err()
	})
	if err != nil {
		return fmt.Errorf("redisstore: ping: %w", err)
	}
	return nil
}

// writeProbe is a script that changes nothing but, carrying a shebang
// without the no-writes and allow-oom flags, counts as a write: Redis 7
// refuses it where it refuses appends, on a read-only replica (READONLY)
// and above maxmemory without eviction (OOM).
const writeProbe = "#!lua\nreturn 1"

// CheckWritable reports whether Redis takes writes now: the server, or
// every master of a cluster. It is what /readyz checks in cluster mode: a
// replica that cannot append ops should take no editors.
func (s *Store) CheckWritable(ctx context.Context) error {
	err := s.eachNode(ctx, func(ctx context.Context, c *redis.Client) error {
		return c.Eval(ctx, writeProbe, nil).Err()
	})
	if err != nil {
		return fmt.Errorf("redisstore: Redis refuses writes: %w", err)
	}
	return nil
}

// Close ends every subscription and closes the connections. The Store must
// not be used afterwards.
func (s *Store) Close() error {
	s.feed.close()
	if err := s.rdb.Close(); err != nil && !errors.Is(err, redis.ErrClosed) {
		return fmt.Errorf("redisstore: close: %w", err)
	}
	return nil
}

// padKey returns the key of one of a pad's structures: prefix:{pad}:suffix.
func (s *Store) padKey(pad, suffix string) string {
	return s.prefix + ":{" + pad + "}:" + suffix
}

// catalogKey returns the key of one of the catalog's structures, all under
// the fixed hash tag {catalog}.
func (s *Store) catalogKey(suffix string) string {
	return s.prefix + ":{catalog}:" + suffix
}

// checkPad rejects pad ids that cannot name keys: an empty id, or one that
// starts with '}', would leave the hash tag empty, and Redis Cluster would
// then hash each of the pad's keys whole and spread them over shards.
func checkPad(pad string) error {
	if pad == "" || pad[0] == '}' {
		return fmt.Errorf("redisstore: pad id %q cannot be a hash tag", pad)
	}
	return nil
}
