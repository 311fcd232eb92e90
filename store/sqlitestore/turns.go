package sqlitestore

import (
	"context"
	"runtime"
)

// turns admits queries in the order they arrive, n at a time. A
// database/sql pool hands a freed connection to a random waiter, not the
// first: with 16 reads of old revisions at once on 2 CPUs, that made the
// slowest of them wait 5 times as long as the median. Taking a turn first,
// no more queries than connections ever wait in the pool.
//
// A channel is the queue: goroutines blocked sending on a full channel
// are served first come, first served, and a freed slot goes to the first
// of them, never to a newcomer.
type turns chan struct{}

// newTurns returns turns for one query per CPU (GOMAXPROCS): a query on
// an open SQLite connection is CPU work, and more at once would only share
// the CPUs until all end late.
func newTurns() turns {
	return make(turns, runtime.GOMAXPROCS(0))
}

// take waits for a turn, or for ctx to end (its error).
func (t turns) take(ctx context.Context) error {
	select {
	case t <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// done ends a turn, admitting the next.
func (t turns) done() {
	<-t
}
