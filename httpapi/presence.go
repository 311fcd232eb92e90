package httpapi

import (
	"context"
	"sync"

	"github.com/confpad/confpad/conference"
)

// PresenceBus carries presence (who is in which pad, their names, colours
// and cursors) and session updates (slide links, state, deletion) between
// the replicas that serve one conference. Ops never travel on it: they go
// through the pad engine's Log and Feed.
//
// The bus is lossy by design and needs no storage: every replica publishes
// the full list of its users in each pad every heartbeat interval
// (Config.PresenceInterval), so a lost message is repaired by the next
// heartbeat, and the users of a replica that stopped publishing (it died)
// are dropped by the others after three missed heartbeats. Heartbeats also
// carry a fingerprint of the pad's links and state (Version), so a lost
// links or state message is repaired from the Catalog.
//
// Implementations must deliver every published message to every
// subscriber, on every replica, in the order each publisher published them
// (messages of different publishers may interleave). They may deliver a
// replica's own messages back to it; receivers skip messages whose Replica
// is their own.
type PresenceBus interface {
	// Publish sends m to every subscriber. It may fail or drop m when the
	// bus is unreachable; the sender does not retry (the next heartbeat
	// repairs presence).
	Publish(ctx context.Context, m PresenceMessage) error
	// Subscribe calls fn with every message published from now on, until
	// cancel is called. fn does not block; calls to fn are sequential.
	Subscribe(fn func(PresenceMessage)) (cancel func())
}

// Kinds of PresenceMessage.
const (
	// PresenceUsers is a heartbeat: Users is the full list of the
	// replica's users in Pad (empty when the last one left).
	PresenceUsers = "users"
	// PresenceJoin, PresenceLeave, PresenceUpdate (name or colour) and
	// PresenceCursor report one user's change at once; Users holds that
	// one user.
	PresenceJoin   = "join"
	PresenceLeave  = "leave"
	PresenceUpdate = "update"
	PresenceCursor = "cursor"
	// PresenceLinks carries the pad's full list of slide links in Links.
	PresenceLinks = "links"
	// PresenceState carries the session's new State ("live" or
	// "archived"), or "deleted" when the session was deleted.
	PresenceState = "state"
)

// stateDeleted is the State of a PresenceState message for a deleted
// session.
const stateDeleted = "deleted"

// PresenceMessage is one message on a PresenceBus. It is plain data that
// encodes to JSON, so a bus can send it as it is.
type PresenceMessage struct {
	// Replica is the publishing server's id (random per Server).
	Replica string `json:"replica"`
	// Pad is the pad (session id) the message is about.
	Pad string `json:"pad"`
	// Kind is one of the Presence* constants.
	Kind  string            `json:"kind"`
	Users []PresenceUser    `json:"users,omitempty"`
	Links []conference.Link `json:"links,omitempty"`
	State string            `json:"state,omitempty"`
	// Version, on a heartbeat (PresenceUsers), fingerprints the pad's
	// slide links and state as the sender has them. A receiver that
	// serves the pad with a different version re-reads the session from
	// the Catalog, so a lost PresenceLinks or PresenceState message is
	// repaired within a heartbeat; no order between versions is implied.
	Version string `json:"version,omitempty"`
}

// PresenceUser is one user in a pad.
type PresenceUser struct {
	Client string `json:"client"`
	Name   string `json:"name"`
	Color  string `json:"color"`
	// Sel is the user's selection [anchor, head] in code points at
	// revision Rev, or nil if unknown.
	Sel *[2]int `json:"sel,omitempty"`
	Rev int     `json:"rev"`
}

func (u PresenceUser) wire() wireUser {
	return wireUser{Client: u.Client, Name: u.Name, Color: u.Color, Sel: u.Sel}
}

// MemoryBus is a PresenceBus inside one process, for tests and for
// running several Servers in one binary. Each subscriber has its own
// delivery goroutine and a bounded queue; messages that do not fit are
// dropped, as a network bus would lose them.
type MemoryBus struct {
	mu   sync.Mutex
	subs map[*memorySub]struct{}
}

var _ PresenceBus = (*MemoryBus)(nil)

// memoryQueue bounds how many messages wait for one subscriber.
const memoryQueue = 1024

type memorySub struct {
	ch   chan PresenceMessage
	done chan struct{}
}

// NewMemoryBus returns an empty in-process bus.
func NewMemoryBus() *MemoryBus {
	return &MemoryBus{subs: map[*memorySub]struct{}{}}
}

// Publish queues m for every subscriber. It never blocks and never fails.
func (b *MemoryBus) Publish(_ context.Context, m PresenceMessage) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		select {
		case s.ch <- m:
		default: // dropped; the next heartbeat repairs it
		}
	}
	return nil
}

// Subscribe starts delivering messages to fn until cancel is called;
// cancel waits until fn is no longer running.
func (b *MemoryBus) Subscribe(fn func(PresenceMessage)) (cancel func()) {
	s := &memorySub{ch: make(chan PresenceMessage, memoryQueue), done: make(chan struct{})}
	b.mu.Lock()
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			select {
			case m := <-s.ch:
				fn(m)
			case <-s.done:
				return
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			delete(b.subs, s)
			b.mu.Unlock()
			close(s.done)
			<-stopped
		})
	}
}
