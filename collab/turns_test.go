package collab_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/store/memstore"
)

// gatedLog is memstore whose SnapshotAt waits at a gate for revisions
// from gateFrom on, counting the calls waiting there and the others.
type gatedLog struct {
	*memstore.Store
	gateFrom int
	gate     chan struct{}

	mu             sync.Mutex
	waiting, below int
}

func (l *gatedLog) SnapshotAt(ctx context.Context, pad string, rev int) (collab.Snapshot, error) {
	l.mu.Lock()
	if rev >= l.gateFrom {
		l.waiting++
		l.mu.Unlock()
		<-l.gate
	} else {
		l.below++
		l.mu.Unlock()
	}
	return l.Store.SnapshotAt(ctx, pad, rev)
}

// TestOldReadsTakeTurns checks that reads of old texts and attributions
// take turns, one per CPU: with every turn held by a text read waiting for
// the log, a read of an old attribution (whose own reads of the log would
// not wait) waits too, before it reads anything, and runs once the turns
// are free.
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
		log.mu.Lock()
		before := log.below
		log.mu.Unlock()
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
		log.mu.Lock()
		below := log.below
		log.mu.Unlock()
		if below != before {
			t.Fatalf("the attribution read the log %d times before it had a turn", below-before)
		}
		release()
		texts.Wait()
		if err := <-attributed; err != nil {
			t.Errorf("old attribution once the turns were free: %v", err)
		}
	})
}

// oddLog is memstore whose Load and SnapshotAt answer with at, whatever
// they are asked, when at is set: a store gone wrong.
type oddLog struct {
	*memstore.Store
	at *collab.Snapshot
}

func (l *oddLog) Load(ctx context.Context, pad string) (collab.Snapshot, []collab.Record, error) {
	if l.at == nil {
		return l.Store.Load(ctx, pad)
	}
	recs, err := l.Store.Records(ctx, pad, max(l.at.Rev, 0), -1)
	return *l.at, recs, err
}

func (l *oddLog) SnapshotAt(ctx context.Context, pad string, rev int) (collab.Snapshot, error) {
	if l.at != nil {
		return *l.at, nil
	}
	return l.Store.SnapshotAt(ctx, pad, rev)
}

// TestLoadIntact loads pads whose snapshots are intact, damaged, or
// answered oddly by the store: the snapshot returned always passes its
// check, the records after it reach the head, and a store that answers a
// request for an older snapshot with a newer one is an error, not a loop.
func TestLoadIntact(t *testing.T) {
	text := func(n int) string { return strings.Repeat("x", n) }
	good := func(rev int) collab.Snapshot {
		return collab.Snapshot{Rev: rev, Text: text(rev), Sum: collab.TextSum(text(rev))}
	}
	bad := func(rev int) collab.Snapshot { s := good(rev); s.Text = text(rev-1) + "y"; return s }
	tests := []struct {
		name     string
		saved    []collab.Snapshot
		odd      *collab.Snapshot
		wantRev  int
		wantRecs int
		fails    bool
	}{
		{"intact", []collab.Snapshot{good(4), good(8)}, nil, 8, 2, false},
		{"the newest damaged", []collab.Snapshot{good(4), bad(8)}, nil, 4, 6, false},
		{"all damaged", []collab.Snapshot{bad(4), bad(8)}, nil, 0, 10, false},
		{"not UTF-8, no sum", []collab.Snapshot{good(4), {Rev: 8, Text: "\xff"}}, nil, 4, 6, false},
		{"text at revision 0", nil, &collab.Snapshot{Rev: 0, Text: "junk"}, 0, 10, false},
		{"an older snapshot answered with the same", nil, &collab.Snapshot{Rev: 8, Text: "\xff"}, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &oddLog{Store: memstore.New()}
			recs := make([]collab.Record, 10)
			for i := range recs {
				recs[i] = collab.Record{Op: collab.Normalize(collab.NewOp(collab.Skip(i), collab.Insert("x")))}
			}
			if err := store.Append(t.Context(), "p", 0, recs); err != nil {
				t.Fatal(err)
			}
			for _, s := range tt.saved {
				if err := store.SaveSnapshot(t.Context(), "p", s); err != nil {
					t.Fatal(err)
				}
			}
			store.at = tt.odd
			snap, after, err := collab.LoadIntact(t.Context(), store, "p")
			if tt.fails {
				if err == nil {
					t.Fatalf("LoadIntact = snapshot %d, %d records; want an error", snap.Rev, len(after))
				}
				return
			}
			if err != nil || snap.Rev != tt.wantRev || len(after) != tt.wantRecs {
				t.Fatalf("LoadIntact = snapshot %d, %d records, %v; want %d and %d", snap.Rev, len(after), err, tt.wantRev, tt.wantRecs)
			}
			doc, err := collab.Replay(snap, after)
			if err != nil || doc.String() != text(10) {
				t.Errorf("replayed: %q, %v; want %q", doc, err, text(10))
			}
		})
	}
}
