package turns

import (
	"context"
	"runtime"
	"slices"
	"testing"
	"testing/synctest"
)

// TestTurns checks that PerCPU admits GOMAXPROCS callers at once, then the
// waiting ones in the order they came as turns end, and that a caller
// whose context ends while it waits gives up with its error.
func TestTurns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := PerCPU()
		for range runtime.GOMAXPROCS(0) {
			if err := q.Take(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		cancelled, cancel := context.WithCancel(t.Context())
		gaveUp := make(chan error, 1)
		go func() { gaveUp <- q.Take(cancelled) }()
		var (
			order   []int
			entered = make(chan int)
		)
		const waiters = 5
		for i := range waiters {
			go func() {
				if err := q.Take(t.Context()); err != nil {
					t.Error(err)
				}
				entered <- i
			}()
			synctest.Wait() // i waits before i+1 comes
		}
		cancel()
		if err := <-gaveUp; err != context.Canceled {
			t.Errorf("take with a cancelled context = %v, want %v", err, context.Canceled)
		}
		for range waiters {
			q.Done()
			order = append(order, <-entered)
		}
		if want := []int{0, 1, 2, 3, 4}; !slices.Equal(order, want) {
			t.Errorf("admitted in the order %v, want %v", order, want)
		}
	})
}
