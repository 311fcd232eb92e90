package main

import (
	"fmt"
	"sync"
	"time"
)

// tracker follows every committed op from its writer's Edit calls until
// every other client has received it. It keys ops by revision, which the
// server gives each op once; each event costs O(1) and an op is dropped
// from the map as soon as it is complete, so memory stays bounded by the
// ops in flight.
type tracker struct {
	// others is how many clients must receive each op: all but its author.
	others int

	mu sync.Mutex
	// Edits made in [from, to) are measured.
	from, to time.Time
	ops      map[int]*opTrack
	fanout   []time.Duration // edit -> last other client, per measured edit
	acks     []time.Duration // send -> ack, per measured op
	// acked counts ops acknowledged; complete those every other client
	// received.
	acked, complete int
	// mismatches counts ops whose author differed between ack and
	// delivery, or that a client received twice: protocol violations.
	mismatches int
}

// opTrack is one committed op on its way to every client.
type opTrack struct {
	author string
	// edits are the Edit call times of the writer's edits the op carries;
	// set by the ack.
	edits []time.Time
	acked bool
	seen  int
	// last is when the latest other client received it.
	last time.Time
}

// newTracker tracks ops among clients connections; nothing is measured
// until setWindow.
func newTracker(clients int) *tracker {
	return &tracker{others: clients - 1, ops: map[int]*opTrack{}}
}

// setWindow sets the measured window: edits made in [from, to).
func (t *tracker) setWindow(from, to time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.from, t.to = from, to
}

// op returns the record of revision rev, creating it.
func (t *tracker) op(rev int, author string) *opTrack {
	o := t.ops[rev]
	if o == nil {
		o = &opTrack{author: author}
		t.ops[rev] = o
	} else if o.author != author {
		t.mismatches++
	}
	return o
}

// ack records that author's op, carrying edits made at the given times,
// is revision rev; rtt is the writer's send-to-ack time.
func (t *tracker) ack(rev int, author string, edits []time.Time, rtt time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	o := t.op(rev, author)
	if o.acked {
		t.mismatches++
		return
	}
	o.acked, o.edits = true, edits
	t.acked++
	if len(edits) > 0 && t.measured(edits[0]) {
		t.acks = append(t.acks, rtt)
	}
	t.completeIfDone(rev, o)
}

// seen records that a client other than the author received revision rev
// at the given time.
func (t *tracker) seen(rev int, author string, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	o := t.op(rev, author)
	o.seen++
	if at.After(o.last) {
		o.last = at
	}
	t.completeIfDone(rev, o)
}

// completeIfDone records the fan-out latency of each measured edit of an
// op that is acknowledged and everywhere, and forgets the op.
func (t *tracker) completeIfDone(rev int, o *opTrack) {
	switch {
	case o.seen > t.others:
		t.mismatches++
		fallthrough
	case o.seen == t.others && o.acked:
		for _, e := range o.edits {
			if t.measured(e) {
				t.fanout = append(t.fanout, o.last.Sub(e))
			}
		}
		t.complete++
		delete(t.ops, rev)
	}
}

// measured reports whether an edit made at e is in the measured window.
func (t *tracker) measured(e time.Time) bool {
	return !e.Before(t.from) && e.Before(t.to)
}

// losses are what a finished run's tracker still holds: acknowledged ops
// some client never received.
type losses struct {
	// Ops is how many acknowledged ops missed at least one client;
	// Deliveries how many (op, client) deliveries are missing in all.
	Ops        int `json:"ops"`
	Deliveries int `json:"deliveries"`
	// Foreign is how many ops by authors other than this run's writers
	// (never acknowledged to it) were seen; they are not losses.
	Foreign int `json:"foreign"`
}

// losses counts what is missing; call it once every client has caught up.
func (t *tracker) losses() losses {
	t.mu.Lock()
	defer t.mu.Unlock()
	var l losses
	for _, o := range t.ops {
		if !o.acked {
			l.Foreign++
			continue
		}
		l.Ops++
		l.Deliveries += t.others - o.seen
	}
	return l
}

// editQueue is one writer's Edit call times, oldest first, waiting for the
// acks that say which revision carries them. Each ack takes as many as it
// carries edits. Push and take are O(1) amortised.
type editQueue struct {
	mu    sync.Mutex
	times []time.Time
	head  int
}

func (q *editQueue) push(t time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.head > 1024 && q.head*2 > len(q.times) {
		q.times = append(q.times[:0], q.times[q.head:]...)
		q.head = 0
	}
	q.times = append(q.times, t)
}

// take removes and returns the n oldest times.
func (q *editQueue) take(n int) ([]time.Time, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if n > len(q.times)-q.head {
		return nil, fmt.Errorf("an ack carries %d edits, only %d were made", n, len(q.times)-q.head)
	}
	out := append([]time.Time(nil), q.times[q.head:q.head+n]...)
	q.head += n
	return out, nil
}
