package storetest

import (
	"context"
	"errors"
	"maps"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confpad/confpad/collab"
)

// RevisionLog is a Log that reads old revisions in one step.
type RevisionLog interface {
	collab.Log
	collab.RevisionReader
}

// BuildLongPad writes a pad of n revisions to log, as people type notes:
// a revision per keystroke (one character typed, 85 %; one to three
// deleted, 10 %; a word pasted, 5 %) at a place that moves now and then,
// with a checkpoint at every multiple of collab.CheckpointEvery and a
// snapshot at the head, as the engine leaves them. It returns the text at
// revision 0 and at every revision that is a multiple of 97, for checking
// reads. The same n gives the same pad every time.
func BuildLongPad(tb testing.TB, log collab.Log, pad string, n int) map[int]string {
	tb.Helper()
	ctx := tb.Context()
	rng := rand.New(rand.NewPCG(11, 0))
	doc := collab.NewDoc("")
	want := map[int]string{0: ""}
	var batch []collab.Record
	chars := []rune("abcdefghijklmnopqrstuvwxyz      \né😀")
	words := []string{"the ", "notes ", "Q&A: ", "slides "}
	pos := 0
	for rev := 1; rev <= n; rev++ {
		if rng.IntN(50) == 0 {
			pos = rng.IntN(doc.Len() + 1)
		}
		pos = min(pos, doc.Len())
		var op collab.Op
		switch k := rng.IntN(20); {
		case k < 2 && pos > 0:
			del := min(1+rng.IntN(3), pos)
			pos -= del
			op = collab.Normalize(collab.NewOp(collab.Skip(pos), collab.Delete(del)))
		case k < 3:
			w := words[rng.IntN(len(words))]
			op = collab.Normalize(collab.NewOp(collab.Skip(pos), collab.Insert(w)))
			pos += len(w)
		default:
			op = collab.Normalize(collab.NewOp(collab.Skip(pos), collab.Insert(string(chars[rng.IntN(len(chars))]))))
			pos++
		}
		if err := doc.Apply(op); err != nil {
			tb.Fatal(err)
		}
		batch = append(batch, collab.Record{Op: op, Client: "c", Seq: rev, Time: time.UnixMilli(int64(rev))})
		if collab.IsCheckpoint(rev) || rev == n { // a snapshot may not be ahead of the head
			if err := log.Append(ctx, pad, rev-len(batch), batch); err != nil {
				tb.Fatal(err)
			}
			batch = batch[:0]
			text := doc.String()
			if err := log.SaveSnapshot(ctx, pad, collab.Snapshot{Rev: rev, Text: text, Sum: collab.TextSum(text)}); err != nil {
				tb.Fatal(err)
			}
		}
		if rev%97 == 0 {
			want[rev] = doc.String()
		}
	}
	return want
}

// TestRevisionReader runs the collab.RevisionReader conformance suite on
// a pad of 250 revisions with checkpoints at 100 and 200 (BuildLongPad):
// ReadRevision's head, snapshot and ops (those of the log's records), the text left out where the
// caller holds it, a revision past the head and a pad never written; and
// the engine's reads of old revisions through it, of the pad not loaded,
// again from its checkpoint cache, and loaded. newLog is called once per
// subtest, as in TestLog.
func TestRevisionReader(t *testing.T, newLog func(t *testing.T) RevisionLog) {
	t.Run("ReadRevision", func(t *testing.T) { testReadRevision(t, newLog(t)) })
	t.Run("EngineText", func(t *testing.T) { testEngineText(t, newLog(t)) })
}

func testReadRevision(t *testing.T, log RevisionLog) {
	pad := uniqueID(t, "pad")
	want := BuildLongPad(t, log, pad, 250)
	for _, tc := range []struct {
		name               string
		pad                string
		rev, have          int
		head, snapRev, ops int
		textEmpty          bool
	}{
		{"before the first checkpoint", pad, 97, 0, 250, 0, 97, true},
		{"after a checkpoint", pad, 194, 0, 250, 100, 94, false},
		{"at a checkpoint", pad, 200, 0, 250, 200, 0, false},
		{"text held by the caller", pad, 194, 100, 250, 100, 94, true},
		{"another text held", pad, 194, 200, 250, 100, 94, false},
		{"at the head", pad, 250, 0, 250, 250, 0, false},
		{"past the head", pad, 300, 0, 250, 250, 0, false},
		{"no such pad", uniqueID(t, "none"), 5, 0, 0, 0, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			head, snap, ops, err := log.ReadRevision(t.Context(), tc.pad, tc.rev, tc.have)
			if err != nil {
				t.Fatal(err)
			}
			if head != tc.head || snap.Rev != tc.snapRev || len(ops) != tc.ops || (snap.Text == "") != tc.textEmpty ||
				!tc.textEmpty && snap.Sum != collab.TextSum(snap.Text) {
				t.Fatalf("head %d, snapshot %d (%d bytes, sum %d), %d ops; want %d, %d (empty %v, its sum), %d",
					head, snap.Rev, len(snap.Text), snap.Sum, len(ops), tc.head, tc.snapRev, tc.textEmpty, tc.ops)
			}
			recs, err := log.Records(t.Context(), tc.pad, snap.Rev, snap.Rev+len(ops))
			if err != nil || len(recs) != len(ops) {
				t.Fatalf("Records after %d: %d, %v; want %d", snap.Rev, len(recs), err, len(ops))
			}
			for i, r := range recs {
				if !ops[i].Equal(r.Op) {
					t.Fatalf("op of revision %d is %v, the log's record %v", r.Rev, ops[i], r.Op)
				}
			}
			if text, ok := want[tc.rev]; ok && !tc.textEmpty {
				got, err := collab.ReplayText(snap, recs)
				if err != nil || got != text {
					t.Fatalf("replayed text of revision %d differs (%v)", tc.rev, err)
				}
			}
		})
	}
}

func testEngineText(t *testing.T, log RevisionLog) {
	pad := uniqueID(t, "pad")
	want := BuildLongPad(t, log, pad, 1500)
	revs := slices.Sorted(maps.Keys(want))
	counted := &countingLog{RevisionLog: log}
	e := collab.NewEngine(collab.Config{Log: counted})
	defer e.Close()
	check := func(t *testing.T) {
		for _, rev := range revs {
			text, head, err := e.Text(t.Context(), pad, rev)
			if err != nil || head != 1500 || text != want[rev] {
				t.Fatalf("Text(%d) = %d bytes, head %d, %v; want %d bytes, head 1500", rev, len(text), head, err, len(want[rev]))
			}
		}
		var cerr *collab.Error
		if _, head, err := e.Text(t.Context(), pad, 1501); !errors.As(err, &cerr) || cerr.Code != collab.CodeRevAhead || head != 1500 {
			t.Fatalf("Text(1501): head %d, %v; want rev_ahead and head 1500", head, err)
		}
	}
	// Every revision of one checkpoint's segment, in an order that reads
	// some after the ops the cache holds and some within them, appended
	// after what the buffer holds.
	neighbours := func(t *testing.T) {
		texts := textsFromRecords(t, log, pad, 1100, 1199)
		order := rand.New(rand.NewPCG(3, 0)).Perm(len(texts))
		for _, i := range order {
			rev := 1100 + i
			got, head, err := e.AppendText(t.Context(), []byte("prefix:"), pad, rev)
			if err != nil || head != 1500 || string(got) != "prefix:"+texts[i] {
				t.Fatalf("AppendText(%d) = %d bytes, head %d, %v; want prefix: and %d bytes", rev, len(got), head, err, len(texts[i]))
			}
		}
		got, _, err := e.AppendText(t.Context(), []byte("prefix:"), pad, 1501)
		if err == nil || string(got) != "prefix:" {
			t.Fatalf("AppendText(1501) = %q, %v; want an error and the buffer as it was", got, err)
		}
	}
	t.Run("not loaded", check)
	t.Run("cached", check)
	t.Run("neighbours, not loaded", neighbours)
	t.Run("loaded", func(t *testing.T) {
		if _, err := e.Head(t.Context(), pad); err != nil { // loads the pad
			t.Fatal(err)
		}
		check(t)
		neighbours(t)
		before := counted.reads.Load()
		check(t)
		neighbours(t)
		if n := counted.reads.Load() - before; n != 0 {
			t.Errorf("reading the same revisions again read the log %d times, want none (checkpoint cache)", n)
		}
	})
}

// countingLog counts the calls of ReadRevision.
type countingLog struct {
	RevisionLog
	reads atomic.Int64
}

func (l *countingLog) ReadRevision(ctx context.Context, pad string, rev, have int) (int, collab.Snapshot, []collab.Op, error) {
	l.reads.Add(1)
	return l.RevisionLog.ReadRevision(ctx, pad, rev, have)
}

// textsFromRecords returns the texts of pad at revisions from to to,
// replayed from its records one by one.
func textsFromRecords(t *testing.T, log collab.Log, pad string, from, to int) []string {
	recs, err := log.Records(t.Context(), pad, 0, to)
	if err != nil || len(recs) != to {
		t.Fatalf("Records: %d, %v; want %d", len(recs), err, to)
	}
	doc := collab.NewDoc("")
	var texts []string
	for _, r := range recs {
		if err := doc.Apply(r.Op); err != nil {
			t.Fatalf("revision %d: %v", r.Rev, err)
		}
		if r.Rev >= from {
			texts = append(texts, doc.String())
		}
	}
	return texts
}
