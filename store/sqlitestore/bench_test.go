package sqlitestore

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
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

// BenchmarkOldRevision reads random revisions of a 50,000-revision pad
// through the engine, as GET /api/v1/pads/{id}/text?rev=R does: with the
// pad loaded, right after a restart (a new store and engine on the same
// file, the pad not loaded, no checkpoint cached), and 16 reads at a time
// on a loaded pad, with the engine's checkpoint cache and without. It reports
// the median and 99th percentile read and checks every text against the
// one written.
func BenchmarkOldRevision(b *testing.B) {
	const n = 50_000
	s, path := openTemp(b)
	want := storetest.BuildLongPad(b, s, "long", n)
	revs := slices.Sorted(maps.Keys(want))
	read := func(b *testing.B, e *collab.Engine, i int) time.Duration {
		rev := revs[i%len(revs)]
		start := time.Now()
		text, _, err := e.Text(b.Context(), "long", rev)
		took := time.Since(start)
		if err != nil || text != want[rev] {
			b.Fatalf("Text(%d): %d characters, %v; want %d", rev, len(text), err, len(want[rev]))
		}
		return took
	}
	report := func(b *testing.B, lat []time.Duration) {
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		b.ReportMetric(float64(lat[len(lat)-1].Microseconds()), "max-µs")
	}
	shuffle := rand.New(rand.NewPCG(5, 0))
	shuffle.Shuffle(len(revs), func(i, j int) { revs[i], revs[j] = revs[j], revs[i] })

	load := func(b *testing.B, e *collab.Engine) {
		if _, err := e.Head(b.Context(), "long"); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("loaded", func(b *testing.B) {
		e := collab.NewEngine(collab.Config{Log: s})
		defer e.Close()
		load(b, e)
		var lat []time.Duration
		for i := 0; b.Loop(); i++ {
			lat = append(lat, read(b, e, i))
		}
		report(b, lat)
		b.ReportMetric(float64(len(want[revs[0]])), "bytes-of-a-text")
	})
	b.Run("after-restart", func(b *testing.B) {
		var lat []time.Duration
		for i := 0; b.Loop(); i++ {
			if i%100 == 0 {
				b.StopTimer()
				s2, err := Open(b.Context(), path)
				if err != nil {
					b.Fatal(err)
				}
				e := collab.NewEngine(collab.Config{Log: s2})
				b.Cleanup(func() { e.Close(); s2.Close() })
				b.StartTimer()
				for j := range 100 {
					lat = append(lat, read(b, e, i+j))
				}
			}
		}
		report(b, lat)
	})
	atOnce := func(b *testing.B, cfg collab.Config) {
		e := collab.NewEngine(cfg)
		defer e.Close()
		load(b, e)
		var mu sync.Mutex
		var lat []time.Duration
		var next atomic.Int64
		b.SetParallelism(8) // 16 goroutines on 2 CPUs
		b.RunParallel(func(pb *testing.PB) {
			var mine []time.Duration
			for pb.Next() {
				mine = append(mine, read(b, e, int(next.Add(1))))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
		report(b, lat)
	}
	b.Run("16-at-once", func(b *testing.B) { atOnce(b, collab.Config{Log: s}) })
	// The checkpoint cache holds this pad's 500 checkpoints (8 MB); with a
	// cache too small for any, every read reads its checkpoint's text.
	b.Run("16-at-once-uncached", func(b *testing.B) { atOnce(b, collab.Config{Log: s, CheckpointCacheBytes: 1}) })
}
