package collab

import (
	"errors"
	"testing"
)

// TestPropertyReplayTextIsReplay checks that ReplayText gives the text of
// Replay for random histories, from the empty text and from a snapshot.
func TestPropertyReplayTextIsReplay(t *testing.T) {
	rng, fail := testRand(t)
	for range 200 {
		start := randomDoc(rng)
		snap := Snapshot{Rev: rng.IntN(1000), Text: start}
		doc := start
		var recs []Record
		for i := range rng.IntN(30) {
			op := randomOp(rng, doc, mixedText)
			doc = mustApply(fail, doc, op)
			recs = append(recs, Record{Rev: snap.Rev + i + 1, Op: op})
		}
		got, err := ReplayText(snap, recs)
		if err != nil {
			fail("ReplayText: %v", err)
		}
		want, err := Replay(snap, recs)
		if err != nil {
			fail("Replay: %v", err)
		}
		if got != want.String() || got != doc {
			fail("ReplayText = %q, Replay = %q, applied one by one %q", got, want.String(), doc)
		}
	}
}

func TestReplayTextRefusesRecordsThatDoNotFit(t *testing.T) {
	_, err := ReplayText(Snapshot{Rev: 4, Text: "abc"}, []Record{{Rev: 5, Op: NewOp(Skip(3), Insert("d"))}, {Rev: 6, Op: NewOp(Delete(5))}})
	if !errors.Is(err, ErrPastEnd) {
		t.Errorf("error %v, want ErrPastEnd", err)
	}
}

func TestDiff(t *testing.T) {
	tests := []struct{ from, to, want string }{
		{"", "", "[]"},
		{"abc", "abc", "[]"},
		{"", "héllo", `["héllo"]`},
		{"héllo", "", `[{"d":"héllo"}]`},
		{"hello world", "hello brave world", `[6,"brave "]`},
		{"a😀b", "a😅b", `[1,{"d":"😀"},"😅"]`},
		{"aaa", "aa", `[2,{"d":"a"}]`},
		{"line 1\nline 2\n", "line 1\nline two\nline 3\n", `[12,{"d":"2"},"two\nline 3"]`},
	}
	for _, tt := range tests {
		op := Diff(tt.from, tt.to)
		if op.String() != tt.want {
			t.Errorf("Diff(%q, %q) = %v, want %s", tt.from, tt.to, op, tt.want)
		}
	}
}

// TestPropertyDiffApplies checks that Diff's op turns one random text into
// another.
func TestPropertyDiffApplies(t *testing.T) {
	rng, fail := testRand(t)
	for range 1000 {
		from, to := randomDoc(rng), randomDoc(rng)
		if rng.IntN(2) == 0 {
			to = mustApply(fail, from, randomOp(rng, from, mixedText))
		}
		op := Diff(from, to)
		if err := op.Validate(); err != nil {
			fail("Diff(%q, %q) = %v: %v", from, to, op, err)
		}
		if got := mustApply(fail, from, op); got != to {
			fail("Diff(%q, %q) = %v gives %q", from, to, op, got)
		}
	}
}
