package collab

import (
	"context"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// ReplayAttribution returns the attribution that a (nil: the empty
// document's) becomes with recs, records in revision order, applied one by
// one, each inserting its Author's characters (or its Runs'). a itself
// is not changed.
func ReplayAttribution(a *Attribution, recs []Record) (*Attribution, error) {
	if a == nil {
		a = NewAttribution()
	} else {
		a = a.Clone()
	}
	for _, r := range recs {
		if err := attributeRecord(a, r); err != nil {
			return nil, fmt.Errorf("revision %d: %w", r.Rev, err)
		}
	}
	return a, nil
}

// AttributionEvery is the shortest distance between the checkpoints that
// carry their attribution: copying a long pad's attribution at every
// checkpoint would cost more than the edits between them, so the others
// are stored without, and a reader of their attribution replays the
// records from a checkpoint below that has it. A pad of many runs stores
// it further apart still (see carriesAttribution).
const AttributionEvery = 10 * CheckpointEvery

// attributionRunsPerRev is how many runs the checkpoints of a pad store,
// per revision, at most (about): the budget that spaces out the ones that
// carry their attribution.
const attributionRunsPerRev = 4

// carriesAttribution reports whether the checkpoint at rev (a multiple of
// CheckpointEvery) of a pad whose attribution has runs runs is stored with
// its attribution: if rev is a multiple of the smallest AttributionEvery·2^k
// with runs <= attributionRunsPerRev·AttributionEvery·2^k. So storing
// attribution costs at most attributionRunsPerRev runs per revision, on
// average, however many runs a pad has (with 20 authors typing in turn at
// one place it has as many as characters), and a pad of up to 4,000 runs
// stores it at every multiple of AttributionEvery.
func carriesAttribution(rev, runs int) bool {
	every := AttributionEvery
	for runs > attributionRunsPerRev*every {
		every *= 2
	}
	return rev%every == 0
}

// snapshotAttribution returns the attribution of snap, whose text has n
// code points: the one stored with it or, for a snapshot stored without
// one (or with one that does not cover its text), one replayed from the
// nearest snapshot below that has one, or else from revision 0. It looks
// for that snapshot where carriesAttribution may have stored one: the
// latest at or below each multiple of AttributionEvery·2^k under snap, for
// k = 0, 1, 2..., at most one read per doubling.
func snapshotAttribution(ctx context.Context, log Log, pad string, snap Snapshot, n int) (*Attribution, error) {
	if (snap.Attribution != nil || snap.Rev == 0) && CheckRuns(snap.Attribution, n) == nil {
		return NewAttribution(snap.Attribution...), nil
	}
	var base *Attribution
	from := 0
	for every, tried := AttributionEvery, snap.Rev; ; every *= 2 {
		c := snap.Rev - snap.Rev%every
		if c <= 0 {
			break
		}
		if c == tried {
			continue
		}
		tried = c
		below, err := log.SnapshotAt(ctx, pad, c)
		if err != nil {
			return nil, err
		}
		if below.Attribution != nil && CheckRuns(below.Attribution, utf8.RuneCountInString(below.Text)) == nil {
			base, from = NewAttribution(below.Attribution...), below.Rev
			break
		}
	}
	recs, err := readRecords(ctx, log, pad, from, snap.Rev)
	if err != nil {
		return nil, err
	}
	return ReplayAttribution(base, recs)
}

// Attribution returns who wrote each character of the pad's text at
// revision rev (rev < 0: the head), as runs in document order, and the head
// revision. A revision after the head is a CodeRevAhead error. An old
// revision's is replayed in one of the turns that reads of old texts
// take, so that many at once queue rather than share the CPUs.
func (e *Engine) Attribution(ctx context.Context, padID string, rev int) ([]Run, int, error) {
	p, err := e.acquire(ctx, padID)
	if err != nil {
		return nil, 0, err
	}
	defer e.release(p)
	p.mu.Lock()
	head := p.recent.Head()
	if rev < 0 || rev == head {
		attr := p.attr.Clone() // listed without holding up the pad
		p.mu.Unlock()
		return attr.Runs(), head, nil
	}
	p.mu.Unlock()
	if rev > head {
		return nil, head, errorf(CodeRevAhead, "revision %d is after the head %d", rev, head)
	}
	if err := e.oldReads.Take(ctx); err != nil {
		return nil, head, unavailable(err)
	}
	defer e.oldReads.Done()
	a, err := e.attributionAt(ctx, padID, rev)
	if err != nil {
		return nil, head, err
	}
	return a.Runs(), head, nil
}

// attributionLookBack is how many checkpoints below a revision the engine
// looks for an attribution it keeps (checkpointCache) before it reads the
// stored ones: no further than the checkpoints that carry their
// attribution are apart at the least, so that replaying from a kept one
// never costs more than from a stored one would.
const attributionLookBack = AttributionEvery / CheckpointEvery

// attributionAt returns the attribution at rev, an old revision of the
// pad: replayed from the nearest attribution the checkpoint cache keeps
// within attributionLookBack checkpoints, or else from the snapshot at or
// below rev (snapshotAttribution). The one at rev's checkpoint is kept,
// so that a timeslider's next steps replay at most a few hundred records.
func (e *Engine) attributionAt(ctx context.Context, padID string, rev int) (*Attribution, error) {
	c := rev - rev%CheckpointEvery
	var (
		a    *Attribution
		from int
		gen  uint64
		kept bool // the attribution at c is kept already
	)
	for k := c; k > 0 && k >= c-attributionLookBack*CheckpointEvery; k -= CheckpointEvery {
		runs, ok, g := e.checkpoints.attribution(padID, k)
		if k == c {
			gen, kept = g, ok
		}
		if ok {
			a, from = NewAttribution(runs...), k
			break
		}
	}
	if a == nil {
		snap, err := e.cfg.Log.SnapshotAt(ctx, padID, rev)
		if err != nil {
			return nil, unavailable(err)
		}
		if a, err = snapshotAttribution(ctx, e.cfg.Log, padID, snap, utf8.RuneCountInString(snap.Text)); err != nil {
			return nil, unavailable(err)
		}
		from = snap.Rev
	}
	if from <= c && c > 0 && !kept {
		recs, err := readRecords(ctx, e.cfg.Log, padID, from, c)
		if err != nil {
			return nil, err
		}
		if a, err = ReplayAttribution(a, recs); err != nil {
			return nil, err
		}
		from = c
		e.checkpoints.putAttribution(padID, c, a.Runs(), gen)
	}
	recs, err := readRecords(ctx, e.cfg.Log, padID, from, rev)
	if err != nil {
		return nil, err
	}
	return ReplayAttribution(a, recs)
}

// MarshalRuns returns the JSON form in which stores keep a snapshot's
// attribution: an array of {"author", "length"} objects.
func MarshalRuns(runs []Run) string {
	b, err := json.Marshal(runs)
	if err != nil {
		panic(fmt.Sprintf("collab: marshal runs: %v", err)) // strings and ints always marshal
	}
	return string(b)
}

// UnmarshalRuns parses what MarshalRuns wrote. It never returns nil
// without an error, so that a stored empty attribution stays distinct from
// none stored.
func UnmarshalRuns(s string) ([]Run, error) {
	runs := []Run{}
	if err := json.Unmarshal([]byte(s), &runs); err != nil {
		return nil, fmt.Errorf("collab: stored attribution: %w", err)
	}
	if runs == nil {
		return nil, fmt.Errorf("collab: stored attribution is null")
	}
	return runs, nil
}
