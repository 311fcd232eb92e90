package cluster

import (
	"context"
	"sync"
)

// MemoryBus is a Bus inside one process, for tests and for running several
// Servers in one binary: every Server given the same MemoryBus is a
// replica. Each subscriber has its own delivery goroutine and a bounded
// queue; messages that do not fit are dropped, as a network bus would lose
// them.
type MemoryBus struct {
	mu   sync.Mutex
	subs map[*memorySub]struct{}
}

var _ Bus = (*MemoryBus)(nil)

// memoryQueue bounds how many messages wait for one subscriber.
const memoryQueue = 1024

type memorySub struct {
	ch   chan Message
	done chan struct{}
}

// NewMemoryBus returns an empty in-process bus.
func NewMemoryBus() *MemoryBus {
	return &MemoryBus{subs: map[*memorySub]struct{}{}}
}

// Publish queues m for every subscriber. It never blocks and never fails.
func (b *MemoryBus) Publish(_ context.Context, m Message) error {
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
func (b *MemoryBus) Subscribe(fn func(Message)) (cancel func()) {
	s := &memorySub{ch: make(chan Message, memoryQueue), done: make(chan struct{})}
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
