package collab

import (
	"runtime"
	"strings"
	"testing"
)

// benchmarkReplay replays every edit of the trace name into a fresh Doc per
// iteration, one single-edit op at a time, and reports the cost per edit.
func benchmarkReplay(b *testing.B, name string) {
	tr := loadSequentialTrace(b, name)
	ops := opsOf(tr)
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var d *Doc
	for b.Loop() {
		d = NewDoc(tr.StartContent)
		for _, op := range ops {
			if err := d.Apply(op); err != nil {
				b.Fatal(err)
			}
		}
	}
	runtime.ReadMemStats(&after)
	if d.String() != tr.EndContent {
		b.Fatalf("replay of %s does not end at endContent", name)
	}
	edits := float64(b.N) * float64(len(ops))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/edits, "ns/edit")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/edits, "allocs/edit")
}

// BenchmarkReplayAutomergePaper replays the automerge-paper trace: 259,778
// single-character edits, mostly typing. Goal: under 20 ms per iteration
// and at most one allocation per edit.
func BenchmarkReplayAutomergePaper(b *testing.B) { benchmarkReplay(b, "automerge-paper") }

// BenchmarkReplayRustcode replays the rustcode trace: 40,173 edits,
// including pastes and deletes of tens of thousands of characters.
func BenchmarkReplayRustcode(b *testing.B) { benchmarkReplay(b, "rustcode") }

// BenchmarkKeystroke1MB types one character into the middle of a 1 MB
// document and deletes it again: two ops per iteration.
func BenchmarkKeystroke1MB(b *testing.B) {
	line := "The quick brown fox jumps over the lazy dog, naïvely — 😀\n"
	text := strings.Repeat(line, (1<<20)/len(line)+1)
	d := NewDoc(text)
	mid := d.Len() / 2
	ins := NewOp(Skip(mid), Insert("x"))
	del := NewOp(Skip(mid), Delete(1))
	b.ReportAllocs()
	for b.Loop() {
		if err := d.Apply(ins); err != nil {
			b.Fatal(err)
		}
		if err := d.Apply(del); err != nil {
			b.Fatal(err)
		}
	}
	if d.String() != text {
		b.Fatal("the document changed")
	}
}
