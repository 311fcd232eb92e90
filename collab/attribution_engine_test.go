package collab_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/confpad/confpad/collab"
)

// oracleAt returns the author of every character at revision rev, replayed
// character by character from the stored records by the oracle of the
// attribution tests, which shares no code with collab.Attribution.
func oracleAt(t *testing.T, log collab.Log, pad string, rev int) []string {
	t.Helper()
	recs, err := log.Records(context.Background(), pad, 0, rev)
	if err != nil {
		t.Fatal(err)
	}
	var authors []string
	for _, r := range recs {
		var ok bool
		if authors, ok = collab.OracleRecord(authors, r); !ok {
			t.Fatalf("revision %d does not fit the oracle's document", r.Rev)
		}
	}
	return authors
}

// expandRuns returns the author of every character runs cover.
func expandRuns(runs []collab.Run) []string {
	var out []string
	for _, r := range runs {
		for range r.Len {
			out = append(out, r.Author)
		}
	}
	return out
}

// checkAttribution fails t unless e's attribution of pad at rev (-1: the
// head) is the oracle's.
func checkAttribution(t *testing.T, e *testEngine, log collab.Log, pad string, rev int) {
	t.Helper()
	runs, head, err := e.Attribution(context.Background(), pad, rev)
	if err != nil {
		t.Fatalf("Attribution(%d): %v", rev, err)
	}
	if rev < 0 {
		rev = head
	}
	if got, want := expandRuns(runs), oracleAt(t, log, pad, rev); !slices.Equal(got, want) {
		t.Fatalf("attribution at revision %d differs from the oracle's replay of the stored ops:\n got %v\nwant %v", rev, runs, want)
	}
	for i := 1; i < len(runs); i++ {
		if runs[i-1].Author == runs[i].Author || runs[i].Len <= 0 {
			t.Fatalf("runs %v are not normal", runs)
		}
	}
}

// typeConcurrently has authors edit pad at once, each op made on the head
// its author last saw, so that the engine transforms most of them.
func typeConcurrently(t *testing.T, e *testEngine, pad string, authors []string, ops int) {
	t.Helper()
	var wg sync.WaitGroup
	for i, author := range authors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			for seq := range ops {
				txt, head, err := e.Text(context.Background(), pad, -1)
				if err != nil {
					t.Error(err)
					return
				}
				n := len([]rune(txt))
				pos := rng.IntN(n + 1)
				op := collab.NewOp(collab.Skip(pos), collab.Insert(fmt.Sprintf("%s%d ", author, seq)))
				if n > pos && rng.IntN(3) == 0 {
					op = collab.NewOp(collab.Skip(pos), collab.Delete(min(n-pos, 1+rng.IntN(4))))
				}
				s := collab.Submission{Client: author + "-tab", Seq: seq, Author: author, Base: head, Op: collab.Normalize(op)}
				if _, err := e.Submit(context.Background(), pad, s); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestAttributionUnderConcurrentAuthors checks the engine's attribution of
// a pad that four authors edit at once against an independent replay of the
// stored ops: at the head, at old revisions, after a restart, and after a
// restart from a snapshot stored without attribution (which is rebuilt from
// revision 0).
func TestAttributionUnderConcurrentAuthors(t *testing.T) {
	log := newTestLog()
	cfg := collab.Config{SnapshotEvery: 37}
	e := newTestEngine(t, log, cfg)
	typeConcurrently(t, e, "p", []string{"ann", "bob", "cy", "dee"}, 60)
	checkAttribution(t, e, log, "p", -1)
	for _, rev := range []int{0, 1, 99, 100, 150, 239} {
		checkAttribution(t, e, log, "p", rev)
	}
	e.Close()

	again := newTestEngine(t, log, cfg)
	checkAttribution(t, again, log, "p", -1)
	typeConcurrently(t, again, "p", []string{"ann", "eve"}, 10)
	checkAttribution(t, again, log, "p", -1)
	again.Close()

	// A snapshot from before attribution was kept, at the head.
	txt, head, err := newTestEngine(t, log, cfg).Text(context.Background(), "p", -1)
	if err != nil {
		t.Fatal(err)
	}
	if err := log.SaveSnapshot(context.Background(), "p", collab.Snapshot{Rev: head, Text: txt}); err != nil {
		t.Fatal(err)
	}
	legacy := newTestEngine(t, log, cfg)
	checkAttribution(t, legacy, log, "p", -1)
	checkAttribution(t, legacy, log, "p", head-1)
}

func TestAttributionOfARevisionAfterTheHead(t *testing.T) {
	e := newTestEngine(t, newTestLog(), collab.Config{})
	mustSubmit(t, e, "p", collab.Submission{Client: "c", Seq: 1, Author: "ann", Op: collab.NewOp(collab.Insert("hi"))})
	_, head, err := e.Attribution(context.Background(), "p", 2)
	if ce, ok := err.(*collab.Error); !ok || ce.Code != collab.CodeRevAhead || head != 1 {
		t.Errorf("Attribution(2) of a pad at 1: head %d, error %v; want head 1 and rev_ahead", head, err)
	}
}

// TestAttributionFromTheCheckpointBelow: checkpoints between multiples of
// AttributionEvery are stored without attribution; reading one, or loading
// the pad from one, replays from the multiple below, and gives what the
// oracle replays from revision 0.
func TestAttributionFromTheCheckpointBelow(t *testing.T) {
	log := newTestLog()
	e := newTestEngine(t, log, collab.Config{})
	n := collab.AttributionEvery + 2*collab.CheckpointEvery + 17
	for i := range n {
		author := fmt.Sprint("author-", i/70%5)
		op := collab.NewOp(collab.Insert("x"))
		if i%3 == 2 {
			op = collab.NewOp(collab.Skip(1+i/3), collab.Insert("yz"))
		}
		mustSubmit(t, e, "p", collab.Submission{Client: author, Seq: i, Author: author, Base: i, Op: op})
	}
	for _, rev := range []int{collab.AttributionEvery, collab.AttributionEvery + 1, collab.AttributionEvery + collab.CheckpointEvery + 50, n} {
		checkAttribution(t, e, log, "p", rev)
	}
	e.Close()
	withRuns := revsWithAttribution(log, "p")
	if !slices.Contains(withRuns, collab.AttributionEvery) || slices.Contains(withRuns, collab.AttributionEvery+collab.CheckpointEvery) {
		t.Errorf("snapshots with attribution at %v, want %d and not the checkpoints after it", withRuns, collab.AttributionEvery)
	}
	checkAttribution(t, newTestEngine(t, log, collab.Config{}), log, "p", -1)
}

// TestAttributionOfRecordsWithRuns commits an import whose inserted text
// has several authors (Submission.Runs) while two authors type, the import
// made on an old revision so that the engine transforms it: the engine's
// attribution is the oracle's replay of the stored records, at the head,
// at the import's revision and after a restart; runs that do not fit the
// op are refused.
func TestAttributionOfRecordsWithRuns(t *testing.T) {
	log := newTestLog()
	cfg := collab.Config{SnapshotEvery: 7}
	e := newTestEngine(t, log, cfg)
	ctx := context.Background()
	typeConcurrently(t, e, "p", []string{"ann", "bob"}, 10)
	_, head, err := e.Text(ctx, "p", -1)
	if err != nil {
		t.Fatal(err)
	}
	typeConcurrently(t, e, "p", []string{"ann", "bob"}, 5)
	imp := collab.Submission{Client: "import-1", Seq: 1, Author: "import", Base: head,
		Op:   collab.NewOp(collab.Insert("😀 漢字\ne\u0301!\n")),
		Runs: []collab.Run{{Author: "ep-a", Len: 2}, {Author: "ep-b", Len: 3}, {Author: "import", Len: 1}, {Author: "ep-a", Len: 3}}}
	res, err := e.Submit(ctx, "p", imp)
	if err != nil {
		t.Fatal(err)
	}
	typeConcurrently(t, e, "p", []string{"ann", "cy"}, 5)
	checkAttribution(t, e, log, "p", -1)
	checkAttribution(t, e, log, "p", res.Rev)
	recs, err := log.Records(ctx, "p", res.Rev-1, res.Rev)
	if err != nil || len(recs) != 1 || !slices.Equal(recs[0].Runs, imp.Runs) || recs[0].Author != "import" {
		t.Fatalf("stored import %+v (%v), want runs %v by import", recs, err, imp.Runs)
	}
	e.Close()
	again := newTestEngine(t, log, cfg)
	checkAttribution(t, again, log, "p", -1)
	checkAttribution(t, again, log, "p", res.Rev)

	for _, runs := range [][]collab.Run{
		{{Author: "ep-a", Len: 8}},
		{{Author: "ep-a", Len: 9}, {Author: "ep-b", Len: 1}},
		{{Author: "", Len: 9}},
		{{Author: "ep-a", Len: 0}, {Author: "ep-b", Len: 9}},
	} {
		_, err := again.Submit(ctx, "p", collab.Submission{Client: "import-2", Seq: 1, Op: imp.Op, Runs: runs})
		var ce *collab.Error
		if !errors.As(err, &ce) || ce.Code != collab.CodeBadOp {
			t.Errorf("runs %v: %v, want bad_op", runs, err)
		}
	}
}

// TestAttributionOfAPadOfManyRuns: a pad with more runs than the checkpoint
// budget allows at every multiple of AttributionEvery (two authors typing in
// turn: as many runs as characters) stores its attribution at
// fewer of them; reading a revision between them, and loading the pad,
// replays from one further below, and gives what the oracle replays from
// revision 0.
func TestAttributionOfAPadOfManyRuns(t *testing.T) {
	log := newTestLog()
	e := newTestEngine(t, log, collab.Config{})
	n := 6*collab.AttributionEvery + 3*collab.CheckpointEvery
	var subs []collab.Submission
	for i := range n {
		author := []string{"ann", "bob"}[i%2]
		subs = append(subs, collab.Submission{Client: author, Seq: i, Author: author, Base: i, Op: collab.Normalize(collab.NewOp(collab.Skip(i), collab.Insert("x")))})
	}
	for _, s := range subs {
		mustSubmit(t, e, "p", s)
	}
	for _, rev := range []int{4*collab.AttributionEvery + 1, 5 * collab.AttributionEvery, 5*collab.AttributionEvery + 50, n} {
		checkAttribution(t, e, log, "p", rev)
	}
	e.Close()
	withRuns := revsWithAttribution(log, "p")
	// Runs grow by one a revision: up to 4,000 every multiple of 1,000
	// carries them, then every multiple of 2,000.
	want := []int{1000, 2000, 3000, 4000, 6000}
	if !slices.Equal(withRuns, want) {
		t.Errorf("snapshots with attribution at %v, want %v", withRuns, want)
	}
	checkAttribution(t, newTestEngine(t, log, collab.Config{}), log, "p", -1)
}

// revsWithAttribution returns the distinct revisions of pad's saved
// snapshots that carry an attribution, sorted.
func revsWithAttribution(log *testLog, pad string) []int {
	var revs []int
	for _, s := range log.saved(pad) {
		if s.Attribution != nil {
			revs = append(revs, s.Rev)
		}
	}
	slices.Sort(revs)
	return slices.Compact(revs)
}

// TestStoredAttributionIsCheckedLikeRuns: a snapshot's stored attribution
// is trusted only if it passes CheckRuns; one whose lengths add up to the
// text through a negative run, or that names no author, is replayed from
// the ops instead, so a corrupt store cannot attribute the text wrongly.
func TestStoredAttributionIsCheckedLikeRuns(t *testing.T) {
	for _, bad := range [][]collab.Run{
		{{Author: "ann", Len: 12}, {Author: "bob", Len: -2}},
		{{Author: "", Len: 10}},
	} {
		log := newTestLog()
		e := newTestEngine(t, log, collab.Config{})
		for i, author := range []string{"ann", "bob", "ann", "cy", "bob", "ann", "cy", "ann", "bob", "cy"} {
			mustSubmit(t, e, "p", collab.Submission{Client: author, Seq: i + 1, Author: author, Base: i,
				Op: collab.Normalize(collab.NewOp(collab.Skip(i), collab.Insert("x")))})
		}
		e.Close()
		if err := log.Store.SaveSnapshot(context.Background(), "p", collab.Snapshot{Rev: 10, Text: strings.Repeat("x", 10), Attribution: bad}); err != nil {
			t.Fatal(err)
		}
		checkAttribution(t, newTestEngine(t, log, collab.Config{}), log, "p", 10)
	}
}

// TestAttributionOfOldRevisionsAsATimesliderReadsThem reads the
// attribution of a pad of many runs (its stored attributions 2,000
// revisions apart) as a timeslider does: playing forward in steps, then
// scrubbing back and forth. Every answer is the oracle's, and playing
// forward reads, after the first step, only the records after the
// checkpoint kept by the step before (never a stored snapshot).
func TestAttributionOfOldRevisionsAsATimesliderReadsThem(t *testing.T) {
	log := newTestLog()
	e := newTestEngine(t, log, collab.Config{})
	n := 5 * collab.AttributionEvery
	for i := range n {
		author := []string{"ann", "bob", "cy"}[i%3]
		mustSubmit(t, e, "p", collab.Submission{Client: author, Seq: i, Author: author, Base: i, Op: collab.Normalize(collab.NewOp(collab.Skip(i*7%(i+1)), collab.Insert("x")))})
	}
	e.Close()
	e = newTestEngine(t, log, collab.Config{})
	checkAttribution(t, e, log, "p", 2*collab.AttributionEvery+150) // the first step: from a stored attribution
	snapshotsBefore := log.snapshotReads()
	for rev := 2*collab.AttributionEvery + 275; rev < 3*collab.AttributionEvery; rev += 125 {
		checkAttribution(t, e, log, "p", rev)
	}
	if snapshots := log.snapshotReads(); snapshots != snapshotsBefore {
		t.Errorf("playing forward read %d snapshots, want none (the checkpoints kept by each step)", snapshots-snapshotsBefore)
	}
	for _, rev := range []int{2*collab.AttributionEvery + 199, 150, 2*collab.AttributionEvery + 1, 3*collab.AttributionEvery + 99, 2*collab.AttributionEvery + 275, 99, 4*collab.AttributionEvery + 3} {
		checkAttribution(t, e, log, "p", rev)
	}
}
