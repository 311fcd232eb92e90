package collab

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"slices"
	"time"
	"unicode/utf8"
	"unsafe"
)

// Record is one committed operation in a pad's linear history.
type Record struct {
	// Rev is the revision this op produced: the document after Rev ops.
	Rev int
	// Op is the operation as committed (already transformed to apply at
	// revision Rev-1).
	Op Op
	// Client is the public id (protocol.PublicID) of the client, one page
	// load, that sent the op.
	Client string
	// Author is the public id of the op's author. A Log stores a record
	// appended with an empty Author, and records stored before authors were
	// kept, with their Client as Author.
	Author string
	// Runs, if not nil, say who wrote the characters the op inserts, in
	// the order it inserts them, instead of Author: an import that keeps
	// each character's author. Their lengths add up to the code points the
	// op inserts (CheckRuns); Runs is nil or not empty. Author is still
	// who committed the op.
	Runs []Run
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
	// Sum is TextSum(Text) where the engine saved the snapshot (it saves
	// only texts that are valid UTF-8), kept by the Log beside the text:
	// a read checks the text against it, many times faster than checking
	// its UTF-8, and so also finds a text changed in any other way since.
	// 0 means none: the snapshot was saved without one, and a read checks
	// the text's UTF-8 instead.
	Sum uint32
	// Attribution says who wrote each character of Text (see Attribution;
	// its runs cover Text exactly). Nil means the snapshot was stored
	// without it (before attribution was kept): the engine then rebuilds
	// it by replaying the pad's records from revision 0.
	Attribution []Run
}

// TextSum returns the checksum of text that a Snapshot carries (Sum):
// its CRC-32 (IEEE), which the CPU computes several bytes a cycle.
func TextSum(text string) uint32 {
	return crc32.ChecksumIEEE(unsafe.Slice(unsafe.StringData(text), len(text)))
}

// CheckpointEvery is the distance between checkpoints: the engine saves a
// snapshot at every revision that is a multiple of it, and a Log keeps
// those snapshots for good, so that reading any revision of a pad replays
// fewer than CheckpointEvery records. Etherpad keeps its key revisions
// at the same distance.
const CheckpointEvery = 100

// IsCheckpoint reports whether a snapshot at rev is a checkpoint, which a
// Log never drops.
func IsCheckpoint(rev int) bool {
	return rev > 0 && rev%CheckpointEvery == 0
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

// ReplayText returns the text of the document that snap becomes with recs,
// the records after it in revision order: Replay's text, found faster for
// a long text and a few records by composing their ops into one and
// applying that in one pass over the text.
func ReplayText(snap Snapshot, recs []Record) (string, error) {
	if !utf8.ValidString(snap.Text) {
		return "", errors.New("collab: replay: the snapshot's text is not valid UTF-8")
	}
	return replayValidText(snap, recordOps(recs))
}

// recordOps returns the ops of recs, in order.
func recordOps(recs []Record) []Op {
	ops := make([]Op, len(recs))
	for i, r := range recs {
		ops[i] = r.Op
	}
	return ops
}

// replayValidText is ReplayText for a snapshot whose text is known to be
// valid UTF-8 and the ops of the revisions after it, in order.
func replayValidText(snap Snapshot, ops []Op) (string, error) {
	b, err := appendReplayed(nil, snap, ops)
	return bytesString(b), err
}

// appendReplayed appends the text that snap, whose text is known to be
// valid UTF-8, becomes with ops, those of the revisions after it in
// order, to dst; it fails returning dst as it was.
func appendReplayed(dst []byte, snap Snapshot, ops []Op) ([]byte, error) {
	all, err := composeAll(ops, snap.Rev+1)
	if err != nil {
		return dst, err
	}
	b, err := appendApplied(dst, snap.Text, all)
	if err != nil {
		return dst, fmt.Errorf("revisions %d to %d: %w", snap.Rev+1, snap.Rev+len(ops), err)
	}
	return b, nil
}

// LoadIntact is log.Load, except that a snapshot whose text fails its
// check (its Sum, or its UTF-8 where it has none: the text is not the one
// saved) is taken for a lost one, which costs replay time: it returns the
// newest snapshot that passes the check and every record after it up to
// the head. Revision 0 is the empty pad, whatever the log holds there.
// The engine loads pads with it, and so does whatever else builds a pad's
// text from the log.
func LoadIntact(ctx context.Context, log Log, pad string) (Snapshot, []Record, error) {
	snap, recs, err := log.Load(ctx, pad)
	if err != nil {
		return Snapshot{}, nil, err
	}
	top := snap.Rev // the records from top on are in recs
	for snap.Rev > 0 && snap.checkText() != nil {
		below := snap.Rev
		if snap, err = log.SnapshotAt(ctx, pad, below-1); err != nil {
			return Snapshot{}, nil, err
		}
		if snap.Rev >= below {
			return Snapshot{}, nil, fmt.Errorf("collab: the log gave a snapshot at revision %d for one below %d", snap.Rev, below)
		}
	}
	if snap.Rev <= 0 {
		snap = Snapshot{}
	}
	if snap.Rev < top {
		before, err := log.Records(ctx, pad, snap.Rev, top)
		if err != nil {
			return Snapshot{}, nil, err
		}
		if err := recordsFit(snap.Rev, top, len(before)); err != nil {
			return Snapshot{}, nil, err
		}
		recs = append(before, recs...)
	}
	return snap, recs, nil
}

// composeAll composes ops, those of revisions first, first+1, ... in
// order, into one op with the effect of them all; an invalid op fails with
// its revision. It checks each op once, then composes neighbours in
// pairs, then the results in pairs, and so on (composing is associative),
// so that each part and each byte of text is copied about
// log2(len(ops)) times; composed one after another, the growing result
// would be copied once per op.
func composeAll(ops []Op, first int) (Op, error) {
	for i := range ops {
		if err := ops[i].validate(false); err != nil {
			return Op{}, fmt.Errorf("revision %d: %w", first+i, err)
		}
	}
	var buf [64]Op
	level := append(buf[:0], ops...)
	for width := 1; len(level) > 1; width *= 2 {
		n := 0
		for i := 0; i < len(level); i += 2 {
			if i+1 < len(level) {
				var err error
				if level[i], err = composeValid(level[i], level[i+1]); err != nil {
					from := first + i*width
					return Op{}, fmt.Errorf("revisions %d to %d: %w", from, min(from+2*width, first+len(ops))-1, err)
				}
			}
			level[n] = level[i]
			n++
		}
		level = level[:n]
	}
	if len(level) == 0 {
		return Op{}, nil
	}
	return level[0], nil
}

// ErrConflict is returned by Log.Append when the pad's head is no longer the
// revision the caller expected: another writer appended first.
var ErrConflict = errors.New("collab: pad head has moved")

// ErrReadOnly is returned by Log.Append when the pad is read-only (its
// session is archived): the store checks this in the same atomic step as
// the head, so no copy of the session's state anywhere else can let an op
// into a read-only pad.
var ErrReadOnly = errors.New("collab: pad is read-only")

// Log is the durable history of every pad: ops indexed by revision plus
// occasional snapshots. The pad engine is its only writer on a replica.
// A pad that was never written has head 0 and the empty text.
// Implementations live in store/ (store/memstore keeps it in memory, for
// tests and examples); the same conformance suite, store/storetest.TestLog,
// runs against each of them.
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
	// ErrConflict and stores nothing. If the pad is read-only (a store that
	// also holds the conference catalog refuses appends to the pad of an
	// archived session) it returns ErrReadOnly and stores nothing; the
	// conflict check comes first. When it returns nil the records are
	// durable (and, in cluster mode, published to every replica).
	Append(ctx context.Context, pad string, head int, recs []Record) error
	// SaveSnapshot stores a snapshot. Snapshots only speed up loading and
	// reading old revisions; a lost one costs replay time, never data. A
	// Log may drop old snapshots, but never a checkpoint (IsCheckpoint).
	// It refuses a snapshot ahead of the pad's head: one written in the
	// background for a pad deleted meanwhile must not outlive it.
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

// RevisionReader is implemented by Logs that can read what an old
// revision's text needs in one step, faster than SnapshotAt and Records in
// turn. The engine uses it, where the Log has it, to read old revisions
// (keeping the texts of the checkpoints it read last), and to read those
// of a pad it has not loaded without loading it.
type RevisionReader interface {
	// ReadRevision returns the pad's head, the latest snapshot with
	// Rev <= rev (the empty snapshot at revision 0 if there is none) and
	// the ops of the records after it up to rev in revision order (all a
	// text needs), all read so that they fit together. It returns fewer
	// ops only if the head is below rev.
	//
	// have is the revision of a snapshot whose text the caller holds (0:
	// none): if the latest snapshot at or below rev is at have, its Text
	// is left empty.
	ReadRevision(ctx context.Context, pad string, rev, have int) (head int, snap Snapshot, ops []Op, err error)
}

// Feed tells a replica about records that other replicas committed. It is a
// hint: the Log is the truth, and a pad that sees a gap reads the log.
// Implementations live in store/ and pass the conformance suite
// store/storetest.TestFeed.
type Feed interface {
	// Subscribe calls fn with records of pad as they are published, in
	// publish order (which is revision order). fn(nil) means messages may
	// have been lost (for example after a reconnect) and the subscriber
	// should read the log. fn must not block. The returned function cancels
	// the subscription.
	Subscribe(pad string, fn func(recs []Record)) (cancel func())
}

// Equal reports whether s and o are the same snapshot: same revision,
// text, sum and attribution (a nil attribution, none stored, differs from
// an empty one).
func (s Snapshot) Equal(o Snapshot) bool {
	return s.Rev == o.Rev && s.Text == o.Text && s.Sum == o.Sum && (s.Attribution == nil) == (o.Attribution == nil) && slices.Equal(s.Attribution, o.Attribution)
}

// readRecords reads the records with from < Rev <= to of pad, every one of
// them, or fails with a CodeUnavailable error.
func readRecords(ctx context.Context, log Log, pad string, from, to int) ([]Record, error) {
	recs, err := log.Records(ctx, pad, from, to)
	if err != nil {
		return nil, unavailable(err)
	}
	if err := recordsFit(from, to, len(recs)); err != nil {
		return nil, err
	}
	return recs, nil
}

// recordsFit checks that the log returned n records for from < Rev <= to:
// a CodeUnavailable error if not.
func recordsFit(from, to, n int) error {
	if n != to-from {
		return errorf(CodeUnavailable, "log returned %d records after revision %d, want %d", n, from, to-from)
	}
	return nil
}
