package sqlitestore

import (
	"fmt"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/store/storetest"
)

// keystroke is the record of one typed character, the common append.
func keystroke(seq int) []collab.Record {
	return []collab.Record{{Op: collab.NewOp(collab.Skip(seq), collab.Insert("x")), Client: "bench", Seq: seq}}
}

// BenchmarkAppendSerial appends one keystroke at a time to one pad, each
// waiting for its commit: the worst case, one fsync per op.
func BenchmarkAppendSerial(b *testing.B) {
	s, _ := openTemp(b)
	head := 0
	for b.Loop() {
		if err := s.Append(b.Context(), "pad", head, keystroke(head+1)); err != nil {
			b.Fatal(err)
		}
		head++
	}
	b.ReportMetric(float64(head)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkAppendAfterIdle is BenchmarkAppendSerial with 10 ms of
// idleness (not timed) before each append, as when people type: the disk
// and the writer goroutine have gone idle, and each commit pays to wake
// them. It reports the median and 99th percentile commit, the floor under
// any durable ack's latency on this disk.
func BenchmarkAppendAfterIdle(b *testing.B) {
	s, _ := openTemp(b)
	head := 0
	var took []time.Duration
	for b.Loop() {
		b.StopTimer()
		time.Sleep(10 * time.Millisecond)
		b.StartTimer()
		start := time.Now()
		if err := s.Append(b.Context(), "pad", head, keystroke(head+1)); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
		head++
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkAppendParallel appends keystrokes to 16 pads at once (more if
// GOMAXPROCS does not divide 16), one writer per pad, each waiting for its commit; group commit lets one fsync
// cover many of them.
func BenchmarkAppendParallel(b *testing.B) {
	const pads = 16
	s, _ := openTemp(b)
	var next atomic.Int64
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((pads + procs - 1) / procs) // RunParallel starts procs*parallelism goroutines
	b.RunParallel(func(pb *testing.PB) {
		pad := fmt.Sprintf("pad-%d", next.Add(1))
		head := 0
		for pb.Next() {
			if err := s.Append(b.Context(), pad, head, keystroke(head+1)); err != nil {
				b.Error(err)
				return
			}
			head++
		}
	})
	st := s.CommitStats()
	b.ReportMetric(float64(st.Appends)/b.Elapsed().Seconds(), "ops/s")
	b.ReportMetric(float64(st.Appends)/float64(st.Commits), "ops/commit")
}

// BenchmarkOldRevision is storetest.BenchmarkOldRevision on SQLite; a
// restart is a new Store on the same file (the page cache stays warm).
func BenchmarkOldRevision(b *testing.B) {
	s, path := openTemp(b)
	storetest.BenchmarkOldRevision(b, s, func(b *testing.B) collab.Log {
		s2, err := Open(b.Context(), path)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s2.Close() })
		return s2
	})
}

// BenchmarkOldAttribution is storetest.BenchmarkOldAttribution on SQLite.
func BenchmarkOldAttribution(b *testing.B) {
	s, _ := openTemp(b)
	storetest.BenchmarkOldAttribution(b, s)
}
