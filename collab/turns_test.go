package collab_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/store/memstore"
)

// gatedLog is memstore whose SnapshotAt waits at a gate for revisions
// from gateFrom on, counting the calls waiting there.
type gatedLog struct {
	*memstore.Store
	gateFrom int
	gate     chan struct{}

	mu      sync.Mutex
	waiting int
}

func (l *gatedLog) SnapshotAt(ctx context.Context, pad string, rev int) (collab.Snapshot, error) {
	if rev >= l.gateFrom {
		l.mu.Lock()
		l.waiting++
		l.mu.Unlock()
		<-l.gate
	}
	return l.Store.SnapshotAt(ctx, pad, rev)
}

// TestOldReadsTakeTurns checks that reads of old texts and attributions
// take turns, one per CPU: with every turn held by a text read waiting for
// the log, a read of an old attribution (whose own reads of the log would
// not wait) waits too, and runs once the turns are free.
func TestOldReadsTakeTurns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		log := &gatedLog{Store: memstore.New(), gateFrom: 200, gate: make(chan struct{})}
		e := collab.NewEngine(collab.Config{Log: log})
		defer e.Close()
		release := sync.OnceFunc(func() { close(log.gate) })
		defer release() // before Close, also when the test fails
		for i := range 300 {
			op := collab.Normalize(collab.NewOp(collab.Skip(i), collab.Insert(fmt.Sprint(i%10))))
			if _, err := e.Submit(t.Context(), "p", collab.Submission{Client: "a", Author: "ann", Seq: i + 1, Base: i, Op: op}); err != nil {
				t.Fatal(err)
			}
		}
		var texts sync.WaitGroup
		for range runtime.GOMAXPROCS(0) {
			texts.Go(func() {
				if _, _, err := e.Text(t.Context(), "p", 250); err != nil {
					t.Error(err)
				}
			})
		}
		synctest.Wait()
		log.mu.Lock()
		waiting := log.waiting
		log.mu.Unlock()
		if waiting != runtime.GOMAXPROCS(0) {
			t.Fatalf("%d text reads wait for the log, want one per CPU", waiting)
		}
		attributed := make(chan error, 1)
		go func() {
			_, _, err := e.Attribution(t.Context(), "p", 50)
			attributed <- err
		}()
		synctest.Wait()
		select {
		case err := <-attributed:
			t.Fatalf("an old attribution was read (%v) while every turn was held", err)
		default:
		}
		release()
		texts.Wait()
		if err := <-attributed; err != nil {
			t.Errorf("old attribution once the turns were free: %v", err)
		}
	})
}
