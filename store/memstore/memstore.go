// Package memstore is an in-memory collab.Log, collab.Feed,
// conference.Catalog and authors.Table: a store that lives and dies with the process. It is
// for tests, examples and trying confpad's parts out; it passes the same
// conformance suites (store/storetest) as the SQLite and Redis stores, so
// what works on it works on them.
//
// Two engines on one Store behave like two replicas on one Redis: each
// Append is published to every subscriber of the pad, in revision order.
package memstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/confpad/confpad/authors"
	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
)

// Store is an in-memory pad log and feed. The zero Store is not ready for
// use; make one with New. A Store is safe for concurrent use.
type Store struct {
	mu       sync.Mutex
	pads     map[string]*padLog
	title    string
	bofs     bool
	sessions map[string]conference.Session        // by id; Links never nil
	authors  map[string]map[string]authors.Author // by pad, then id

	// publishing is held from a commit to the end of its delivery, and
	// taken before mu is released, so that batches reach subscribers in
	// revision order while subscribers may still read the log.
	publishing sync.Mutex
	subsMu     sync.Mutex
	subs       map[string]map[*subscriber]struct{}
}

// padLog is one pad's history.
type padLog struct {
	recs  []collab.Record   // recs[i] is revision i+1
	snaps []collab.Snapshot // in revision order, one per revision
}

// subscriber is one Subscribe call.
type subscriber struct {
	fn func([]collab.Record)
}

// New returns an empty store.
func New() *Store {
	return &Store{
		pads:     make(map[string]*padLog),
		sessions: make(map[string]conference.Session),
		authors:  make(map[string]map[string]authors.Author),
		subs:     make(map[string]map[*subscriber]struct{}),
	}
}

var (
	_ collab.Log          = (*Store)(nil)
	_ collab.Feed         = (*Store)(nil)
	_ collab.HistorySizer = (*Store)(nil)
)

// Load returns the pad's latest snapshot and every record after it.
func (s *Store) Load(ctx context.Context, pad string) (collab.Snapshot, []collab.Record, error) {
	if err := ctx.Err(); err != nil {
		return collab.Snapshot{}, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pads[pad]
	if p == nil {
		return collab.Snapshot{}, nil, nil
	}
	var snap collab.Snapshot
	if len(p.snaps) > 0 {
		snap = p.snaps[len(p.snaps)-1]
	}
	return snap, slices.Clone(p.recs[snap.Rev:]), nil
}

// SnapshotAt returns the latest snapshot with Rev <= rev, or the empty
// snapshot at revision 0.
func (s *Store) SnapshotAt(ctx context.Context, pad string, rev int) (collab.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return collab.Snapshot{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var snap collab.Snapshot
	if p := s.pads[pad]; p != nil {
		for _, c := range p.snaps {
			if c.Rev <= rev {
				snap = c
			}
		}
	}
	return snap, nil
}

// Records returns the records with from < Rev <= to in revision order; to <
// 0 means up to the head.
func (s *Store) Records(ctx context.Context, pad string, from, to int) ([]collab.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []collab.Record
	if p := s.pads[pad]; p != nil {
		all = p.recs
	}
	if to < 0 || to > len(all) {
		to = len(all)
	}
	from = max(from, 0)
	if from >= to {
		return nil, nil
	}
	return slices.Clone(all[from:to]), nil
}

// Append commits recs as revisions head+1, head+2, ... (their Rev fields
// are set accordingly; a zero Time becomes now and an empty Author the
// record's Client, as every store reads such a record back) if the pad's
// head is still head and its session (if the catalog has one) is not
// archived; otherwise it returns collab.ErrConflict or collab.ErrReadOnly
// and stores nothing. Before it returns, every subscriber of the pad has
// been called with the batch.
func (s *Store) Append(ctx context.Context, pad string, head int, recs []collab.Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(recs) == 0 {
		return nil
	}
	s.mu.Lock()
	p := s.pads[pad]
	if n := p.head(); n != head {
		s.mu.Unlock()
		return fmt.Errorf("memstore: pad %q head is %d, not %d: %w", pad, n, head, collab.ErrConflict)
	}
	if s.sessions[pad].State == conference.StateArchived {
		s.mu.Unlock()
		return fmt.Errorf("memstore: pad %q: %w", pad, collab.ErrReadOnly)
	}
	if p == nil {
		p = &padLog{}
		s.pads[pad] = p
	}
	batch := slices.Clone(recs)
	now := time.Now()
	for i := range batch {
		batch[i].Rev = head + 1 + i
		if batch[i].Time.IsZero() {
			batch[i].Time = now
		}
		if batch[i].Author == "" {
			batch[i].Author = batch[i].Client
		}
	}
	p.recs = append(p.recs, batch...)
	s.publishing.Lock()
	s.mu.Unlock()
	defer s.publishing.Unlock()
	s.publish(pad, batch)
	return nil
}

// HistoryBytes implements collab.HistorySizer: the sum of collab.Size of
// the pad's records.
func (s *Store) HistoryBytes(ctx context.Context, pad string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	if p := s.pads[pad]; p != nil {
		for _, r := range p.recs {
			n += int64(collab.Size(r))
		}
	}
	return n, nil
}

// head returns the pad's head revision (0 for a nil pad).
func (p *padLog) head() int {
	if p == nil {
		return 0
	}
	return len(p.recs)
}

// SaveSnapshot stores a snapshot, replacing one at the same revision. A
// snapshot at a negative revision or ahead of the pad's head is refused.
func (s *Store) SaveSnapshot(ctx context.Context, pad string, snap collab.Snapshot) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pads[pad]
	if snap.Rev < 0 || snap.Rev > p.head() {
		return fmt.Errorf("memstore: snapshot %d of pad %q is outside its history (head %d)", snap.Rev, pad, p.head())
	}
	i, found := slices.BinarySearchFunc(p.snaps, snap.Rev, func(c collab.Snapshot, rev int) int { return cmp.Compare(c.Rev, rev) })
	if found {
		p.snaps[i] = snap
	} else {
		p.snaps = slices.Insert(p.snaps, i, snap)
	}
	return nil
}

// Truncate drops the pad's records after revision rev and its snapshots
// beyond it, as a store that lost acknowledged writes would (a Redis
// restarted from an old dump). It publishes nothing. It is for testing how
// replicas recover from such a loss.
func (s *Store) Truncate(pad string, rev int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pads[pad]
	if p == nil || rev >= len(p.recs) {
		return
	}
	rev = max(rev, 0)
	p.recs = p.recs[:rev:rev]
	p.snaps = slices.DeleteFunc(p.snaps, func(c collab.Snapshot) bool { return c.Rev > rev })
}

// Subscribe calls fn with every batch of records appended to pad from now
// on, in revision order, from the goroutine of the Append that committed
// it. This feed loses nothing, so it never calls fn(nil). fn must not
// block, must not modify recs and must not call Append. The returned
// function cancels the subscription: fn gets no batch committed after it
// returns, though a delivery already under way may still reach fn once.
func (s *Store) Subscribe(pad string, fn func(recs []collab.Record)) (cancel func()) {
	sub := &subscriber{fn: fn}
	s.subsMu.Lock()
	defer s.subsMu.Unlock()
	if s.subs[pad] == nil {
		s.subs[pad] = make(map[*subscriber]struct{})
	}
	s.subs[pad][sub] = struct{}{}
	return func() {
		s.subsMu.Lock()
		defer s.subsMu.Unlock()
		delete(s.subs[pad], sub)
		if len(s.subs[pad]) == 0 {
			delete(s.subs, pad)
		}
	}
}

// publish calls every subscriber of pad with batch.
func (s *Store) publish(pad string, batch []collab.Record) {
	s.subsMu.Lock()
	fns := make([]func([]collab.Record), 0, len(s.subs[pad]))
	for sub := range s.subs[pad] {
		fns = append(fns, sub.fn)
	}
	s.subsMu.Unlock()
	for _, fn := range fns {
		fn(batch)
	}
}
