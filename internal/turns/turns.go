// Package turns admits work in the order it arrives, a few at a time.
//
// A database/sql pool hands a freed connection to a random waiter, not
// the first, and the Go scheduler lets a goroutine that never blocks keep
// its CPU for up to 10 ms: with 16 reads of old revisions at once on 2
// CPUs, either made the slowest read wait many times as long as the
// median. Taking a turn first, reads run a few at a time, each to its
// end, and the others wait in line.
package turns

import (
	"context"
	"runtime"
)

// Turns admits callers first come, first served, n at a time.
//
// A channel is the queue: goroutines blocked sending on a full channel
// are served in the order they blocked, and a freed slot goes to the
// first of them, never to a newcomer.
type Turns chan struct{}

// PerCPU returns Turns for one caller per CPU (GOMAXPROCS), for work that
// is CPU work: more at once would only share the CPUs until all end late.
func PerCPU() Turns {
	return make(Turns, runtime.GOMAXPROCS(0))
}

// Take waits for a turn, or for ctx to end (its error).
func (t Turns) Take(ctx context.Context) error {
	select {
	case t <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Done ends a turn, admitting the next caller.
func (t Turns) Done() {
	<-t
}
