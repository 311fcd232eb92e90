package collab_test

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/store/memstore"
)

// testLog is the in-memory store (memstore, which passes the conformance
// suites in store/storetest) with what the engine's tests add: counters, a
// switch that makes every call fail, and a gate that holds appends. Its
// Append publishes to subscribers, so two engines on one testLog behave
// like two replicas on one Redis.
type testLog struct {
	*memstore.Store

	mu        sync.Mutex
	appends   int                          // calls to Append that stored records
	conflicts int                          // calls to Append that returned ErrConflict
	reads     int                          // calls to Records
	snapshots int                          // snapshots saved
	snapReads int                          // calls to SnapshotAt
	snaps     map[string][]collab.Snapshot // every snapshot saved, per pad
	failing   error
	gate      chan struct{} // when set, Append waits for it to close
	waiting   int           // Appends waiting at the gate
}

func newTestLog() *testLog {
	return &testLog{Store: memstore.New(), snaps: map[string][]collab.Snapshot{}}
}

// fault returns the error every call fails with, if any.
func (l *testLog) fault() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.failing
}

func (l *testLog) Load(ctx context.Context, pad string) (collab.Snapshot, []collab.Record, error) {
	if err := l.fault(); err != nil {
		return collab.Snapshot{}, nil, err
	}
	return l.Store.Load(ctx, pad)
}

func (l *testLog) SnapshotAt(ctx context.Context, pad string, rev int) (collab.Snapshot, error) {
	if err := l.fault(); err != nil {
		return collab.Snapshot{}, err
	}
	l.mu.Lock()
	l.snapReads++
	l.mu.Unlock()
	return l.Store.SnapshotAt(ctx, pad, rev)
}

func (l *testLog) Records(ctx context.Context, pad string, from, to int) ([]collab.Record, error) {
	l.mu.Lock()
	l.reads++
	l.mu.Unlock()
	if err := l.fault(); err != nil {
		return nil, err
	}
	return l.Store.Records(ctx, pad, from, to)
}

func (l *testLog) Append(ctx context.Context, pad string, head int, recs []collab.Record) error {
	l.mu.Lock()
	if gate := l.gate; gate != nil {
		l.waiting++
		l.mu.Unlock()
		<-gate
		l.mu.Lock()
		l.waiting--
	}
	failing := l.failing
	l.mu.Unlock()
	if failing != nil {
		return failing
	}
	err := l.Store.Append(ctx, pad, head, recs)
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case err == nil:
		l.appends++
	case errors.Is(err, collab.ErrConflict):
		l.conflicts++
	}
	return err
}

func (l *testLog) SaveSnapshot(ctx context.Context, pad string, s collab.Snapshot) error {
	err := l.Store.SaveSnapshot(ctx, pad, s)
	if err == nil {
		l.mu.Lock()
		l.snapshots++
		l.snaps[pad] = append(l.snaps[pad], s)
		l.mu.Unlock()
	}
	return err
}

// saved returns every snapshot saved for pad, in the order saved.
func (l *testLog) saved(pad string) []collab.Snapshot {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.snaps[pad])
}

// snapshotRevs returns the distinct revisions of pad's saved snapshots,
// sorted.
func (l *testLog) snapshotRevs(pad string) []int {
	var revs []int
	for _, s := range l.saved(pad) {
		revs = append(revs, s.Rev)
	}
	slices.Sort(revs)
	return slices.Compact(revs)
}

func (l *testLog) setFailing(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failing = err
}

// counts returns the counters.
// snapshotReads returns the number of calls to SnapshotAt.
func (l *testLog) snapshotReads() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.snapReads
}

func (l *testLog) counts() (appends, conflicts, reads, snapshots int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.appends, l.conflicts, l.reads, l.snapshots
}

// waitingAtGate returns how many Appends wait at the gate.
func (l *testLog) waitingAtGate() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.waiting
}

var (
	_ collab.Log  = (*testLog)(nil)
	_ collab.Feed = (*testLog)(nil)
)
