// Package redisbus is the cluster.Bus of replicas that share a Redis
// (cluster mode), over the Store's sharded pub/sub.
//
// It is a package of its own, not part of cluster, so that cluster (and
// httpapi, which depends on cluster.Bus) does not pull the Redis client
// into programs that run one embedded replica.
package redisbus

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/confpad/confpad/cluster"
	"github.com/confpad/confpad/store/redisstore"
)

// topic is the redisstore topic that carries the bus: one shard channel,
// so on a Redis Cluster the bus goes through one shard and does not cross
// every node. (Its name predates links and state on the bus; replicas of
// every version must agree on it.)
const topic = "presence"

// Bus is a cluster.Bus over Redis sharded pub/sub. Every replica whose
// Store has the same Redis and key prefix hears every message; messages of
// one publisher arrive in the order it published them. It is lossy as the
// interface allows: a replica whose subscription connection is down misses
// messages until it is back, and the next heartbeat repairs presence.
type Bus struct {
	store *redisstore.Store
}

var _ cluster.Bus = (*Bus)(nil)

// New returns a bus on store. It holds no resources of its own:
// subscriptions end with their cancel function or with store.Close.
func New(store *redisstore.Store) *Bus {
	return &Bus{store: store}
}

// Publish sends m, as JSON, to every subscriber on every replica. It fails
// when Redis is unreachable; the caller does not retry.
func (b *Bus) Publish(ctx context.Context, m cluster.Message) error {
	data, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("redisbus: encode message: %w", err)
	}
	return b.store.PublishTopic(ctx, topic, data)
}

// Subscribe calls fn with every message published from now on until
// cancel is called. Calls are sequential; a message that does not decode
// (another version's, say) is skipped.
func (b *Bus) Subscribe(fn func(cluster.Message)) (cancel func()) {
	return b.store.SubscribeTopic(topic, func(payload []byte) {
		var m cluster.Message
		if json.Unmarshal(payload, &m) == nil {
			fn(m)
		}
	})
}
