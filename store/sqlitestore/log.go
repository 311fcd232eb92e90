package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/confpad/confpad/collab"
)

// Append implements collab.Log. It encodes recs (an invalid op is refused
// with an error wrapping collab.ErrInvalidOp), hands them to the
// group-commit writer and returns once the transaction that holds them has
// committed (nil: durable) or they were refused (collab.ErrConflict: the
// pad's head is not head; collab.ErrReadOnly: the pad's session is
// archived; nothing stored). Both are checked in the transaction that
// would insert the records. The records' Rev fields are
// ignored: they are numbered head+1, head+2, .... Times are kept to the
// millisecond. Append returns ctx's error only if the records were not
// stored, and ErrClosed after Close.
func (s *Store) Append(ctx context.Context, pad string, head int, recs []collab.Record) error {
	rows := make([]row, len(recs))
	for i, rec := range recs {
		op, err := rec.Op.MarshalJSON() // the wire bytes; json.Marshal would re-escape them
		if err != nil {
			return fmt.Errorf("sqlitestore: append to pad %q: encode op of revision %d: %w", pad, head+i+1, err)
		}
		author := rec.Author
		if author == "" {
			author = rec.Client // see collab.Record.Author
		}
		rows[i] = row{client: rec.Client, author: author, seq: rec.Seq, time: rec.Time.UnixMilli(), op: string(op), runs: storedRuns(rec.Runs)}
	}
	return s.w.submit(&appendReq{ctx: ctx, pad: pad, head: head, rows: rows, done: make(chan error, 1)})
}

// CommitStats reports how many Appends the group-commit writer has
// committed and in how many transactions.
func (s *Store) CommitStats() CommitStats {
	return s.w.stats()
}

// Load implements collab.Log: the pad's latest snapshot and the records
// after it, read in one transaction so they fit together.
func (s *Store) Load(ctx context.Context, pad string) (collab.Snapshot, []collab.Record, error) {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return collab.Snapshot{}, nil, fmt.Errorf("sqlitestore: load pad %q: %w", pad, err)
	}
	defer tx.Rollback()
	snap, err := snapshotAt(ctx, tx, pad, math.MaxInt64)
	if err != nil {
		return collab.Snapshot{}, nil, fmt.Errorf("sqlitestore: load pad %q: %w", pad, err)
	}
	recs, err := records(ctx, tx, pad, snap.Rev, -1)
	if err != nil {
		return collab.Snapshot{}, nil, fmt.Errorf("sqlitestore: load pad %q: %w", pad, err)
	}
	return snap, recs, nil
}

// SnapshotAt implements collab.Log.
func (s *Store) SnapshotAt(ctx context.Context, pad string, rev int) (collab.Snapshot, error) {
	snap, err := snapshotAt(ctx, s.read, pad, rev)
	if err != nil {
		return collab.Snapshot{}, fmt.Errorf("sqlitestore: snapshot of pad %q at revision %d: %w", pad, rev, err)
	}
	return snap, nil
}

// Records implements collab.Log.
func (s *Store) Records(ctx context.Context, pad string, from, to int) ([]collab.Record, error) {
	recs, err := records(ctx, s.read, pad, from, to)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: records %d..%d of pad %q: %w", from, to, pad, err)
	}
	return recs, nil
}

// opSeparator joins the ops ReadRevision reads in one column, each after
// its revision and a space: a control character, which valid JSON never
// holds raw (not even inside strings), so the stored ops split apart
// exactly.
const opSeparator = "\x1e"

// revisionQuery is ReadRevision's: ?1 is the pad, ?2 the revision, ?3
// the snapshot whose text the caller has, ?4 collab.CheckpointEvery. The
// ops come from the snapshot's segment where it is stored and reaches
// the revision (the segments table; a checkpoint whose next one was never
// saved is followed by more than a segment), else from
// a row each, joined without ORDER BY, which made SQLite sort them (a
// third of the query); each carries its revision instead, which
// ReadRevision puts in its place.
const revisionQuery = `WITH s AS (SELECT COALESCE((SELECT rev FROM snapshots WHERE pad = ?1 AND rev <= ?2 ORDER BY rev DESC LIMIT 1), 0) AS rev)
	SELECT COALESCE((SELECT MAX(rev) FROM ops WHERE pad = ?1), 0),
	       s.rev,
	       CASE WHEN s.rev = ?3 THEN '' ELSE COALESCE(t.text, '') END,
	       CASE WHEN s.rev = ?3 THEN 0 ELSE COALESCE(t.sum, 0) END,
	       CASE WHEN ?2 > s.rev THEN COALESCE(
	           (SELECT ops FROM segments WHERE pad = ?1 AND rev = s.rev AND ?2 <= s.rev + ?4),
	           (SELECT group_concat(rev || ' ' || op, char(30)) FROM ops WHERE pad = ?1 AND rev > s.rev AND rev <= ?2)) END
	FROM s LEFT JOIN snapshots t ON t.pad = ?1 AND t.rev = s.rev`

// ReadRevision implements collab.RevisionReader with one query: the
// head, the latest snapshot's revision, text and sum and, joined in one
// column, the ops after it up to rev, which spares a row (and its
// conversions in database/sql) per record. Concurrent reads take turns (revisionTurns).
func (s *Store) ReadRevision(ctx context.Context, pad string, rev, have int) (int, collab.Snapshot, []collab.Op, error) {
	var (
		head int
		snap collab.Snapshot
		ops  sql.NullString
	)
	if err := s.revisionTurns.Take(ctx); err != nil {
		return 0, collab.Snapshot{}, nil, fmt.Errorf("sqlitestore: revision %d of pad %q: %w", rev, pad, err)
	}
	// The query takes tens of microseconds: it runs to its end rather
	// than under ctx, whose watchers (database/sql's and the driver's,
	// a goroutine each per query) cost more than the query's rows.
	err := s.revision.QueryRowContext(context.WithoutCancel(ctx), pad, rev, have, collab.CheckpointEvery).Scan(&head, &snap.Rev, &snap.Text, &snap.Sum, &ops)
	s.revisionTurns.Done()
	if err != nil {
		return 0, collab.Snapshot{}, nil, fmt.Errorf("sqlitestore: revision %d of pad %q: %w", rev, pad, err)
	}
	placed, err := placeOps(ops.String, snap.Rev, min(rev, head))
	if err != nil {
		return 0, collab.Snapshot{}, nil, fmt.Errorf("sqlitestore: revision %d of pad %q: %w", rev, pad, err)
	}
	return head, snap, placed, nil
}

// placeOps parses the ops of revisions from+1 to to that revisionQuery
// joined, each after its revision, in any order, into revision order,
// passing over those after to (a segment holds them all); it fails
// unless each of revisions from+1 to to is there once.
func placeOps(joined string, from, to int) ([]collab.Op, error) {
	if to <= from || joined == "" {
		return nil, nil // none stored: the caller sees too few
	}
	ops := make([]collab.Op, to-from)
	placed := make([]bool, to-from)
	n := 0
	for item := range strings.SplitSeq(joined, opSeparator) {
		revText, op, _ := strings.Cut(item, " ")
		r, err := strconv.Atoi(revText)
		if err == nil && r > to {
			continue
		}
		if err != nil || r <= from || placed[r-from-1] {
			return nil, fmt.Errorf("stored op %q: not one of revisions %d to %d once", revText, from+1, to)
		}
		// ParseOp neither changes nor keeps its input: a view of the
		// string will do, not a copy.
		if ops[r-from-1], err = collab.ParseOp(unsafe.Slice(unsafe.StringData(op), len(op))); err != nil {
			return nil, fmt.Errorf("stored op of revision %d: %w", r, err)
		}
		placed[r-from-1] = true
		n++
	}
	if n != to-from {
		return nil, fmt.Errorf("%d stored ops after revision %d, want %d", n, from, to-from)
	}
	return ops, nil
}

// HistoryBytes implements collab.HistorySizer: collab.Size's overhead per
// record plus the bytes of its client and author ids, of its op and of
// its runs as stored.
func (s *Store) HistoryBytes(ctx context.Context, pad string) (int64, error) {
	var n int64
	err := s.read.QueryRowContext(ctx,
		`SELECT COALESCE(SUM(96 + LENGTH(CAST(client AS BLOB)) + LENGTH(CAST(author AS BLOB)) + LENGTH(CAST(op AS BLOB)) + COALESCE(LENGTH(CAST(runs AS BLOB)), 0)), 0) FROM ops WHERE pad = ?`, pad).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlitestore: history size of pad %q: %w", pad, err)
	}
	return n, nil
}

// SnapshotsKept is how many snapshots per pad SaveSnapshot keeps besides
// checkpoints (collab.IsCheckpoint), newest first, as redisstore does by
// default: such a snapshot only speeds up loading, and without pruning a
// big, busy pad would store a full copy of itself every few hundred ops.
// Checkpoints are kept for good, so that reading an old revision replays
// fewer than collab.CheckpointEvery records.
const SnapshotsKept = 4

// SaveSnapshot implements collab.Log. Saving a snapshot at a revision that
// already has one replaces it; snapshots that are not checkpoints, beyond
// the newest SnapshotsKept, are dropped in the same transaction. A
// snapshot ahead of the pad's head (of a pad deleted while it was being
// written, say) is refused.
func (s *Store) SaveSnapshot(ctx context.Context, pad string, snap collab.Snapshot) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err == nil {
		defer func() { _ = tx.Rollback() }()
		var res sql.Result
		res, err = tx.ExecContext(ctx,
			`INSERT INTO snapshots (pad, rev, text, sum, attribution)
			 SELECT ?1, ?2, ?3, NULLIF(?4, 0), ?5 WHERE ?2 <= COALESCE((SELECT MAX(rev) FROM ops WHERE pad = ?1), 0)
			 ON CONFLICT (pad, rev) DO UPDATE SET text = excluded.text, sum = excluded.sum, attribution = excluded.attribution`,
			pad, snap.Rev, snap.Text, snap.Sum, storedRuns(snap.Attribution))
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				err = fmt.Errorf("revision %d is ahead of the pad's head", snap.Rev)
			}
		}
	}
	if err == nil {
		_, err = tx.ExecContext(ctx,
			`DELETE FROM snapshots WHERE pad = ? AND rev % ? != 0 AND rev <
			 (SELECT rev FROM snapshots WHERE pad = ? ORDER BY rev DESC LIMIT 1 OFFSET ?)`,
			pad, collab.CheckpointEvery, pad, SnapshotsKept-1)
	}
	if c := snap.Rev - collab.CheckpointEvery; err == nil && collab.IsCheckpoint(snap.Rev) && c > 0 {
		err = fillSegment(ctx, tx, pad, c)
	}
	if err == nil {
		err = tx.Commit()
	}
	s.health.Observe(err)
	if err != nil {
		return fmt.Errorf("sqlitestore: save snapshot of pad %q at revision %d: %w", pad, snap.Rev, err)
	}
	return nil
}

// fillSegment stores the segment of the checkpoint at rev of pad (see
// migration 8), once its snapshot and the collab.CheckpointEvery ops after
// it are all stored and if it is not stored yet. SaveSnapshot calls it
// for the checkpoint before the one it saves, whose ops are then stored.
func fillSegment(ctx context.Context, tx *sql.Tx, pad string, rev int) error {
	_, err := tx.ExecContext(ctx,
		`INSERT INTO segments (pad, rev, ops)
		 SELECT ?1, ?2, (SELECT group_concat(rev || ' ' || op, char(30)) FROM ops WHERE pad = ?1 AND rev > ?2 AND rev <= ?2 + ?3)
		 WHERE EXISTS (SELECT 1 FROM snapshots WHERE pad = ?1 AND rev = ?2)
		   AND (SELECT COUNT(*) FROM ops WHERE pad = ?1 AND rev > ?2 AND rev <= ?2 + ?3) = ?3
		 ON CONFLICT (pad, rev) DO NOTHING`,
		pad, rev, collab.CheckpointEvery)
	return err
}

// Pads lists, in byte order, every pad id that has ops or snapshots stored,
// whether or not a session exists for it. With Snapshots and Records it lets
// a tool (confpad migrate) copy every pad's full history to another store.
func (s *Store) Pads(ctx context.Context) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT pad FROM ops UNION SELECT pad FROM snapshots ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: list pads: %w", err)
	}
	defer rows.Close()
	var pads []string
	for rows.Next() {
		var pad string
		if err := rows.Scan(&pad); err != nil {
			return nil, fmt.Errorf("sqlitestore: list pads: %w", err)
		}
		pads = append(pads, pad)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: list pads: %w", err)
	}
	return pads, nil
}

// Snapshots lists every stored snapshot of pad in revision order (none for
// a pad without snapshots). Load and SnapshotAt use only the latest fitting
// one; this is for copying a pad to another store.
func (s *Store) Snapshots(ctx context.Context, pad string) ([]collab.Snapshot, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT rev, text, COALESCE(sum, 0), attribution FROM snapshots WHERE pad = ? ORDER BY rev`, pad)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: snapshots of pad %q: %w", pad, err)
	}
	defer rows.Close()
	var snaps []collab.Snapshot
	for rows.Next() {
		snap, err := scanSnapshot(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlitestore: snapshots of pad %q: %w", pad, err)
		}
		snaps = append(snaps, snap)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: snapshots of pad %q: %w", pad, err)
	}
	return snaps, nil
}

// snapshotAt reads the latest snapshot of pad with Rev <= rev, or the empty
// snapshot if there is none.
func snapshotAt(ctx context.Context, q querier, pad string, rev int) (collab.Snapshot, error) {
	snap, err := scanSnapshot(q.QueryRowContext(ctx,
		`SELECT rev, text, COALESCE(sum, 0), attribution FROM snapshots WHERE pad = ? AND rev <= ? ORDER BY rev DESC LIMIT 1`,
		pad, rev))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return collab.Snapshot{}, err
	}
	return snap, nil
}

// scanSnapshot reads a row of rev, text, sum and attribution.
func scanSnapshot(row interface{ Scan(...any) error }) (collab.Snapshot, error) {
	var (
		snap collab.Snapshot
		attr sql.NullString
	)
	if err := row.Scan(&snap.Rev, &snap.Text, &snap.Sum, &attr); err != nil {
		return collab.Snapshot{}, err
	}
	if attr.Valid {
		runs, err := collab.UnmarshalRuns(attr.String)
		if err != nil {
			return collab.Snapshot{}, err
		}
		snap.Attribution = runs
	}
	return snap, nil
}

// storedRuns is the value of a column of runs (snapshots.attribution,
// ops.runs) for runs: NULL for none.
func storedRuns(runs []collab.Run) sql.NullString {
	if runs == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: collab.MarshalRuns(runs), Valid: true}
}

// records reads the records of pad with from < Rev <= to (no upper bound if
// to < 0) in revision order.
func records(ctx context.Context, q querier, pad string, from, to int) ([]collab.Record, error) {
	if to < 0 {
		to = math.MaxInt64
	}
	rows, err := q.QueryContext(ctx,
		`SELECT rev, client, author, seq, time, op, runs FROM ops WHERE pad = ? AND rev > ? AND rev <= ? ORDER BY rev`,
		pad, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var recs []collab.Record
	for rows.Next() {
		var (
			rec    collab.Record
			millis int64
			op     []byte
			runs   sql.NullString
		)
		if err := rows.Scan(&rec.Rev, &rec.Client, &rec.Author, &rec.Seq, &millis, &op, &runs); err != nil {
			return nil, err
		}
		if runs.Valid {
			if rec.Runs, err = collab.UnmarshalRuns(runs.String); err != nil {
				return nil, fmt.Errorf("revision %d: %w", rec.Rev, err)
			}
		}
		rec.Time = time.UnixMilli(millis).UTC()
		if rec.Op, err = collab.ParseOp(op); err != nil {
			return nil, fmt.Errorf("revision %d: stored op: %w", rec.Rev, err)
		}
		recs = append(recs, rec)
	}
	return recs, rows.Err()
}
