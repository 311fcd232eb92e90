package collab

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
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
	insert := Record{Op: NewOp(Skip(3), Insert("d"))}
	invalid := Record{Op: NewOp(Delete(MaxCount + 1))}
	tests := []struct {
		name string
		recs []Record
		want error
		says string
	}{
		{"a delete past the end", []Record{insert, {Op: NewOp(Delete(5))}}, ErrPastEnd, "revisions 5 to 6"},
		{"an invalid op among others", []Record{insert, insert, invalid, insert, insert}, ErrInvalidOp, "revision 7:"},
		{"an invalid op last, alone at its level", []Record{insert, insert, insert, insert, invalid}, ErrInvalidOp, "revision 9:"},
		{"an invalid op alone", []Record{invalid}, ErrInvalidOp, "revision 5:"},
	}
	for _, tt := range tests {
		for i := range tt.recs {
			tt.recs[i].Rev = 5 + i
		}
		_, err := ReplayText(Snapshot{Rev: 4, Text: "abc"}, tt.recs)
		if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%s: error %v, want %v naming %q", tt.name, err, tt.want, tt.says)
		}
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

// BenchmarkReplayText replays the ops after a checkpoint of a 33 KB text,
// as a read of an old revision does: typing, a character or a word at a
// time at a place that moves now and then, with some deletes, as
// store/storetest.BuildLongPad writes its pad.
func BenchmarkReplayText(b *testing.B) {
	rng := rand.New(rand.NewPCG(11, 0))
	snap := Snapshot{Rev: 100, Text: benchCheckpointText(rng)}
	doc := NewDoc(snap.Text)
	var recs []Record
	pos := rng.IntN(doc.Len())
	for rev := snap.Rev + 1; rev < snap.Rev+CheckpointEvery; rev++ {
		if rng.IntN(50) == 0 {
			pos = rng.IntN(doc.Len() + 1)
		}
		op := Normalize(NewOp(Skip(pos), Insert(string(benchChars[rng.IntN(len(benchChars))]))))
		pos++
		if rng.IntN(10) == 0 && pos > 1 {
			pos -= 2
			op = Normalize(NewOp(Skip(pos), Delete(2)))
		}
		if err := doc.Apply(op); err != nil {
			b.Fatal(err)
		}
		recs = append(recs, Record{Rev: rev, Op: op})
	}
	for _, n := range []int{10, 50, 99} {
		b.Run(fmt.Sprint(n, "-ops"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ReplayText(snap, recs[:n]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchChars are the characters of benchCheckpointText, as
// store/storetest.BuildLongPad types them: one in 19 is not ASCII.
var benchChars = []rune("abcdefghijklmnopqrstuvwxyz      \né😀")

// benchCheckpointText returns 33 KB of benchChars in random order.
func benchCheckpointText(rng *rand.Rand) string {
	var text strings.Builder
	for text.Len() < 33_000 {
		text.WriteRune(benchChars[rng.IntN(len(benchChars))])
	}
	return text.String()
}

// BenchmarkCheckText checks a 33 KB checkpoint text as a read of an old
// revision does: against its sum, and, for a snapshot saved without one,
// its UTF-8.
func BenchmarkCheckText(b *testing.B) {
	text := benchCheckpointText(rand.New(rand.NewPCG(11, 0)))
	for _, snap := range []Snapshot{{Text: text, Sum: TextSum(text)}, {Text: text}} {
		name := "sum"
		if snap.Sum == 0 {
			name = "utf-8"
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				if err := snap.checkText(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
