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
