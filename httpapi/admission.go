package httpapi

import (
	"context"
	"sync"
	"time"
)

// admission admits joins at a bounded rate, in their order of arrival:
// rate a second on average and burst at once. A join over the rate waits
// for its turn instead of being refused, so a reconnect storm is served
// in full, over burst/rate + n/rate seconds, while the pads stay
// responsive to the people already in them.
//
// It is a virtual scheduling limiter (GCRA): each join reserves the next
// slot, interval after the previous one and never earlier than burst
// intervals before now.
type admission struct {
	interval time.Duration
	burst    int

	mu   sync.Mutex
	next time.Time // the next free slot
}

func newAdmission(rate float64, burst int) *admission {
	return &admission{interval: time.Duration(float64(time.Second) / rate), burst: burst}
}

// reserve takes the next slot for a join arriving at now and returns when
// it may proceed.
func (a *admission) reserve(now time.Time) time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	if earliest := now.Add(-time.Duration(a.burst-1) * a.interval); a.next.Before(earliest) {
		a.next = earliest
	}
	at := a.next
	a.next = at.Add(a.interval)
	if at.Before(now) {
		return now // a slot of the burst
	}
	return at
}

// wait returns once the join may proceed, or ctx's error if ctx ends
// first (the connection closed; its slot is not given back).
func (a *admission) wait(ctx context.Context) error {
	now := time.Now()
	d := a.reserve(now).Sub(now)
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
