package collab_test

import (
	"context"
	"testing"
	"time"

	"github.com/confpad/confpad/collab"
)

// revLog is testLog with ReadRevision, as the SQLite and Redis stores have
// it, for the engine's checkpoint cache.
type revLog struct{ *testLog }

func (l revLog) ReadRevision(ctx context.Context, pad string, rev, have int) (int, collab.Snapshot, []collab.Op, error) {
	all, err := l.Records(ctx, pad, 0, -1)
	if err != nil {
		return 0, collab.Snapshot{}, nil, err
	}
	head := len(all)
	snap, err := l.SnapshotAt(ctx, pad, rev)
	if err != nil {
		return 0, collab.Snapshot{}, nil, err
	}
	recs, err := l.Records(ctx, pad, snap.Rev, min(rev, head))
	if err != nil {
		return 0, collab.Snapshot{}, nil, err
	}
	ops := make([]collab.Op, len(recs))
	for i, r := range recs {
		ops[i] = r.Op
	}
	if snap.Rev == have {
		snap.Text = ""
	}
	return head, snap, ops, nil
}

// TestCheckpointCacheAfterHistoryRewrite: after a reset (the log lost
// records and another replica committed others at their revisions), old
// revisions are read from the new history, not from the ops the
// checkpoint cache kept of the lost one.
func TestCheckpointCacheAfterHistoryRewrite(t *testing.T) {
	log := newTestLog()
	rl := revLog{log}
	reset := make(chan string, 1)
	a := collab.NewEngine(collab.Config{Log: rl, Feed: log, OnReset: func(pad string) { reset <- pad }})
	defer a.Close()
	b := collab.NewEngine(collab.Config{Log: rl, Feed: log})
	defer b.Close()
	ctx := context.Background()
	for i := range 3 {
		if _, err := a.Submit(ctx, "p", collab.Submission{Client: "a", Seq: i + 1, Base: i, Op: collab.NewOp(collab.Insert("x"))}); err != nil {
			t.Fatal(err)
		}
	}
	if got, _, err := a.Text(ctx, "p", 2); err != nil || got != "xx" {
		t.Fatalf("Text(2) = %q, %v", got, err)
	}
	log.Truncate("p", 1)
	for i, s := range []string{"b", "c"} {
		if _, err := b.Submit(ctx, "p", collab.Submission{Client: "b", Seq: i + 1, Base: 1 + i, Op: collab.NewOp(collab.Insert(s))}); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-reset:
	case <-time.After(10 * time.Second):
		t.Fatal("no reset")
	}
	if _, err := a.Head(ctx, "p"); err != nil { // loads the pad again
		t.Fatal(err)
	}
	want, _, _ := b.Text(ctx, "p", 2)
	got, head, err := a.Text(ctx, "p", 2)
	if err != nil || got != want {
		t.Errorf("replica a: Text(2) = %q (head %d, %v) after the reset; the log's history says %q", got, head, err, want)
	}
}
