package redisstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/confpad/confpad/collab"
	"github.com/redis/go-redis/v9"
)

// Load returns the pad's newest snapshot and every record after it, up to
// the head. The log only grows and a stored snapshot never changes, so the
// two reads need not be one atomic step.
func (s *Store) Load(ctx context.Context, pad string) (collab.Snapshot, []collab.Record, error) {
	snap, err := s.snapshotAt(ctx, pad, "+inf")
	if err != nil {
		return collab.Snapshot{}, nil, err
	}
	recs, err := s.Records(ctx, pad, snap.Rev, -1)
	if err != nil {
		return collab.Snapshot{}, nil, err
	}
	return snap, recs, nil
}

// SnapshotAt returns the newest kept snapshot with Rev <= rev, or the empty
// snapshot at revision 0. Checkpoints and the newest few other snapshots
// (Options.SnapshotsKept) are kept.
func (s *Store) SnapshotAt(ctx context.Context, pad string, rev int) (collab.Snapshot, error) {
	if rev < 0 {
		return collab.Snapshot{}, nil
	}
	return s.snapshotAt(ctx, pad, strconv.Itoa(rev))
}

func (s *Store) snapshotAt(ctx context.Context, pad, maxRev string) (collab.Snapshot, error) {
	if err := checkPad(pad); err != nil {
		return collab.Snapshot{}, err
	}
	res, err := snapshotAtScript.Run(ctx, s.rdb,
		[]string{s.padKey(pad, "snaps"), s.padKey(pad, "snaptext"), s.padKey(pad, "snapattr"), s.padKey(pad, "snapsum")}, maxRev).Slice()
	if err != nil {
		return collab.Snapshot{}, fmt.Errorf("redisstore: read snapshot of pad %q: %w", pad, err)
	}
	snap, ok := parseSnapshotReply(res)
	if !ok {
		return collab.Snapshot{}, fmt.Errorf("redisstore: read snapshot of pad %q: unexpected reply %s", pad, replyShape(res))
	}
	return snap, nil
}

// parseSnapshotReply reads the reply of lua/snapshot_at.lua, {rev, text,
// attribution or nil, sum or nil}; ok is false for a reply of any other
// shape.
func parseSnapshotReply(res []any) (snap collab.Snapshot, ok bool) {
	if len(res) != 4 {
		return collab.Snapshot{}, false
	}
	rev, ok1 := res[0].(int64)
	text, ok2 := res[1].(string)
	sum, ok3 := parseSum(res[3])
	if !ok1 || !ok2 || !ok3 {
		return collab.Snapshot{}, false
	}
	snap = collab.Snapshot{Rev: int(rev), Text: text, Sum: sum}
	if res[2] != nil {
		attr, ok := res[2].(string)
		if !ok {
			return collab.Snapshot{}, false
		}
		runs, err := collab.UnmarshalRuns(attr)
		if err != nil {
			return collab.Snapshot{}, false
		}
		snap.Attribution = runs
	}
	return snap, true
}

// parseSum reads a snapshot's sum as a script returns it: nil for none (0)
// or its decimal digits; ok is false for anything else.
func parseSum(v any) (sum uint32, ok bool) {
	if v == nil {
		return 0, true
	}
	digits, ok := v.(string)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(digits, 10, 32)
	return uint32(n), err == nil
}

// replyShape describes a script's reply for an error message by the type
// and size of each value, not its content: a snapshot's text can be
// megabytes long, and a reply that is not what was expected may be any
// of them.
func replyShape(res []any) string {
	parts := make([]string, len(res))
	for i, v := range res {
		switch v := v.(type) {
		case string:
			parts[i] = fmt.Sprintf("string of %d bytes", len(v))
		case []any:
			parts[i] = fmt.Sprintf("array of %d", len(v))
		default:
			parts[i] = fmt.Sprintf("%T", v)
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// storedSum is the value stored for sum: "" for none.
func storedSum(sum uint32) string {
	if sum == 0 {
		return ""
	}
	return strconv.FormatUint(uint64(sum), 10)
}

// Records returns the records with from < Rev <= to in revision order (to <
// 0: up to the head). It returns fewer only if the head is below to.
func (s *Store) Records(ctx context.Context, pad string, from, to int) ([]collab.Record, error) {
	if err := checkPad(pad); err != nil {
		return nil, err
	}
	if from < 0 {
		from = 0
	}
	// Element i of the log is revision i+1, so revisions from+1..to are
	// elements from..to-1.
	stop := int64(-1)
	if to >= 0 {
		if to <= from {
			return nil, nil
		}
		stop = int64(to - 1)
	}
	data, err := s.rdb.LRange(ctx, s.padKey(pad, "log"), int64(from), stop).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: read records %d.. of pad %q: %w", from+1, pad, err)
	}
	return decodeRecords(pad, from+1, data)
}

// ReadRevision implements collab.RevisionReader in one round trip. The
// usual read, of a revision whose checkpoint (collab.CheckpointEvery) is
// stored, is one transaction (MULTI/EXEC) of the head, the newest
// snapshot at or below rev, the checkpoint's text (unless the caller
// holds it, have) and the records after it up to rev; a script would do
// the same at five times the server's time (Lua copies each record in and
// out). Where the snapshot found is not that checkpoint (a pad written
// before checkpoints, a revision after the head) the script
// revision_read.lua reads whichever snapshot there is. Of the records it
// decodes only the revision and the op.
func (s *Store) ReadRevision(ctx context.Context, pad string, rev, have int) (int, collab.Snapshot, []collab.Op, error) {
	if err := checkPad(pad); err != nil {
		return 0, collab.Snapshot{}, nil, err
	}
	head, snap, data, err := s.readCheckpointed(ctx, pad, rev, have)
	if errors.Is(err, errNotCheckpointed) {
		head, snap, data, err = s.readAnySnapshot(ctx, pad, rev, have)
	}
	if err != nil {
		return 0, collab.Snapshot{}, nil, fmt.Errorf("redisstore: read revision %d of pad %q: %w", rev, pad, err)
	}
	ops := make([]collab.Op, len(data))
	for i, d := range data {
		rec, err := decodeRevOp(d)
		if err != nil {
			return 0, collab.Snapshot{}, nil, fmt.Errorf("redisstore: pad %q revision %d: %w", pad, snap.Rev+i+1, err)
		}
		if rec.Rev != snap.Rev+i+1 {
			return 0, collab.Snapshot{}, nil, fmt.Errorf("redisstore: pad %q: log element %d holds revision %d", pad, snap.Rev+i+1, rec.Rev)
		}
		ops[i] = rec.Op
	}
	return head, snap, ops, nil
}

// errNotCheckpointed is readCheckpointed's answer where the snapshot below
// the revision is not its checkpoint.
var errNotCheckpointed = errors.New("the snapshot below the revision is not its checkpoint")

// readCheckpointed reads, in one transaction, the head, the checkpoint
// at or below rev (the empty snapshot below the first) with its text
// unless it is at have, and the stored records after it up to rev; or it
// fails with errNotCheckpointed.
func (s *Store) readCheckpointed(ctx context.Context, pad string, rev, have int) (head int, snap collab.Snapshot, recs []string, err error) {
	c := rev - rev%collab.CheckpointEvery
	var (
		llen  *redis.IntCmd
		found *redis.StringSliceCmd
		text  *redis.StringCmd
		sum   *redis.StringCmd
		lrng  *redis.StringSliceCmd
	)
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		llen = p.LLen(ctx, s.padKey(pad, "log"))
		found = p.ZRevRangeByScore(ctx, s.padKey(pad, "snaps"), &redis.ZRangeBy{Max: strconv.Itoa(rev), Min: "-inf", Count: 1})
		if c > 0 && c != have {
			text = p.HGet(ctx, s.padKey(pad, "snaptext"), strconv.Itoa(c))
			sum = p.HGet(ctx, s.padKey(pad, "snapsum"), strconv.Itoa(c))
		}
		if rev > c {
			lrng = p.LRange(ctx, s.padKey(pad, "log"), int64(c), int64(rev-1))
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) { // Nil: no text, below
		return 0, collab.Snapshot{}, nil, err
	}
	if f := found.Val(); len(f) == 0 && c != 0 || len(f) > 0 && f[0] != strconv.Itoa(c) || text != nil && text.Err() != nil {
		return 0, collab.Snapshot{}, nil, errNotCheckpointed
	}
	snap.Rev = c
	if text != nil {
		snap.Text = text.Val()
		var ok bool
		if snap.Sum, ok = parseSum(sum.Val()); sum.Err() == nil && !ok {
			return 0, collab.Snapshot{}, nil, fmt.Errorf("the sum of snapshot %d is %q", c, sum.Val())
		}
	}
	if lrng != nil {
		recs = lrng.Val()
	}
	return int(llen.Val()), snap, recs, nil
}

// readAnySnapshot reads with the script revision_read.lua the head, the
// newest snapshot at or below rev, whichever it is, and the stored
// records after it up to rev.
func (s *Store) readAnySnapshot(ctx context.Context, pad string, rev, have int) (head int, snap collab.Snapshot, recs []string, err error) {
	res, err := revisionReadScript.Run(ctx, s.rdb,
		[]string{s.padKey(pad, "log"), s.padKey(pad, "snaps"), s.padKey(pad, "snaptext"), s.padKey(pad, "snapsum")}, rev, have).Slice()
	if err != nil {
		return 0, collab.Snapshot{}, nil, err
	}
	head, snap, recs, ok := parseRevisionReply(res)
	if !ok {
		return 0, collab.Snapshot{}, nil, fmt.Errorf("unexpected reply %s", replyShape(res))
	}
	return head, snap, recs, nil
}

// parseRevisionReply reads the reply of lua/revision_read.lua, {head,
// snapshot rev, text, sum or nil, {record...}}; ok is false for a reply of
// any other shape.
func parseRevisionReply(res []any) (head int, snap collab.Snapshot, recs []string, ok bool) {
	if len(res) != 5 {
		return 0, collab.Snapshot{}, nil, false
	}
	h, ok1 := res[0].(int64)
	rev, ok2 := res[1].(int64)
	text, ok3 := res[2].(string)
	sum, ok4 := parseSum(res[3])
	data, ok5 := res[4].([]any)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		return 0, collab.Snapshot{}, nil, false
	}
	recs = make([]string, len(data))
	for i, d := range data {
		if recs[i], ok = d.(string); !ok {
			return 0, collab.Snapshot{}, nil, false
		}
	}
	return int(h), collab.Snapshot{Rev: int(rev), Text: text, Sum: sum}, recs, true
}

// HistoryBytes implements collab.HistorySizer: collab.Size's overhead per
// record plus the bytes of the record as stored, summed by a script in
// Redis (history_bytes.lua) so that the records do not travel.
func (s *Store) HistoryBytes(ctx context.Context, pad string) (int64, error) {
	if err := checkPad(pad); err != nil {
		return 0, err
	}
	n, err := historyBytesScript.Run(ctx, s.rdb, []string{s.padKey(pad, "log")}, 96).Int64()
	if err != nil {
		return 0, fmt.Errorf("redisstore: history size of pad %q: %w", pad, err)
	}
	return n, nil
}

// Head returns the pad's head revision (0 for a pad never written).
func (s *Store) Head(ctx context.Context, pad string) (int, error) {
	if err := checkPad(pad); err != nil {
		return 0, err
	}
	n, err := s.rdb.LLen(ctx, s.padKey(pad, "log")).Result()
	if err != nil {
		return 0, fmt.Errorf("redisstore: read head of pad %q: %w", pad, err)
	}
	return int(n), nil
}

// Append commits recs as revisions head+1, head+2, ... (their Rev fields are
// set accordingly; a zero Time becomes now) and publishes them on the pad's
// channel, in one atomic script, but only if the stored head is still head;
// otherwise it returns collab.ErrConflict and stores nothing; if the pad's
// session is archived (its meta hash's "state" field, in the same script)
// it returns collab.ErrReadOnly and stores nothing. When it
// returns nil the records are in Redis (durable as far as Redis's AOF
// policy makes them) and published to every subscribed replica. If the
// call fails for another reason (a lost connection) the batch may or may
// not have been committed: the caller reads the log to find out.
func (s *Store) Append(ctx context.Context, pad string, head int, recs []collab.Record) error {
	if err := checkPad(pad); err != nil {
		return err
	}
	if len(recs) == 0 {
		return nil
	}
	args := make([]any, 0, 2+len(recs))
	args = append(args, head, s.padKey(pad, "ops"))
	now := time.Now().UTC()
	for i, rec := range recs {
		rec.Rev = head + 1 + i
		if rec.Time.IsZero() {
			rec.Time = now
		}
		data, err := encodeRecord(rec)
		if err != nil {
			return fmt.Errorf("redisstore: append to pad %q: %w", pad, err)
		}
		args = append(args, data)
	}
	res, err := appendScript.Run(ctx, s.rdb, []string{s.padKey(pad, "log"), s.padKey(pad, "meta")}, args...).Int64Slice()
	if err != nil {
		return fmt.Errorf("redisstore: append %d records to pad %q at head %d: %w", len(recs), pad, head, err)
	}
	if len(res) != 2 {
		return fmt.Errorf("redisstore: append to pad %q: unexpected reply %v", pad, res)
	}
	if res[0] == 0 {
		return fmt.Errorf("redisstore: pad %q head is %d, not %d: %w", pad, res[1], head, collab.ErrConflict)
	}
	if res[0] == -1 {
		return fmt.Errorf("redisstore: append to pad %q: %w", pad, collab.ErrReadOnly)
	}
	return nil
}

// SaveSnapshot stores a snapshot and drops the oldest beyond
// Options.SnapshotsKept, except checkpoints (collab.IsCheckpoint), which
// are kept for good. A snapshot ahead of the pad's head is refused.
func (s *Store) SaveSnapshot(ctx context.Context, pad string, snap collab.Snapshot) error {
	if err := checkPad(pad); err != nil {
		return err
	}
	if snap.Rev < 0 {
		return fmt.Errorf("redisstore: snapshot of pad %q at negative revision %d", pad, snap.Rev)
	}
	head, err := snapshotSaveScript.Run(ctx, s.rdb,
		[]string{s.padKey(pad, "snaps"), s.padKey(pad, "snaptext"), s.padKey(pad, "log"), s.padKey(pad, "snapattr"), s.padKey(pad, "snapsum")},
		snap.Rev, snap.Text, s.keep, collab.CheckpointEvery, storedRuns(snap.Attribution), storedSum(snap.Sum)).Int64()
	if err != nil {
		return fmt.Errorf("redisstore: save snapshot %d of pad %q: %w", snap.Rev, pad, err)
	}
	if head < 0 {
		return fmt.Errorf("redisstore: snapshot %d of pad %q is ahead of its head", snap.Rev, pad)
	}
	return nil
}

// Snapshots returns every kept snapshot of pad in revision order (for
// migration between stores). The texts hash holds exactly the kept
// snapshots (snapshot_save.lua trims it with the index), so one read of it,
// with the attributions and sums in the same transaction, is enough.
func (s *Store) Snapshots(ctx context.Context, pad string) ([]collab.Snapshot, error) {
	if err := checkPad(pad); err != nil {
		return nil, err
	}
	var all [3]*redis.MapStringStringCmd // texts, attributions, sums
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for i, name := range []string{"snaptext", "snapattr", "snapsum"} {
			all[i] = p.HGetAll(ctx, s.padKey(pad, name))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("redisstore: read snapshots of pad %q: %w", pad, err)
	}
	texts, attrs, sums := all[0].Val(), all[1].Val(), all[2].Val()
	var out []collab.Snapshot
	for r, text := range texts {
		rev, err := strconv.Atoi(r)
		if err != nil {
			continue // not ours
		}
		snap := collab.Snapshot{Rev: rev, Text: text}
		if sum, ok := sums[r]; ok {
			if snap.Sum, ok = parseSum(sum); !ok {
				return nil, fmt.Errorf("redisstore: read snapshot %d of pad %q: its sum is %q", rev, pad, sum)
			}
		}
		if attr, ok := attrs[r]; ok {
			if snap.Attribution, err = collab.UnmarshalRuns(attr); err != nil {
				return nil, fmt.Errorf("redisstore: read snapshot %d of pad %q: %w", rev, pad, err)
			}
		}
		out = append(out, snap)
	}
	slices.SortFunc(out, func(a, b collab.Snapshot) int { return cmp.Compare(a.Rev, b.Rev) })
	return out, nil
}

// Pads returns the id of every pad that has a log, sorted (for migration
// between stores). On a cluster it scans every master.
func (s *Store) Pads(ctx context.Context) ([]string, error) {
	pattern := escapeGlob(s.prefix) + ":{*}:log"
	prefix, suffix := s.prefix+":{", "}:log"
	seen := make(map[string]bool)
	var mu sync.Mutex // ForEachMaster runs fn on the masters concurrently
	err := s.eachNode(ctx, func(ctx context.Context, c *redis.Client) error {
		iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
		for iter.Next(ctx) {
			key := iter.Val()
			if len(key) < len(prefix)+len(suffix) {
				continue
			}
			mu.Lock()
			seen[key[len(prefix):len(key)-len(suffix)]] = true
			mu.Unlock()
		}
		return iter.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("redisstore: list pads: %w", err)
	}
	return slices.Sorted(maps.Keys(seen)), nil
}

// escapeGlob escapes the characters that SCAN MATCH patterns treat
// specially, so a key prefix matches itself only.
func escapeGlob(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// storedRuns is the form in which snapshot_save.lua takes an attribution:
// its JSON, or "" for none.
func storedRuns(runs []collab.Run) string {
	if runs == nil {
		return ""
	}
	return collab.MarshalRuns(runs)
}
