package storetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confpad/confpad/collab"
)

// TestLog runs the collab.Log conformance suite. newLog is called once per
// subtest; it may return a fresh Log or the same one each time (subtests use
// pad ids of their own), and it should register any cleanup with t.Cleanup.
func TestLog(t *testing.T, newLog func(t *testing.T) collab.Log) {
	tests := []struct {
		name string
		run  func(t *testing.T, log collab.Log)
	}{
		{"EmptyPad", testEmptyPad},
		{"AppendNumbersFromHead", testAppendNumbersFromHead},
		{"AppendConflict", testAppendConflict},
		{"AppendCancelled", testAppendCancelled},
		{"ConcurrentAppendersOneWins", testConcurrentAppenders},
		{"Records", testRecordsRanges},
		{"Load", testLoad},
		{"SnapshotAt", testSnapshotAt},
		{"SnapshotSumAndAttribution", testSnapshotSumAndAttribution},
		{"CheckpointsKept", testCheckpointsKept},
		{"RoundTrip", testRoundTrip},
		{"PadsIndependent", testPadsIndependent},
		{"AstralText", testAstralText},
		{"HistoryBytes", testHistoryBytes},
		{"DamagedSnapshots", testDamagedSnapshots},
		{"SnapshotAheadRefused", testSnapshotAheadRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, newLog(t))
		})
	}
}

// head returns the pad's head revision as Records reports it.
func head(t *testing.T, log collab.Log, pad string) int {
	t.Helper()
	recs, err := log.Records(t.Context(), pad, 0, -1)
	if err != nil {
		t.Fatalf("Records(%q, 0, -1): %v", pad, err)
	}
	if len(recs) == 0 {
		return 0
	}
	return recs[len(recs)-1].Rev
}

// mustAppend appends recs at head and fails t on error.
func mustAppend(t *testing.T, log collab.Log, pad string, head int, recs []collab.Record) {
	t.Helper()
	if err := log.Append(t.Context(), pad, head, recs); err != nil {
		t.Fatalf("Append(%q, head %d, %d records): %v", pad, head, len(recs), err)
	}
}

// mustSnapshot saves s and fails t on error.
func mustSnapshot(t *testing.T, log collab.Log, pad string, s collab.Snapshot) {
	t.Helper()
	if err := log.SaveSnapshot(t.Context(), pad, s); err != nil {
		t.Fatalf("SaveSnapshot(%q, rev %d): %v", pad, s.Rev, err)
	}
}

// checkLoad fails t unless Load returns the snapshot want and the records
// wantRecs.
func checkLoad(t *testing.T, log collab.Log, pad string, want collab.Snapshot, wantRecs []collab.Record) {
	t.Helper()
	snap, recs, err := log.Load(t.Context(), pad)
	if err != nil {
		t.Fatalf("Load(%q): %v", pad, err)
	}
	if !snap.Equal(want) {
		t.Errorf("Load(%q) snapshot = %+v, want %+v", pad, snap, want)
	}
	checkRecords(t, "Load records", recs, wantRecs)
}

func testEmptyPad(t *testing.T, log collab.Log) {
	pad := uniqueID(t, "pad")
	checkLoad(t, log, pad, collab.Snapshot{}, nil)
	for _, rev := range []int{0, 1, 100} {
		s, err := log.SnapshotAt(t.Context(), pad, rev)
		if err != nil {
			t.Fatalf("SnapshotAt(%d): %v", rev, err)
		}
		if !s.Equal(collab.Snapshot{}) {
			t.Errorf("SnapshotAt(%d) on an empty pad = %+v, want revision 0 and no text", rev, s)
		}
	}
	recs, err := log.Records(t.Context(), pad, 0, -1)
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	if len(recs) != 0 {
		t.Errorf("Records on an empty pad = %v, want none", revs(recs))
	}
}

func testAppendNumbersFromHead(t *testing.T, log collab.Log) {
	pad := uniqueID(t, "pad")
	all := inserts(0, 6, "client-a")
	mustAppend(t, log, pad, 0, all[:1])
	mustAppend(t, log, pad, 1, all[1:4])
	mustAppend(t, log, pad, 4, all[4:])
	if got := head(t, log, pad); got != 6 {
		t.Fatalf("head after appending 6 records = %d", got)
	}
	got, err := log.Records(t.Context(), pad, 0, -1)
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	checkRecords(t, "Records after three appends", got, all)
}

func testAppendConflict(t *testing.T, log collab.Log) {
	tests := []struct {
		name     string
		existing int // records stored before the append
		head     int // head the append expects
	}{
		{"EmptyPadExpectsOne", 0, 1},
		{"HeadBehind", 3, 2},
		{"HeadZeroOnWrittenPad", 3, 0},
		{"HeadAhead", 3, 4},
		{"NegativeHead", 0, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pad := uniqueID(t, "pad")
			before := inserts(0, tt.existing, "client-a")
			if tt.existing > 0 {
				mustAppend(t, log, pad, 0, before)
			}
			err := log.Append(t.Context(), pad, tt.head, inserts(tt.head, 2, "client-b"))
			if !errors.Is(err, collab.ErrConflict) {
				t.Fatalf("Append at head %d with head %d: err = %v, want ErrConflict", tt.head, tt.existing, err)
			}
			got, err := log.Records(t.Context(), pad, 0, -1)
			if err != nil {
				t.Fatalf("Records: %v", err)
			}
			checkRecords(t, "Records after a conflict", got, before)
			// The pad still takes appends at its real head.
			mustAppend(t, log, pad, tt.existing, inserts(tt.existing, 1, "client-c"))
		})
	}
}

func testAppendCancelled(t *testing.T, log collab.Log) {
	pad := uniqueID(t, "pad")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := log.Append(ctx, pad, 0, inserts(0, 1, "client-a")); err == nil {
		t.Fatal("Append with a cancelled context succeeded")
	}
	if got := head(t, log, pad); got != 0 {
		t.Fatalf("head after a cancelled Append = %d, want 0", got)
	}
}

func testConcurrentAppenders(t *testing.T, log collab.Log) {
	const writers, rounds = 8, 5
	pad := uniqueID(t, "pad")
	var want []collab.Record
	for round := range rounds {
		h := len(want)
		start := make(chan struct{})
		errs := make([]error, writers)
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				<-start
				errs[w] = log.Append(t.Context(), pad, h, inserts(h, 2, fmt.Sprintf("writer-%d", w)))
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for w, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Fatalf("round %d: writers %d and %d both appended at head %d", round, winner, w, h)
			case err == nil:
				winner = w
			case !errors.Is(err, collab.ErrConflict):
				t.Fatalf("round %d: writer %d: %v", round, w, err)
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: no writer appended at head %d", round, h)
		}
		want = append(want, inserts(h, 2, fmt.Sprintf("writer-%d", winner))...)
	}
	got, err := log.Records(t.Context(), pad, 0, -1)
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	checkRecords(t, "Records after concurrent appends", got, want)
}

func testRecordsRanges(t *testing.T, log collab.Log) {
	pad := uniqueID(t, "pad")
	all := inserts(0, 5, "client-a")
	mustAppend(t, log, pad, 0, all)
	tests := []struct {
		from, to int
		want     []collab.Record
	}{
		{0, -1, all},
		{0, 5, all},
		{0, 3, all[:3]},
		{2, 4, all[2:4]},
		{2, -1, all[2:]},
		{3, 100, all[3:]},
		{4, 4, nil},
		{5, -1, nil},
		{7, -1, nil},
		{7, 9, nil},
		{3, 2, nil},
	}
	for _, tt := range tests {
		got, err := log.Records(t.Context(), pad, tt.from, tt.to)
		if err != nil {
			t.Fatalf("Records(%d, %d): %v", tt.from, tt.to, err)
		}
		checkRecords(t, fmt.Sprintf("Records(%d, %d)", tt.from, tt.to), got, tt.want)
	}
}

func testLoad(t *testing.T, log collab.Log) {
	pad := uniqueID(t, "pad")
	all := inserts(0, 5, "client-a")
	mustAppend(t, log, pad, 0, all)
	checkLoad(t, log, pad, collab.Snapshot{}, all)

	mustSnapshot(t, log, pad, collab.Snapshot{Rev: 2, Text: "ba"})
	checkLoad(t, log, pad, collab.Snapshot{Rev: 2, Text: "ba"}, all[2:])

	// The latest snapshot wins even when it is saved before an older one.
	mustSnapshot(t, log, pad, collab.Snapshot{Rev: 4, Text: "dcba"})
	mustSnapshot(t, log, pad, collab.Snapshot{Rev: 3, Text: "cba"})
	checkLoad(t, log, pad, collab.Snapshot{Rev: 4, Text: "dcba"}, all[4:])

	// A snapshot at the head leaves nothing to replay; later appends follow it.
	mustSnapshot(t, log, pad, collab.Snapshot{Rev: 5, Text: "edcba"})
	checkLoad(t, log, pad, collab.Snapshot{Rev: 5, Text: "edcba"}, nil)
	more := inserts(5, 2, "client-b")
	mustAppend(t, log, pad, 5, more)
	checkLoad(t, log, pad, collab.Snapshot{Rev: 5, Text: "edcba"}, more)
}

// testSnapshotSumAndAttribution checks that a snapshot's sum and
// attribution come back as saved, that none saved stays none (0, nil) and
// an empty attribution empty, and that saving again at a revision
// replaces them.
func testSnapshotSumAndAttribution(t *testing.T, log collab.Log) {
	pad := uniqueID(t, "pad")
	all := inserts(0, 4, "client-a")
	mustAppend(t, log, pad, 0, all)
	snaps := []collab.Snapshot{
		{Rev: 1, Text: "a", Sum: math.MaxUint32},
		{Rev: 2, Text: "", Attribution: []collab.Run{}},
		{Rev: 3, Text: "cba", Sum: collab.TextSum("cba"), Attribution: []collab.Run{{Author: "ann", Len: 1}, {Author: "bö", Len: 2}}},
	}
	for _, s := range snaps {
		mustSnapshot(t, log, pad, s)
	}
	for _, want := range snaps {
		got, err := log.SnapshotAt(t.Context(), pad, want.Rev)
		if err != nil {
			t.Fatalf("SnapshotAt(%d): %v", want.Rev, err)
		}
		if !got.Equal(want) {
			t.Errorf("SnapshotAt(%d) = %+v, want %+v", want.Rev, got, want)
		}
	}
	replaced := collab.Snapshot{Rev: 3, Text: "cba"}
	mustSnapshot(t, log, pad, replaced)
	checkLoad(t, log, pad, replaced, all[3:])
}

func testSnapshotAt(t *testing.T, log collab.Log) {
	pad := uniqueID(t, "pad")
	mustAppend(t, log, pad, 0, inserts(0, 6, "client-a"))
	mustSnapshot(t, log, pad, collab.Snapshot{Rev: 4, Text: "dcba"})
	mustSnapshot(t, log, pad, collab.Snapshot{Rev: 2, Text: "ba"})
	tests := []struct {
		rev  int
		want collab.Snapshot
	}{
		{0, collab.Snapshot{}},
		{1, collab.Snapshot{}},
		{2, collab.Snapshot{Rev: 2, Text: "ba"}},
		{3, collab.Snapshot{Rev: 2, Text: "ba"}},
		{4, collab.Snapshot{Rev: 4, Text: "dcba"}},
		{6, collab.Snapshot{Rev: 4, Text: "dcba"}},
		{1000, collab.Snapshot{Rev: 4, Text: "dcba"}},
	}
	for _, tt := range tests {
		got, err := log.SnapshotAt(t.Context(), pad, tt.rev)
		if err != nil {
			t.Fatalf("SnapshotAt(%d): %v", tt.rev, err)
		}
		if !got.Equal(tt.want) {
			t.Errorf("SnapshotAt(%d) = %+v, want %+v", tt.rev, got, tt.want)
		}
	}
}

func testRoundTrip(t *testing.T, log collab.Log) {
	pad := uniqueID(t, "pad")
	recs := []collab.Record{
		{Rev: 1, Op: collab.NewOp(collab.Insert("Hello, wörld 😀")), Client: "0b7e4c2e-6f0a-4d47-9d1a-3c1f0e1c2b3a", Author: "a-7f3e", Seq: 1, Time: baseTime},
		{Rev: 2, Op: collab.NewOp(collab.Skip(7), collab.Delete(5), collab.Insert("plumbers")), Client: "c2", Author: "a-7f3e", Seq: 1 << 40, Time: baseTime.Add(999 * time.Microsecond),
			Runs: []collab.Run{{Author: "ep-1", Len: 3}, {Author: "import", Len: 2}, {Author: "ep-1", Len: 3}}},
		{Rev: 3, Op: collab.NewOp(collab.Skip(1), collab.DeleteText("ell"), collab.Insert("\"q\"\\\n\t")), Client: "ünïcode client 🚀", Author: "ünïcode author 🚀", Seq: 0, Time: baseTime.Add(time.Hour).UTC()},
		{Rev: 4, Op: collab.NewOp(collab.DeleteText("H")), Client: "", Seq: 7, Time: time.Date(2038, time.January, 19, 3, 14, 8, 0, time.UTC)},
		{Rev: 5, Op: collab.NewOp(collab.Skip(2), collab.Insert("𝄞"), collab.Skip(3), collab.DeleteText("😀x")), Client: "c5", Seq: 2, Time: baseTime.Add(-24 * time.Hour * 365 * 10),
			Runs: []collab.Run{{Author: "ep-2", Len: 1}}},
	}
	mustAppend(t, log, pad, 0, recs[:2])
	mustAppend(t, log, pad, 2, recs[2:])
	got, err := log.Records(t.Context(), pad, 0, -1)
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	checkRecords(t, "Records", got, recs)
	checkLoad(t, log, pad, collab.Snapshot{}, recs)
}

func testPadsIndependent(t *testing.T, log collab.Log) {
	a, b := uniqueID(t, "a"), uniqueID(t, "b")
	recsA := inserts(0, 3, "client-a")
	mustAppend(t, log, a, 0, recsA)
	// b is still empty: its head is 0, not a's head.
	if err := log.Append(t.Context(), b, 3, inserts(3, 1, "client-b")); !errors.Is(err, collab.ErrConflict) {
		t.Fatalf("Append to b at a's head: err = %v, want ErrConflict", err)
	}
	recsB := inserts(0, 1, "client-b")
	mustAppend(t, log, b, 0, recsB)
	mustSnapshot(t, log, a, collab.Snapshot{Rev: 3, Text: "cba"})

	checkLoad(t, log, a, collab.Snapshot{Rev: 3, Text: "cba"}, nil)
	checkLoad(t, log, b, collab.Snapshot{}, recsB)
	s, err := log.SnapshotAt(t.Context(), b, 3)
	if err != nil {
		t.Fatalf("SnapshotAt(b, 3): %v", err)
	}
	if !s.Equal(collab.Snapshot{}) {
		t.Errorf("SnapshotAt(b, 3) = %+v: a's snapshot leaked into b", s)
	}
	got, err := log.Records(t.Context(), a, 0, -1)
	if err != nil {
		t.Fatalf("Records(a): %v", err)
	}
	checkRecords(t, "Records(a)", got, recsA)
}

func testAstralText(t *testing.T, log collab.Log) {
	pad := uniqueID(t, "pad-𝄞")
	texts := []string{
		"😀",
		"a😀b𝄞c",
		"👩‍👩‍👧 family, 🇩🇪 flag, e\u0301 combining",
		"nul \x00 inside, \u2028 line separator, \ufeff bom",
		"𐍈𐌰𐌹𐍃 gothic and 🀄 mahjong",
	}
	recs := make([]collab.Record, len(texts))
	for i, text := range texts {
		recs[i] = collab.Record{Rev: i + 1, Op: collab.NewOp(collab.Insert(text)), Client: "astral-" + text, Seq: i, Time: baseTime}
	}
	mustAppend(t, log, pad, 0, recs)
	for i, text := range texts {
		mustSnapshot(t, log, pad, collab.Snapshot{Rev: i + 1, Text: text})
		got, err := log.SnapshotAt(t.Context(), pad, i+1)
		if err != nil {
			t.Fatalf("SnapshotAt(%d): %v", i+1, err)
		}
		if got.Text != text {
			t.Errorf("snapshot text = %q, want %q", got.Text, text)
		}
	}
	got, err := log.Records(t.Context(), pad, 0, -1)
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	checkRecords(t, "Records with astral text", got, recs)
}

// testCheckpointsKept saves two checkpoints and then more other snapshots
// than a store keeps: the checkpoints stay, and so does the newest.
func testCheckpointsKept(t *testing.T, log collab.Log) {
	pad := uniqueID(t, "pad")
	const k = collab.CheckpointEvery
	n := 2*k + 20
	mustAppend(t, log, pad, 0, inserts(0, n, "c"))
	checkpoints := []collab.Snapshot{{Rev: k, Text: "first checkpoint"}, {Rev: 2 * k, Text: "second checkpoint"}}
	for _, c := range checkpoints {
		mustSnapshot(t, log, pad, c)
	}
	for rev := 2*k + 1; rev <= n; rev++ {
		mustSnapshot(t, log, pad, collab.Snapshot{Rev: rev, Text: fmt.Sprint("snapshot ", rev)})
	}
	tests := []struct {
		rev  int
		want collab.Snapshot
	}{
		{k - 1, collab.Snapshot{}},
		{k, checkpoints[0]},
		{2*k - 1, checkpoints[0]},
		{2 * k, checkpoints[1]},
		{n, collab.Snapshot{Rev: n, Text: fmt.Sprint("snapshot ", n)}},
	}
	for _, tt := range tests {
		got, err := log.SnapshotAt(t.Context(), pad, tt.rev)
		if err != nil {
			t.Fatalf("SnapshotAt(%d): %v", tt.rev, err)
		}
		if !got.Equal(tt.want) {
			t.Errorf("SnapshotAt(%d) = %+v, want %+v", tt.rev, got, tt.want)
		}
	}
}

// testHistoryBytes: a Log that is a collab.HistorySizer reports 0 for a
// new pad and, after appends, about the Size of the records appended.
func testHistoryBytes(t *testing.T, log collab.Log) {
	sizer, ok := log.(collab.HistorySizer)
	if !ok {
		t.Skip("not a collab.HistorySizer")
	}
	pad := uniqueID(t, "pad")
	if n, err := sizer.HistoryBytes(t.Context(), pad); n != 0 || err != nil {
		t.Fatalf("HistoryBytes of a new pad = %d, %v; want 0", n, err)
	}
	recs := []collab.Record{
		{Op: collab.NewOp(collab.Insert(strings.Repeat("é", 5000))), Client: "c1", Seq: 1},
		{Op: collab.NewOp(collab.Skip(10), collab.Insert("x")), Client: "c2", Seq: 1},
	}
	mustAppend(t, log, pad, 0, recs)
	want := 0
	for _, r := range recs {
		want += collab.Size(r)
	}
	n, err := sizer.HistoryBytes(t.Context(), pad)
	if err != nil {
		t.Fatal(err)
	}
	// The stored form differs by its encoding (quotes, brackets, counts,
	// time against collab.Size's count of parts): by at most 100 bytes per
	// record.
	if n < int64(want-100*len(recs)) || n > int64(want+100*len(recs)) {
		t.Errorf("HistoryBytes = %d, want about %d", n, want)
	}
}

// testDamagedSnapshots checks, through an engine, snapshots whose text is
// not the one saved: one that differs from its sum and one saved without a
// sum that is not valid UTF-8. A read of a revision after a damaged
// checkpoint (100 and 200, below the newest snapshot) is refused with
// CodeUnavailable, whether the pad is loaded or not, and the others are
// read as before; loading a pad whose newest snapshot (300) is damaged
// too takes them for lost (collab.LoadIntact): its text is its records',
// and the checkpoints that the replay passes are saved again, with the
// records' text and its sum, after which every revision reads.
func testDamagedSnapshots(t *testing.T, log collab.Log) {
	pad := uniqueID(t, "pad")
	BuildLongPad(t, log, pad, 300)
	truth := textsFromRecords(t, log, pad, 1, 300) // truth[i] is revision i+1's
	spoil := func(rev int, how func(*collab.Snapshot)) {
		snap := snapshotAt(t, log, pad, rev)
		if snap.Sum != collab.TextSum(snap.Text) {
			t.Fatalf("the checkpoint at %d has sum %d, not its text's", rev, snap.Sum)
		}
		how(&snap)
		mustSnapshot(t, log, pad, snap)
	}
	changed := func(s *collab.Snapshot) { s.Text = strings.Replace(s.Text, "e", "E", 1) }
	unchecked := func(s *collab.Snapshot) { s.Text, s.Sum = s.Text+"\xff", 0 }
	read := func(t *testing.T, e *collab.Engine, revs ...int) {
		t.Helper()
		for _, rev := range revs {
			if got, _, err := e.Text(t.Context(), pad, rev); err != nil || got != truth[rev-1] {
				t.Errorf("Text(%d) = %d bytes, %v; want its records' %d bytes", rev, len(got), err, len(truth[rev-1]))
			}
		}
	}
	refused := func(t *testing.T, e *collab.Engine, revs ...int) {
		t.Helper()
		for _, rev := range revs {
			var cerr *collab.Error
			if _, _, err := e.Text(t.Context(), pad, rev); !errors.As(err, &cerr) || cerr.Code != collab.CodeUnavailable {
				t.Errorf("Text(%d) after a damaged checkpoint: %v, want unavailable", rev, err)
			}
		}
	}
	load := func(t *testing.T, e *collab.Engine) {
		t.Helper()
		if head, err := e.Head(t.Context(), pad); err != nil || head != 300 {
			t.Fatalf("loading the pad: head %d, %v", head, err)
		}
	}
	t.Run("checkpoints below the newest", func(t *testing.T) {
		spoil(100, changed)
		spoil(200, unchecked)
		e := collab.NewEngine(collab.Config{Log: log})
		defer e.Close()
		refused(t, e, 150, 250) // not loaded, on a Log that reads revisions without the pad
		read(t, e, 97, 300)
		load(t, e)
		refused(t, e, 194, 291)
		read(t, e, 97, 300)
	})
	t.Run("the newest too", func(t *testing.T) {
		spoil(300, changed)
		e := collab.NewEngine(collab.Config{Log: log})
		if _, ok := log.(collab.RevisionReader); ok {
			refused(t, e, 300) // read without loading the pad
		}
		load(t, e)
		read(t, e, 300)
		e.Close() // waits for the snapshots it saves
		for _, rev := range []int{100, 200, 300} {
			if snap := snapshotAt(t, log, pad, rev); snap.Text != truth[rev-1] || snap.Sum != collab.TextSum(snap.Text) {
				t.Errorf("the checkpoint at %d: %d bytes, sum %d; want its records' text and its sum", rev, len(snap.Text), snap.Sum)
			}
		}
		e = collab.NewEngine(collab.Config{Log: log})
		defer e.Close()
		read(t, e, 150, 194, 250, 291)
	})
}

// snapshotAt returns the snapshot of pad at rev, which must be stored.
func snapshotAt(t *testing.T, log collab.Log, pad string, rev int) collab.Snapshot {
	t.Helper()
	snap, err := log.SnapshotAt(t.Context(), pad, rev)
	if err != nil || snap.Rev != rev {
		t.Fatalf("SnapshotAt(%d) = revision %d, %v", rev, snap.Rev, err)
	}
	return snap
}

// testSnapshotAheadRefused checks that a snapshot ahead of the pad's head,
// or of a pad without records (deleted, or never written), is refused
// and not stored, and that one at the head is taken.
func testSnapshotAheadRefused(t *testing.T, log collab.Log) {
	pad, empty := uniqueID(t, "pad"), uniqueID(t, "empty")
	mustAppend(t, log, pad, 0, inserts(0, 3, "client-a"))
	for _, tc := range []struct {
		pad string
		rev int
	}{{pad, 4}, {pad, 100}, {empty, 1}} {
		if err := log.SaveSnapshot(t.Context(), tc.pad, collab.Snapshot{Rev: tc.rev, Text: "ahead"}); err == nil {
			t.Errorf("SaveSnapshot(%q, rev %d) ahead of the head succeeded", tc.pad, tc.rev)
		}
		if s, err := log.SnapshotAt(t.Context(), tc.pad, 1000); err != nil || s.Rev != 0 {
			t.Errorf("SnapshotAt(%q) after a refused save = revision %d, %v; want none", tc.pad, s.Rev, err)
		}
	}
	mustSnapshot(t, log, pad, collab.Snapshot{Rev: 3, Text: "cba"})
}
