package collab

import (
	"context"
	"sync"
)

// memLog is an in-memory Log and Feed for the engine's tests: the real
// stores (SQLite, Redis) pass the conformance suite in store/storetest.
// Append publishes to subscribers like the Redis store does, so two engines
// on one memLog behave like two replicas.
type memLog struct {
	mu        sync.Mutex
	recs      map[string][]Record
	snaps     map[string][]Snapshot
	subs      map[string]map[int]func([]Record)
	nextSub   int
	appends   int // calls to Append that stored records
	conflicts int // calls to Append that returned ErrConflict
	reads     int // calls to Records
	failing   error
	gate      chan struct{} // when set, Append waits for it to close
	waiting   int           // Appends waiting at the gate
}

func newMemLog() *memLog {
	return &memLog{recs: map[string][]Record{}, snaps: map[string][]Snapshot{}, subs: map[string]map[int]func([]Record){}}
}

func (l *memLog) Load(_ context.Context, pad string) (Snapshot, []Record, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var s Snapshot
	if ss := l.snaps[pad]; len(ss) > 0 {
		s = ss[len(ss)-1]
	}
	return s, append([]Record(nil), l.recs[pad][s.Rev:]...), l.failing
}

func (l *memLog) SnapshotAt(_ context.Context, pad string, rev int) (Snapshot, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var s Snapshot
	for _, c := range l.snaps[pad] {
		if c.Rev <= rev {
			s = c
		}
	}
	return s, l.failing
}

func (l *memLog) Records(_ context.Context, pad string, from, to int) ([]Record, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reads++
	all := l.recs[pad]
	if to < 0 || to > len(all) {
		to = len(all)
	}
	if from >= to {
		return nil, l.failing
	}
	return append([]Record(nil), all[from:to]...), l.failing
}

func (l *memLog) Append(_ context.Context, pad string, head int, recs []Record) error {
	l.mu.Lock()
	if gate := l.gate; gate != nil {
		l.waiting++
		l.mu.Unlock()
		<-gate
		l.mu.Lock()
		l.waiting--
	}
	defer l.mu.Unlock()
	if l.failing != nil {
		return l.failing
	}
	if len(l.recs[pad]) != head {
		l.conflicts++
		return ErrConflict
	}
	l.appends++
	l.recs[pad] = append(l.recs[pad], recs...)
	for _, fn := range l.subs[pad] {
		fn(append([]Record(nil), recs...))
	}
	return nil
}

func (l *memLog) SaveSnapshot(_ context.Context, pad string, s Snapshot) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.snaps[pad] = append(l.snaps[pad], s)
	return nil
}

func (l *memLog) Subscribe(pad string, fn func([]Record)) func() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.subs[pad] == nil {
		l.subs[pad] = map[int]func([]Record){}
	}
	id := l.nextSub
	l.nextSub++
	l.subs[pad][id] = fn
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		delete(l.subs[pad], id)
	}
}

// truncate drops the records of pad after revision n, as a store that
// lost acknowledged writes would.
func (l *memLog) truncate(pad string, n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs[pad] = l.recs[pad][:n]
}

func (l *memLog) setFailing(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failing = err
}

func (l *memLog) counts() (appends, conflicts, reads int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.appends, l.conflicts, l.reads
}

var (
	_ Log  = (*memLog)(nil)
	_ Feed = (*memLog)(nil)
)
