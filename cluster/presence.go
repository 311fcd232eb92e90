// Package cluster connects confpad replicas through Redis beyond what the
// pad log carries: presence (who is in which pad, their cursors) and
// session updates (slide links, state), as an httpapi.PresenceBus.
package cluster

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/confpad/confpad/httpapi"
	"github.com/confpad/confpad/store/redisstore"
)

// presenceTopic is the redisstore topic that carries presence: one shard
// channel, so on a Redis Cluster presence goes through one shard and does
// not cross every node.
const presenceTopic = "presence"

// PresenceBus is an httpapi.PresenceBus over Redis sharded pub/sub. Every
// replica whose Store has the same Redis and key prefix hears every
// message; messages of one publisher arrive in the order it published
// them. It is lossy as the interface allows: a replica whose subscription
// connection is down misses messages until it is back, and the next
// heartbeat repairs presence.
type PresenceBus struct {
	store *redisstore.Store
}

var _ httpapi.PresenceBus = (*PresenceBus)(nil)

// NewPresenceBus returns a bus on store. It holds no resources of its own:
// subscriptions end with their cancel function or with store.Close.
func NewPresenceBus(store *redisstore.Store) *PresenceBus {
	return &PresenceBus{store: store}
}

// Publish sends m, as JSON, to every subscriber on every replica. It fails
// when Redis is unreachable; the caller does not retry.
func (b *PresenceBus) Publish(ctx context.Context, m httpapi.PresenceMessage) error {
	data, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("cluster: encode presence message: %w", err)
	}
	return b.store.PublishTopic(ctx, presenceTopic, data)
}

// Subscribe calls fn with every message published from now on until
// cancel is called. Calls are sequential; a message that does not decode
// (another version's, say) is skipped.
func (b *PresenceBus) Subscribe(fn func(httpapi.PresenceMessage)) (cancel func()) {
	return b.store.SubscribeTopic(presenceTopic, func(payload []byte) {
		var m httpapi.PresenceMessage
		if json.Unmarshal(payload, &m) == nil {
			fn(m)
		}
	})
}
