package redisstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/confpad/confpad/collab"
	"github.com/redis/go-redis/v9"
)

const (
	// healthInterval is how long a subscription connection may stay silent
	// before it is pinged; a ping unanswered for another interval makes the
	// feed drop the connection and subscribe again on a new one.
	healthInterval = 3 * time.Second
	// commandTimeout bounds the (un)subscribe commands sent from Subscribe
	// and cancel, so that a Redis outage cannot hang a caller.
	commandTimeout = 3 * time.Second
	// maxBackoff caps the pause between reconnect attempts.
	maxBackoff = time.Second
)

// Subscribe calls fn with every batch of records published for pad (by any
// Store on the same Redis), in publish order, which is revision order. It
// subscribes to the pad's shard channel (SSUBSCRIBE) on demand.
//
// fn(nil) means "read the log": it is called each time the subscription is
// confirmed by Redis, first when it starts and again after every reconnect
// (a killed connection, a Redis restart, a slot moved to another shard),
// because batches published while the subscription was down are lost. A
// batch that cannot be decoded is also reported as fn(nil).
//
// fn is called from one goroutine per subscription connection, so calls for
// one pad never overlap; it must not block, and must not modify recs. The
// returned function cancels the subscription; a delivery already under way
// when it is called may still reach fn once.
func (s *Store) Subscribe(pad string, fn func(recs []collab.Record)) (cancel func()) {
	if checkPad(pad) != nil {
		return func() {}
	}
	return s.feed.subscribe(pad, s.padKey(pad, "ops"), func(payload *string) {
		if payload == nil {
			fn(nil)
			return
		}
		recs, err := decodeBatch(*payload)
		if err != nil {
			recs = nil // cannot trust it: make the pad read the log
		}
		fn(recs)
	})
}

// PublishTopic sends payload to every SubscribeTopic(topic) of every Store
// on the same Redis (and key prefix). It is fire-and-forget pub/sub on the
// shard channel prefix:{topic}:bus: nothing is stored, and subscribers that
// are disconnected at the time miss it. Messages of one publisher arrive in
// the order it published them.
func (s *Store) PublishTopic(ctx context.Context, topic string, payload []byte) error {
	if err := checkPad(topic); err != nil {
		return err
	}
	if err := s.rdb.SPublish(ctx, s.padKey(topic, "bus"), payload).Err(); err != nil {
		return fmt.Errorf("redisstore: publish on topic %q: %w", topic, err)
	}
	return nil
}

// SubscribeTopic calls fn with every payload published on topic from now
// on, until cancel is called. Calls are sequential; fn must not block and
// must not keep payload. Messages published while the subscription
// connection is down are lost (it resubscribes by itself).
func (s *Store) SubscribeTopic(topic string, fn func(payload []byte)) (cancel func()) {
	if checkPad(topic) != nil {
		return func() {}
	}
	return s.feed.subscribe(topic, s.padKey(topic, "bus"), func(payload *string) {
		if payload != nil {
			fn([]byte(*payload))
		}
	})
}

// feed multiplexes the subscriptions of one Store over subscription
// connections: one connection for every pad on a single server, one per pad
// on a cluster (a shard channel can only be read on its slot's node).
type feed struct {
	s *Store
	// health is the silence after which a subscription connection is
	// pinged (healthInterval; tests shorten it).
	health time.Duration
	mu     sync.Mutex
	groups map[string]*subGroup
	closed bool
}

// subscriber is one subscription: fn gets each message's payload, or nil
// when Redis has confirmed the subscription (at the start and after every
// reconnect).
type subscriber struct {
	fn func(payload *string)
}

// subGroup is one subscription connection and the channels read on it.
type subGroup struct {
	f      *feed
	key    string
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}

	mu   sync.Mutex // guards the fields below; taken after feed.mu
	ps   *redis.PubSub
	subs map[string]map[*subscriber]struct{} // by channel
	// unsubscribing counts SUNSUBSCRIBE commands sent per channel whose
	// confirmation has not arrived yet; any other sunsubscribe of a wanted
	// channel comes from the server (slot moved) and forces a resubscribe.
	unsubscribing map[string]int
}

func newFeed(s *Store) *feed {
	return &feed{s: s, health: healthInterval, groups: make(map[string]*subGroup)}
}

// groupKey returns which connection carries the channel of a pad or
// topic: on a cluster each has its own, since a shard channel can only be
// read on its slot's node.
func (f *feed) groupKey(key string) string {
	if f.s.cluster {
		return key
	}
	return ""
}

// subscribe adds fn as a subscriber of ch; key (a pad or topic) picks the
// connection.
func (f *feed) subscribe(key, ch string, fn func(payload *string)) func() {
	sub := &subscriber{fn: fn}
	key = f.groupKey(key)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return func() {}
	}
	if g := f.groups[key]; g != nil {
		g.add(ch, sub)
	} else {
		f.groups[key] = f.newGroup(key, ch, sub)
	}
	var once sync.Once
	return func() { once.Do(func() { f.unsubscribe(key, ch, sub) }) }
}

// newGroup starts a connection subscribed to ch with sub as its first
// subscriber.
func (f *feed) newGroup(key, ch string, sub *subscriber) *subGroup {
	ctx, cancel := context.WithCancel(context.Background())
	g := &subGroup{
		f: f, key: key, ctx: ctx, cancel: cancel, done: make(chan struct{}),
		subs:          make(map[string]map[*subscriber]struct{}),
		unsubscribing: make(map[string]int),
	}
	// The channel goes in at creation: on a cluster it picks the node.
	g.subs[ch] = map[*subscriber]struct{}{sub: {}}
	cctx, ccancel := context.WithTimeout(ctx, commandTimeout)
	g.ps = f.s.rdb.SSubscribe(cctx, ch)
	ccancel()
	go g.run()
	return g
}

// add registers sub on ch and (re)sends SSUBSCRIBE: Redis confirms even a
// channel already subscribed, and the confirmation is what calls fn(nil),
// so every new subscriber starts by reading the log.
func (g *subGroup) add(ch string, sub *subscriber) {
	g.mu.Lock()
	defer g.mu.Unlock()
	subs := g.subs[ch]
	if subs == nil {
		subs = make(map[*subscriber]struct{})
		g.subs[ch] = subs
	}
	subs[sub] = struct{}{}
	ctx, cancel := context.WithTimeout(g.ctx, commandTimeout)
	defer cancel()
	// An error means the connection is down; go-redis has recorded the
	// channel and subscribes to it again when it reconnects.
	_ = g.ps.SSubscribe(ctx, ch)
}

func (f *feed) unsubscribe(key, ch string, sub *subscriber) {
	f.mu.Lock()
	g := f.groups[key]
	empty := g != nil && g.remove(ch, sub)
	if empty {
		delete(f.groups, key)
	}
	f.mu.Unlock()
	if empty {
		g.close() // outside f.mu: it waits for the group's reader
	}
}

// remove drops sub and, when ch has no subscriber left, unsubscribes from
// it. It reports whether the group has no channel left.
func (g *subGroup) remove(ch string, sub *subscriber) (empty bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.subs[ch], sub)
	if len(g.subs[ch]) > 0 {
		return false
	}
	delete(g.subs, ch)
	if len(g.subs) == 0 {
		return true
	}
	g.unsubscribing[ch]++
	ctx, cancel := context.WithTimeout(g.ctx, commandTimeout)
	defer cancel()
	_ = g.ps.SUnsubscribe(ctx, ch)
	return false
}

// close ends the group's connection and waits for its reader to stop.
func (g *subGroup) close() {
	g.cancel()
	g.mu.Lock()
	_ = g.ps.Close()
	g.mu.Unlock()
	<-g.done
}

func (f *feed) close() {
	f.mu.Lock()
	groups := f.groups
	f.groups = nil
	f.closed = true
	f.mu.Unlock()
	for _, g := range groups {
		g.close()
	}
}

// run reads the group's connection until the group is closed. go-redis
// reconnects and resubscribes by itself after a read error; run adds a
// health check for connections that went silent without an error.
func (g *subGroup) run() {
	defer close(g.done)
	pinged := false
	backoff := 10 * time.Millisecond
	for g.ctx.Err() == nil {
		g.mu.Lock()
		ps := g.ps
		g.mu.Unlock()
		msg, err := ps.ReceiveTimeout(g.ctx, g.f.health)
		if g.ctx.Err() != nil {
			return
		}
		switch {
		case errors.Is(err, redis.ErrClosed):
			continue // replaced by resubscribe
		case isTimeout(err) && !pinged:
			pinged = true
			ctx, cancel := context.WithTimeout(g.ctx, commandTimeout)
			_ = ps.Ping(ctx)
			cancel()
			continue
		case isTimeout(err):
			pinged = false
			g.resubscribe()
			continue
		case err != nil:
			// The connection failed (killed, Redis down); wait a little
			// before the next Receive dials again.
			select {
			case <-time.After(backoff):
			case <-g.ctx.Done():
				return
			}
			backoff = min(2*backoff, maxBackoff)
			continue
		}
		pinged = false
		backoff = 10 * time.Millisecond
		g.handle(msg)
	}
}

func (g *subGroup) handle(msg any) {
	switch m := msg.(type) {
	case *redis.Subscription:
		switch m.Kind {
		case "ssubscribe":
			g.deliver(m.Channel, nil)
		case "sunsubscribe":
			g.mu.Lock()
			ours := g.unsubscribing[m.Channel] > 0
			if ours {
				g.unsubscribing[m.Channel]--
			}
			_, wanted := g.subs[m.Channel]
			g.mu.Unlock()
			if !ours && wanted {
				// The server dropped us (the slot moved to another
				// shard): subscribe again where it lives now.
				g.resubscribe()
			}
		}
	case *redis.Message:
		g.deliver(m.Channel, &m.Payload)
	}
}

// deliver calls fn of every subscriber of ch.
func (g *subGroup) deliver(ch string, payload *string) {
	g.mu.Lock()
	fns := make([]func(*string), 0, len(g.subs[ch]))
	for sub := range g.subs[ch] {
		fns = append(fns, sub.fn)
	}
	g.mu.Unlock()
	for _, fn := range fns {
		fn(payload)
	}
}

// resubscribe replaces the group's connection with a new one subscribed to
// every wanted channel; the confirmations call fn(nil) for each.
func (g *subGroup) resubscribe() {
	g.mu.Lock()
	chans := make([]string, 0, len(g.subs))
	for ch := range g.subs {
		chans = append(chans, ch)
	}
	old := g.ps
	ctx, cancel := context.WithTimeout(g.ctx, commandTimeout)
	g.ps = g.f.s.rdb.SSubscribe(ctx, chans...)
	cancel()
	clear(g.unsubscribing)
	g.mu.Unlock()
	_ = old.Close()
}

// isTimeout reports whether err is a read deadline passing.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
