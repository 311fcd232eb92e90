package collab

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Record is one committed operation in a pad's linear history.
type Record struct {
	// Rev is the revision this op produced: the document after Rev ops.
	Rev int
	// Op is the operation as committed (already transformed to apply at
	// revision Rev-1).
	Op Op
	// Client is the public id of the author (protocol.PublicID).
	Client string
	// Seq is the author's sequence number; with Client it identifies a
	// submission, so that a resend is not applied twice.
	Seq int
	// Time is when the op was committed.
	Time time.Time
}

// Snapshot is the full text of a pad at a revision.
type Snapshot struct {
	// Rev is the revision the text belongs to (0: the empty pad).
	Rev int
	// Text is the whole document at Rev.
	Text string
}

// Replay returns the document that snap becomes with recs, the records
// after it in revision order, applied one by one.
func Replay(snap Snapshot, recs []Record) (*Doc, error) {
	doc := NewDoc(snap.Text)
	for _, r := range recs {
		if err := doc.Apply(r.Op); err != nil {
			return nil, fmt.Errorf("revision %d: %w", r.Rev, err)
		}
	}
	return doc, nil
}

// ErrConflict is returned by Log.Append when the pad's head is no longer the
// revision the caller expected: another writer appended first.
var ErrConflict = errors.New("collab: pad head has moved")

// Log is the durable history of every pad: ops indexed by revision plus
// occasional snapshots. The pad engine is its only writer on a replica.
// A pad that was never written has head 0 and the empty text.
// Implementations live in store/; the same conformance suite runs against
// each of them.
type Log interface {
	// Load returns the pad's latest snapshot and every record after it, up
	// to the head, in revision order.
	Load(ctx context.Context, pad string) (Snapshot, []Record, error)
	// SnapshotAt returns the latest snapshot with Rev <= rev (the empty
	// snapshot at revision 0 if there is none).
	SnapshotAt(ctx context.Context, pad string, rev int) (Snapshot, error)
	// Records returns the records with from < Rev <= to in revision order;
	// to < 0 means up to the head. It returns fewer only if the head is
	// below to.
	Records(ctx context.Context, pad string, from, to int) ([]Record, error)
	// Append commits recs, numbered head+1, head+2, ..., in one atomic step,
	// but only if the pad's stored head is still head; otherwise it returns
	// ErrConflict and stores nothing. When it returns nil the records are
	// durable (and, in cluster mode, published to every replica).
	Append(ctx context.Context, pad string, head int, recs []Record) error
	// SaveSnapshot stores a snapshot. Snapshots only speed up loading; a
	// lost one costs replay time, never data.
	SaveSnapshot(ctx context.Context, pad string, s Snapshot) error
}

// HistorySizer is implemented by Logs that can tell how large a pad's
// stored history is without the caller reading it. The engine asks once,
// when it loads a pad, to hold the pad to Config.MaxHistoryBytes across
// restarts; with a Log that does not implement it, the engine counts from
// the load.
type HistorySizer interface {
	// HistoryBytes returns about the sum of Size of the pad's records
	// (the stored form may differ by a few bytes per record); 0 for a pad
	// never written.
	HistoryBytes(ctx context.Context, pad string) (int64, error)
}

// Feed tells a replica about records that other replicas committed. It is a
// hint: the Log is the truth, and a pad that sees a gap reads the log.
type Feed interface {
	// Subscribe calls fn with records of pad as they are published, in
	// publish order (which is revision order). fn(nil) means messages may
	// have been lost (for example after a reconnect) and the subscriber
	// should read the log. fn must not block. The returned function cancels
	// the subscription.
	Subscribe(pad string, fn func(recs []Record)) (cancel func())
}
