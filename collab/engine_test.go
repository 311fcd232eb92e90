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
	"time"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/internal/testutil"
)

// testEngine starts an engine over log that records every OnCommit call.
type testEngine struct {
	*collab.Engine
	mu        sync.Mutex
	committed map[string][]collab.Record
}

func newTestEngine(t testing.TB, log *testLog, cfg collab.Config) *testEngine {
	te := &testEngine{committed: map[string][]collab.Record{}}
	cfg.Log = log
	cfg.OnCommit = func(pad string, recs []collab.Record) {
		te.mu.Lock()
		te.committed[pad] = append(te.committed[pad], recs...)
		te.mu.Unlock()
	}
	te.Engine = collab.NewEngine(cfg)
	t.Cleanup(te.Close)
	return te
}

// recorded returns the ith record OnCommit reported for pad, if any.
func (te *testEngine) recorded(pad string, i int) (collab.Record, bool) {
	te.mu.Lock()
	defer te.mu.Unlock()
	if i >= len(te.committed[pad]) {
		return collab.Record{}, false
	}
	return te.committed[pad][i], true
}

func (te *testEngine) seen(pad string) []collab.Record {
	te.mu.Lock()
	defer te.mu.Unlock()
	return append([]collab.Record(nil), te.committed[pad]...)
}

func mustSubmit(t *testing.T, e *testEngine, pad string, s collab.Submission) collab.Result {
	t.Helper()
	res, err := e.Submit(context.Background(), pad, s)
	if err != nil {
		t.Fatalf("Submit(%+v): %v", s, err)
	}
	return res
}

func text(t *testing.T, e *testEngine, pad string) string {
	t.Helper()
	s, _, err := e.Text(context.Background(), pad, -1)
	if err != nil {
		t.Fatalf("Text: %v", err)
	}
	return s
}

func TestSubmitTransformsConcurrentOps(t *testing.T) {
	e := newTestEngine(t, newTestLog(), collab.Config{})
	mustSubmit(t, e, "p", collab.Submission{Client: "a", Seq: 1, Base: 0, Op: collab.NewOp(collab.Insert("hello world"))})
	// b and c both edit revision 1 without seeing each other.
	mustSubmit(t, e, "p", collab.Submission{Client: "b", Seq: 1, Base: 1, Op: collab.NewOp(collab.Skip(5), collab.Insert(","))})
	res := mustSubmit(t, e, "p", collab.Submission{Client: "c", Seq: 1, Base: 1, Op: collab.NewOp(collab.Skip(11), collab.Insert("!"))})
	if res.Rev != 3 {
		t.Errorf("rev = %d, want 3", res.Rev)
	}
	if got, want := text(t, e, "p"), "hello, world!"; got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
	if n := len(e.seen("p")); n != 3 {
		t.Errorf("OnCommit saw %d records, want 3", n)
	}
}

func TestSubmitRejectsBadInput(t *testing.T) {
	log := newTestLog()
	e := newTestEngine(t, log, collab.Config{MaxDocLen: 15, MaxOpLen: 10})
	mustSubmit(t, e, "p", collab.Submission{Client: "a", Seq: 1, Base: 0, Op: collab.NewOp(collab.Insert("0123456789"))})
	cases := []struct {
		name string
		sub  collab.Submission
		code string
	}{
		{"future base", collab.Submission{Client: "b", Seq: 1, Base: 5, Op: collab.NewOp(collab.Insert("x"))}, collab.CodeRevAhead},
		{"negative base", collab.Submission{Client: "b", Seq: 1, Base: -1, Op: collab.NewOp(collab.Insert("x"))}, collab.CodeBadOp},
		{"skip past end", collab.Submission{Client: "b", Seq: 1, Base: 1, Op: collab.NewOp(collab.Skip(11), collab.Insert("x"))}, collab.CodeBadOp},
		{"delete past end", collab.Submission{Client: "b", Seq: 1, Base: 1, Op: collab.NewOp(collab.Skip(5), collab.Delete(6))}, collab.CodeBadOp},
		{"empty component", collab.Submission{Client: "b", Seq: 1, Base: 1, Op: collab.NewOp(collab.Component{}, collab.Insert("b"))}, collab.CodeBadOp},
		{"trailing skip", collab.Submission{Client: "b", Seq: 1, Base: 1, Op: collab.NewOp(collab.Insert("b"), collab.Skip(1))}, collab.CodeBadOp},
		{"op too large", collab.Submission{Client: "b", Seq: 1, Base: 1, Op: collab.NewOp(collab.Insert("01234567890"))}, collab.CodeTooLarge},
		// Within MaxOpLen, so only MaxDocLen refuses it.
		{"pad too large", collab.Submission{Client: "b", Seq: 1, Base: 1, Op: collab.NewOp(collab.Skip(10), collab.Insert("abcdef"))}, collab.CodeTooLarge},
		// A bulk op may change up to twice MaxDocLen, but no pad may grow
		// past MaxDocLen.
		{"bulk op too large", collab.Submission{Client: "b", Seq: 1, Base: 1, Bulk: true, Op: collab.NewOp(collab.Delete(10), collab.Insert(strings.Repeat("x", 21)))}, collab.CodeTooLarge},
		{"bulk pad too large", collab.Submission{Client: "b", Seq: 1, Base: 1, Bulk: true, Op: collab.NewOp(collab.Skip(10), collab.Insert("abcdef"))}, collab.CodeTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.Submit(context.Background(), "p", tc.sub)
			var ce *collab.Error
			if !errors.As(err, &ce) || ce.Code != tc.code {
				t.Fatalf("err = %v, want code %s", err, tc.code)
			}
			if got := text(t, e, "p"); got != "0123456789" {
				t.Fatalf("text changed to %q", got)
			}
		})
	}
	// The pad still works, and a bulk op replaces it whole, beyond
	// MaxOpLen.
	whole := strings.Repeat("y", 15)
	mustSubmit(t, e, "p", collab.Submission{Client: "b", Seq: 2, Base: 1, Bulk: true, Op: collab.NewOp(collab.Delete(10), collab.Insert(whole))})
	if got := text(t, e, "p"); got != whole {
		t.Errorf("text = %q, want %q", got, whole)
	}
}

func TestSubmitNormalisesOps(t *testing.T) {
	e := newTestEngine(t, newTestLog(), collab.Config{})
	mustSubmit(t, e, "p", collab.Submission{Client: "a", Seq: 1, Base: 0, Op: collab.NewOp(collab.Insert("abc"))})
	res := mustSubmit(t, e, "p", collab.Submission{Client: "a", Seq: 2, Base: 1, Op: collab.NewOp(collab.Skip(1), collab.Insert("p"), collab.Insert("q"))})
	if want := (collab.NewOp(collab.Skip(1), collab.Insert("pq"))); res.Op.String() != want.String() {
		t.Errorf("committed op %v, want %v", res.Op, want)
	}
}

func TestResubmitIsNotAppliedTwice(t *testing.T) {
	e := newTestEngine(t, newTestLog(), collab.Config{})
	first := mustSubmit(t, e, "p", collab.Submission{Client: "a", Seq: 7, Base: 0, Op: collab.NewOp(collab.Insert("x"))})
	mustSubmit(t, e, "p", collab.Submission{Client: "b", Seq: 1, Base: 1, Op: collab.NewOp(collab.Insert("y"))})
	again := mustSubmit(t, e, "p", collab.Submission{Client: "a", Seq: 7, Base: 0, Op: collab.NewOp(collab.Insert("x"))})
	if !again.Duplicate || again.Rev != first.Rev {
		t.Errorf("resubmit = %+v, want duplicate of rev %d", again, first.Rev)
	}
	if got := text(t, e, "p"); got != "yx" {
		t.Errorf("text = %q, want %q", got, "yx")
	}
}

func TestResubmitAfterRestartIsNotAppliedTwice(t *testing.T) {
	log := newTestLog()
	e := newTestEngine(t, log, collab.Config{})
	mustSubmit(t, e, "p", collab.Submission{Client: "a", Seq: 1, Base: 0, Op: collab.NewOp(collab.Insert("x"))})
	e.Close()
	e2 := newTestEngine(t, log, collab.Config{})
	res := mustSubmit(t, e2, "p", collab.Submission{Client: "a", Seq: 1, Base: 0, Op: collab.NewOp(collab.Insert("x"))})
	if !res.Duplicate || text(t, e2, "p") != "x" {
		t.Errorf("resubmit after restart = %+v, text %q", res, text(t, e2, "p"))
	}
}

// TestOldBaseIsRevTooOld: an op or a selection older than the recent
// records is refused with rev_too_old, without reading the log; one within
// them is transformed through them.
func TestOldBaseIsRevTooOld(t *testing.T) {
	log := newTestLog()
	e := newTestEngine(t, log, collab.Config{KeepRecent: 4})
	for i := range 50 {
		mustSubmit(t, e, "p", collab.Submission{Client: "a", Seq: i + 1, Base: i, Op: collab.NewOp(collab.Insert("a"))})
	}
	_, _, readsBefore, _ := log.counts()
	// An offline laptop comes back with an edit made on revision 3.
	_, err := e.Submit(context.Background(), "p", collab.Submission{Client: "late", Seq: 1, Base: 3, Op: collab.NewOp(collab.Skip(3), collab.Insert("L"))})
	var ce *collab.Error
	if !errors.As(err, &ce) || ce.Code != collab.CodeRevTooOld {
		t.Errorf("op at revision 3 of 50: %v, want %s", err, collab.CodeRevTooOld)
	}
	_, _, err = e.Rebase(context.Background(), "p", 3, [2]int{1, 2})
	if !errors.As(err, &ce) || ce.Code != collab.CodeRevTooOld {
		t.Errorf("selection at revision 3 of 50: %v, want %s", err, collab.CodeRevTooOld)
	}
	if _, _, reads, _ := log.counts(); reads != readsBefore {
		t.Errorf("the log was read %d times for them", reads-readsBefore)
	}
	// Within the recent records (at least 4): transformed.
	mustSubmit(t, e, "p", collab.Submission{Client: "late", Seq: 2, Base: 46, Op: collab.NewOp(collab.Skip(46), collab.Insert("L"))})
	if want := strings.Repeat("a", 50) + "L"; text(t, e, "p") != want {
		t.Errorf("text = %q, want %q", text(t, e, "p"), want)
	}
	sel, head, err := e.Rebase(context.Background(), "p", 46, [2]int{46, 46})
	if err != nil || head != 51 || sel != [2]int{50, 50} {
		t.Errorf("Rebase at 46 = %v at %d, %v; want [50 50] at 51", sel, head, err)
	}
}

// TestReloadedPadKeepsRecentRecords: a pad loaded from a snapshot at its
// head still places ops made shortly before it.
func TestReloadedPadKeepsRecentRecords(t *testing.T) {
	log := newTestLog()
	e := newTestEngine(t, log, collab.Config{SnapshotEvery: 10})
	for i := range 10 {
		mustSubmit(t, e, "p", collab.Submission{Client: "a", Seq: i + 1, Base: i, Op: collab.NewOp(collab.Insert("a"))})
	}
	e.Close() // a snapshot at 10
	e2 := newTestEngine(t, log, collab.Config{})
	res := mustSubmit(t, e2, "p", collab.Submission{Client: "b", Seq: 1, Base: 5, Op: collab.NewOp(collab.Skip(5), collab.Insert("B"))})
	if res.Rev != 11 || text(t, e2, "p") != "aaaaaaaaaaB" {
		t.Errorf("op at 5 after a reload: revision %d, text %q", res.Rev, text(t, e2, "p"))
	}
}

func TestJoinSinceGetsExactlyTheMissedRecords(t *testing.T) {
	e := newTestEngine(t, newTestLog(), collab.Config{KeepRecent: 3})
	for i := range 10 {
		mustSubmit(t, e, "p", collab.Submission{Client: "a", Seq: i + 1, Base: i, Op: collab.Normalize(collab.NewOp(collab.Skip(i), collab.Insert("x")))})
	}
	// The recent records reach back at least 3 revisions; a since older
	// than them gets a snapshot.
	for _, since := range []int{7, 10, 0, 2} {
		called := false
		leave, err := e.Join(context.Background(), "p", since, func(head int, text *string, missed []collab.Record) {
			called = true
			if since < 4 {
				if head != 10 || text == nil || *text != "xxxxxxxxxx" || missed != nil {
					t.Errorf("far resume since %d: head %d, text %v, %d missed; want a snapshot", since, head, text, len(missed))
				}
				return
			}
			if head != 10 || text != nil || len(missed) != 10-since {
				t.Errorf("since %d: head %d, text %v, %d missed", since, head, text, len(missed))
			}
			for i, r := range missed {
				if r.Rev != since+i+1 {
					t.Errorf("since %d: missed[%d].Rev = %d", since, i, r.Rev)
				}
			}
		})
		if err != nil || !called {
			t.Fatalf("since %d: Join = %v, fn called: %v", since, err, called)
		}
		leave()
	}
	if _, err := e.Join(context.Background(), "p", 11, func(int, *string, []collab.Record) { t.Error("fn called for a future revision") }); err == nil {
		t.Error("join since a future revision succeeded")
	}
	called := false
	leave, err := e.Join(context.Background(), "p", -1, func(head int, text *string, missed []collab.Record) {
		called = true
		if head != 10 || text == nil || *text != "xxxxxxxxxx" || missed != nil {
			t.Errorf("snapshot join: head %d, text %v, missed %v", head, text, missed)
		}
	})
	if err != nil || !called {
		t.Fatalf("snapshot join = %v, fn called: %v", err, called)
	}
	leave()
}

func TestTextAtOldRevisionAndSnapshots(t *testing.T) {
	log := newTestLog()
	e := newTestEngine(t, log, collab.Config{SnapshotEvery: 4})
	for i := range 10 {
		mustSubmit(t, e, "p", collab.Submission{Client: "a", Seq: i + 1, Base: i, Op: collab.Normalize(collab.NewOp(collab.Skip(i), collab.Insert(fmt.Sprint(i))))})
	}
	e.Close() // waits for snapshot writers
	if _, _, _, n := log.counts(); n != 2 {
		t.Errorf("%d snapshots saved, want 2 (at 4 and 8)", n)
	}
	e2 := newTestEngine(t, log, collab.Config{})
	if head, err := e2.Head(context.Background(), "p"); head != 10 || err != nil {
		t.Errorf("Head after reload = %d, %v; want 10", head, err)
	}
	if n := len(e2.seen("p")); n != 0 {
		t.Errorf("loading reported %d records through OnCommit, want 0", n)
	}
	for rev, want := range map[int]string{0: "", 3: "012", 8: "01234567", 10: "0123456789"} {
		got, head, err := e2.Text(context.Background(), "p", rev)
		if err != nil || got != want || head != 10 {
			t.Errorf("Text(rev %d) = %q, %d, %v; want %q", rev, got, head, err, want)
		}
	}
	if _, _, err := e2.Text(context.Background(), "p", 11); err == nil {
		t.Error("Text at a future revision succeeded")
	}
}

func TestRebaseMovesCursorThroughOps(t *testing.T) {
	e := newTestEngine(t, newTestLog(), collab.Config{})
	mustSubmit(t, e, "p", collab.Submission{Client: "a", Seq: 1, Base: 0, Op: collab.NewOp(collab.Insert("hello"))})
	mustSubmit(t, e, "p", collab.Submission{Client: "a", Seq: 2, Base: 1, Op: collab.NewOp(collab.Insert(">> "))})
	sel, head, err := e.Rebase(context.Background(), "p", 1, [2]int{2, 5})
	if err != nil || head != 2 || sel != [2]int{5, 8} {
		t.Errorf("Rebase = %v, %d, %v; want [5 8], 2", sel, head, err)
	}
}

func TestLogFailureIsReportedAndNothingApplied(t *testing.T) {
	log := newTestLog()
	e := newTestEngine(t, log, collab.Config{})
	mustSubmit(t, e, "p", collab.Submission{Client: "a", Seq: 1, Base: 0, Op: collab.NewOp(collab.Insert("x"))})
	log.setFailing(errors.New("disk on fire"))
	_, err := e.Submit(context.Background(), "p", collab.Submission{Client: "a", Seq: 2, Base: 1, Op: collab.NewOp(collab.Insert("y"))})
	var ce *collab.Error
	if !errors.As(err, &ce) || ce.Code != collab.CodeUnavailable {
		t.Fatalf("err = %v, want unavailable", err)
	}
	log.setFailing(nil)
	if got := text(t, e, "p"); got != "x" {
		t.Errorf("text = %q after failed append", got)
	}
	mustSubmit(t, e, "p", collab.Submission{Client: "a", Seq: 2, Base: 1, Op: collab.NewOp(collab.Insert("y"))})
	if got := text(t, e, "p"); got != "yx" {
		t.Errorf("text = %q after retry", got)
	}
}

// TestReplicasConverge runs two engines on one log, as two replicas on one
// Redis: ops race for the head, losers catch up and retry, and both
// replicas report every record once, in order.
func TestReplicasConverge(t *testing.T) {
	log := newTestLog()
	replicas := []*testEngine{newTestEngine(t, log, collab.Config{Feed: log}), newTestEngine(t, log, collab.Config{Feed: log})}
	const writers, edits = 6, 60
	for _, r := range replicas {
		if _, err := r.Head(context.Background(), "p"); err != nil { // load the pad before anyone writes
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := replicas[w%2]
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for i := range edits {
				_, head, err := e.Text(context.Background(), "p", -1)
				if err != nil {
					t.Error(err)
					return
				}
				op := collab.NewOp(collab.Insert(string(rune('a' + w))))
				if head > 0 {
					op = collab.NewOp(collab.Skip(rng.IntN(head+1)), collab.Insert(string(rune('a'+w))))
					op = collab.Normalize(op)
				}
				// The base is the pad's length only if no deletes happen,
				// which is the case here: one char per revision.
				if _, err := e.Submit(context.Background(), "p", collab.Submission{Client: fmt.Sprint(w), Seq: i, Base: head, Op: op}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	// Each replica may still be taking the other's last published records.
	for i, r := range replicas {
		testutil.Eventually(t, fmt.Sprintf("replica %d to hold every edit", i), func() bool { return len(text(t, r, "p")) >= writers*edits })
	}
	final := text(t, replicas[0], "p")
	if len(final) != writers*edits {
		t.Fatalf("final length %d, want %d", len(final), writers*edits)
	}
	for i, r := range replicas {
		if got := text(t, r, "p"); got != final {
			t.Errorf("replica %d text differs", i)
		}
		seen := r.seen("p")
		if len(seen) != writers*edits {
			t.Errorf("replica %d reported %d records, want %d", i, len(seen), writers*edits)
		}
		for j, rec := range seen {
			if rec.Rev != j+1 {
				t.Fatalf("replica %d saw rev %d at position %d", i, rec.Rev, j)
			}
		}
	}
}

// TestLaggingReplicaCatchesUp: a client that saw revisions on one replica
// resumes and edits on another that has not heard of them yet.
func TestLaggingReplicaCatchesUp(t *testing.T) {
	log := newTestLog()
	a := newTestEngine(t, log, collab.Config{Feed: log})
	// b has no feed subscription to hear from a: it lags until it reads the log.
	b := newTestEngine(t, log, collab.Config{Feed: silentFeed{}})
	mustSubmit(t, b, "p", collab.Submission{Client: "x", Seq: 1, Base: 0, Op: collab.NewOp(collab.Insert("a"))})
	mustSubmit(t, a, "p", collab.Submission{Client: "x", Seq: 2, Base: 1, Op: collab.NewOp(collab.Insert("b"))})
	leave, err := b.Join(context.Background(), "p", 2, func(head int, _ *string, missed []collab.Record) {
		if head != 2 || len(missed) != 0 {
			t.Errorf("join since 2: head %d, %d missed", head, len(missed))
		}
	})
	if err != nil {
		t.Fatalf("join since a revision the replica had not seen: %v", err)
	}
	leave()
	// b has not heard of revision 3 when its client edits revision 2: its
	// append loses the race, it reads the log, transforms and retries.
	mustSubmit(t, a, "p", collab.Submission{Client: "x", Seq: 3, Base: 2, Op: collab.NewOp(collab.Insert("c"))})
	mustSubmit(t, b, "p", collab.Submission{Client: "y", Seq: 1, Base: 2, Op: collab.NewOp(collab.Insert("d"))})
	// c, committed first, stays before d, inserted at the same place.
	if got := text(t, b, "p"); got != "cdba" {
		t.Errorf("text = %q, want cdba", got)
	}
	if _, conflicts, _, _ := log.counts(); conflicts != 1 {
		t.Errorf("%d append conflicts, want 1", conflicts)
	}
}

// silentFeed never delivers anything.
type silentFeed struct{}

func (silentFeed) Subscribe(string, func([]collab.Record)) func() { return func() {} }

func TestIdlePadsAreUnloaded(t *testing.T) {
	log := newTestLog()
	var mu sync.Mutex
	now := time.Unix(0, 0)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := newTestEngine(t, log, collab.Config{IdleTimeout: 10 * time.Millisecond, Now: clock})
	mustSubmit(t, e, "p", collab.Submission{Client: "a", Seq: 1, Base: 0, Op: collab.NewOp(collab.Insert("x"))})
	leave, err := e.Join(context.Background(), "p", -1, func(int, *string, []collab.Record) {})
	if err != nil {
		t.Fatal(err)
	}
	loaded := func() bool { return collab.PadLoaded(e.Engine, "p") }
	mu.Lock()
	now = now.Add(time.Hour)
	mu.Unlock()
	time.Sleep(30 * time.Millisecond) // several janitor rounds
	if !loaded() {
		t.Fatal("a joined pad was unloaded")
	}
	leave()
	mu.Lock()
	now = now.Add(time.Hour)
	mu.Unlock()
	testutil.Eventually(t, "the idle pad to be unloaded", func() bool { return !loaded() })
	if got := text(t, e, "p"); got != "x" {
		t.Errorf("reloaded text = %q", got)
	}
}

// TestBatchedCommitsUnderLoad holds the log's first append open while 49
// more ops arrive: they must all go to the log in one more Append.
func TestBatchedCommitsUnderLoad(t *testing.T) {
	log := newTestLog()
	log.gate = make(chan struct{})
	e := newTestEngine(t, log, collab.Config{})
	const n = 50
	var wg sync.WaitGroup
	submit := func(i int) {
		defer wg.Done()
		if _, err := e.Submit(context.Background(), "p", collab.Submission{Client: fmt.Sprint(i), Seq: 1, Base: 0, Op: collab.NewOp(collab.Insert("x"))}); err != nil {
			t.Error(err)
		}
	}
	wg.Add(1)
	go submit(0)
	testutil.Eventually(t, "the first append", func() bool { return log.waitingAtGate() == 1 })
	for i := 1; i < n; i++ {
		wg.Add(1)
		go submit(i)
	}
	testutil.Eventually(t, "the other ops to queue", func() bool { return collab.Queued(e.Engine, "p") == n-1 })
	close(log.gate)
	wg.Wait()
	if got := len(text(t, e, "p")); got != n {
		t.Fatalf("length %d, want %d", got, n)
	}
	if appends, _, _, _ := log.counts(); appends != 2 {
		t.Errorf("%d appends for %d ops, want 2 (one held open, then one batch)", appends, n)
	}
}

// TestLogBehindThePad: a store that lost acknowledged records (Redis
// restarted without them) gets them back from the pad's recent history, so
// nothing acknowledged is lost; when it cannot (the log lost more than the
// pad keeps, or holds another history), the op is refused as unavailable
// and the pad reloads from the log instead of spinning.
func TestLogBehindThePad(t *testing.T) {
	tests := []struct {
		name     string
		keep     int
		rewrite  bool // another writer appends a different record after the loss
		restored bool
	}{
		{"restored", 0, false, true},
		{"lost more than the pad keeps", 1, false, false},
		{"another history", 0, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := newTestLog()
			e := newTestEngine(t, log, collab.Config{KeepRecent: tt.keep})
			for i := range 3 {
				mustSubmit(t, e, "p", collab.Submission{Client: "a", Seq: i + 1, Base: i, Op: collab.NewOp(collab.Insert("x"))})
			}
			log.Truncate("p", 1)
			if tt.rewrite {
				if err := log.Append(t.Context(), "p", 1, []collab.Record{{Rev: 2, Op: collab.NewOp(collab.Insert("w")), Client: "b", Seq: 1}}); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			res, err := e.Submit(ctx, "p", collab.Submission{Client: "a", Seq: 4, Base: 3, Op: collab.NewOp(collab.Insert("y"))})
			if tt.restored {
				if err != nil || res.Rev != 4 {
					t.Fatalf("submit: rev %d, err %v; want rev 4", res.Rev, err)
				}
				recs, err := log.Records(t.Context(), "p", 0, -1)
				if err != nil || len(recs) != 4 {
					t.Fatalf("log holds %d records (err %v), want 4", len(recs), err)
				}
				for i, r := range recs {
					if r.Rev != i+1 || r.Client != "a" || r.Seq != i+1 {
						t.Errorf("record %d = %+v, want rev %d seq %d", i, r, i+1, i+1)
					}
				}
				if got := text(t, e, "p"); got != "yxxx" {
					t.Errorf("text %q, want yxxx", got)
				}
				return
			}
			var ce *collab.Error
			if !errors.As(err, &ce) || ce.Code != collab.CodeUnavailable {
				t.Fatalf("err = %v, want unavailable", err)
			}
			want := "x"
			if tt.rewrite {
				want = "wx"
			}
			if got := text(t, e, "p"); got != want {
				t.Errorf("after reload: text %q, want %q", got, want)
			}
		})
	}
}

// TestRemoteRewritesHistory: a replica that hears of a record at a
// revision it holds, but not the record it holds there (the log lost ops
// and another replica committed others), drops the pad, tells OnReset,
// and serves the log's history from then on.
func TestRemoteRewritesHistory(t *testing.T) {
	log := newTestLog()
	reset := make(chan string, 1)
	a := newTestEngine(t, log, collab.Config{Feed: log, OnReset: func(pad string) { reset <- pad }})
	b := newTestEngine(t, log, collab.Config{Feed: log})
	for i := range 3 {
		mustSubmit(t, a, "p", collab.Submission{Client: "a", Seq: i + 1, Base: i, Op: collab.NewOp(collab.Insert("x"))})
	}
	log.Truncate("p", 1)
	mustSubmit(t, b, "p", collab.Submission{Client: "b", Seq: 1, Base: 1, Op: collab.NewOp(collab.Insert("b"))})
	select {
	case pad := <-reset:
		if pad != "p" {
			t.Errorf("OnReset(%q), want p", pad)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("OnReset was not called")
	}
	if got := text(t, a, "p"); got != "bx" {
		t.Errorf("replica a serves %q after the reset, want the log's bx", got)
	}
}

// BenchmarkSubmit measures the engine with 20 clients each 5 revisions
// behind the head: every op is transformed against 5 others.
func BenchmarkSubmit(b *testing.B) {
	e := newTestEngine(b, newTestLog(), collab.Config{})
	ctx := context.Background()
	const clients, lag = 20, 5
	names := make([]string, clients)
	for i := range names {
		names[i] = fmt.Sprint("client-", i)
	}
	op := collab.NewOp(collab.Skip(2), collab.Insert("k"))
	if _, err := e.Submit(ctx, "p", collab.Submission{Client: "seed", Seq: 0, Base: 0, Op: collab.NewOp(collab.Insert(strings.Repeat("seed ", 20)))}); err != nil {
		b.Fatal(err)
	}
	for i := range lag {
		if _, err := e.Submit(ctx, "p", collab.Submission{Client: "seed", Seq: i + 1, Base: i + 1, Op: op}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := range b.N {
		// Before op i the head is 1+lag+i, so base 1+i is lag revisions behind.
		if _, err := e.Submit(ctx, "p", collab.Submission{Client: names[i%clients], Seq: i, Base: 1 + i, Op: op}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

func TestSubmitRecordsTheAuthor(t *testing.T) {
	log := newTestLog()
	e := newTestEngine(t, log, collab.Config{})
	mustSubmit(t, e, "p", collab.Submission{Client: "c1", Seq: 1, Author: "ann", Op: collab.NewOp(collab.Insert("a"))})
	mustSubmit(t, e, "p", collab.Submission{Client: "c2", Seq: 1, Base: 1, Op: collab.NewOp(collab.Insert("b"))})
	recs, err := log.Records(context.Background(), "p", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"ann", "c2"} {
		if recs[i].Author != want {
			t.Errorf("record %d has author %q, want %q", i+1, recs[i].Author, want)
		}
		if got, _ := e.recorded("p", i); got.Author != want {
			t.Errorf("OnCommit record %d has author %q, want %q", i+1, got.Author, want)
		}
	}
}

func TestEngineSavesACheckpointAtEveryMultiple(t *testing.T) {
	log := newTestLog()
	e := newTestEngine(t, log, collab.Config{SnapshotEvery: 1 << 30})
	ctx := context.Background()
	n := 2*collab.CheckpointEvery + 7
	var subs []collab.Submission
	for i := range n {
		subs = append(subs, collab.Submission{Client: "a", Seq: i + 1, Base: 0, Op: collab.NewOp(collab.Insert("x"))})
	}
	// Submitted together they commit in batches that step over the
	// multiples; each must still get its checkpoint.
	var wg sync.WaitGroup
	for _, s := range subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.Submit(ctx, "p", s); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	e.Close()
	if got, want := log.snapshotRevs("p"), []int{collab.CheckpointEvery, 2 * collab.CheckpointEvery}; !slices.Equal(got, want) {
		t.Errorf("snapshots at %v, want checkpoints %v", got, want)
	}
	for _, s := range log.saved("p") {
		if len([]rune(s.Text)) != s.Rev {
			t.Errorf("checkpoint %d holds %d characters, want %d", s.Rev, len([]rune(s.Text)), s.Rev)
		}
	}
}

// TestTextBackfillsAMissingCheckpoint reads an old revision of a pad whose
// log has no checkpoints (written before they existed): the text is right,
// and the checkpoint below it is saved for the next read.
func TestTextBackfillsAMissingCheckpoint(t *testing.T) {
	log := newTestLog()
	ctx := context.Background()
	var recs []collab.Record
	want := ""
	head := 3*collab.CheckpointEvery + 50
	for i := range head {
		c := string(rune('a' + i%26))
		recs = append(recs, collab.Record{Rev: i + 1, Op: collab.NewOp(collab.Insert(c)), Client: "a", Seq: i + 1})
		want = c + want
	}
	if err := log.Append(ctx, "p", 0, recs); err != nil {
		t.Fatal(err)
	}
	// The old engine's latest snapshot, so that loading replays nothing.
	if err := log.SaveSnapshot(ctx, "p", collab.Snapshot{Rev: head, Text: want}); err != nil {
		t.Fatal(err)
	}
	e := newTestEngine(t, log, collab.Config{SnapshotEvery: 1 << 30})
	rev := collab.CheckpointEvery + 42
	got, _, err := e.Text(ctx, "p", rev)
	if err != nil {
		t.Fatal(err)
	}
	if w := want[len(want)-rev:]; got != w {
		t.Errorf("Text(%d) = %q, want %q", rev, got, w)
	}
	e.Close()
	if got, want := log.snapshotRevs("p"), []int{collab.CheckpointEvery, head}; !slices.Equal(got, want) {
		t.Errorf("snapshots at %v after the read, want %v", got, want)
	}
	e2 := newTestEngine(t, log, collab.Config{})
	for _, rev := range []int{0, 1, collab.CheckpointEvery - 1, collab.CheckpointEvery, rev, 3 * collab.CheckpointEvery, head} {
		got, _, err := e2.Text(ctx, "p", rev)
		if w := want[len(want)-rev:]; got != w || err != nil {
			t.Errorf("Text(%d) = %q, %v; want %q", rev, got, err, w)
		}
	}
}

// TestHistoryQuota: an op that would take the pad's history past
// MaxHistoryBytes is refused with quota_exceeded and not stored.
func TestHistoryQuota(t *testing.T) {
	log := newTestLog()
	op := collab.NewOp(collab.Insert(strings.Repeat("q", 1000)))
	one := int64(collab.Size(collab.Record{Op: op, Client: "a", Author: "a"}))
	e := newTestEngine(t, log, collab.Config{MaxHistoryBytes: 3 * one})
	for i := range 3 {
		mustSubmit(t, e, "p", collab.Submission{Client: "a", Seq: i + 1, Base: i, Op: op})
	}
	_, err := e.Submit(context.Background(), "p", collab.Submission{Client: "a", Seq: 4, Base: 3, Op: collab.NewOp(collab.Insert("x"))})
	var ce *collab.Error
	if !errors.As(err, &ce) || ce.Code != collab.CodeQuotaExceeded {
		t.Fatalf("an op past the quota: %v, want %s", err, collab.CodeQuotaExceeded)
	}
	if head, _ := e.Head(context.Background(), "p"); head != 3 {
		t.Errorf("head %d after the refusal, want 3", head)
	}
}

// TestLoadedTextNeverLoads: LoadedText answers from a loaded pad only, and
// asking does not load one.
func TestLoadedTextNeverLoads(t *testing.T) {
	log := newTestLog()
	e := newTestEngine(t, log, collab.Config{})
	mustSubmit(t, e, "p", collab.Submission{Client: "a", Seq: 1, Base: 0, Op: collab.NewOp(collab.Insert("héllo"))})
	mustSubmit(t, e, "p", collab.Submission{Client: "a", Seq: 2, Base: 1, Op: collab.Normalize(collab.NewOp(collab.Skip(5), collab.Insert("!")))})
	tests := []struct {
		pad      string
		wantText string
		wantHead int
		wantOK   bool
	}{
		{pad: "p", wantText: "héllo!", wantHead: 2, wantOK: true},
		{pad: "other", wantOK: false},
	}
	for _, tt := range tests {
		text, head, ok := e.LoadedText(tt.pad)
		if text != tt.wantText || head != tt.wantHead || ok != tt.wantOK {
			t.Errorf("LoadedText(%q) = %q, %d, %v; want %q, %d, %v", tt.pad, text, head, ok, tt.wantText, tt.wantHead, tt.wantOK)
		}
	}
	if collab.PadLoaded(e.Engine, "other") {
		t.Error("LoadedText loaded a pad")
	}
	e.Evict("p")
	if _, _, ok := e.LoadedText("p"); ok {
		t.Error("LoadedText answered for an evicted pad")
	}
}
