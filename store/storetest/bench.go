package storetest

import (
	"maps"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confpad/confpad/collab"
)

// OldRevisionPadLen is the length in revisions of BenchmarkOldRevision's
// pad, issue 11's long pad.
const OldRevisionPadLen = 50_000

// BenchmarkOldRevision writes a pad of OldRevisionPadLen revisions to log
// (BuildLongPad) and reads random revisions of it (every 97th) through
// the engine's AppendText into a buffer each reader reuses, as GET
// /api/v1/pads/{id}/text?rev=R does, in four
// sub-benchmarks: with the pad loaded; right after a restart (every 100
// reads a new engine over restart(b), a new Log on the same storage, the
// pad not loaded and no checkpoint cached); and 16 reads at a time on a
// loaded pad (16 goroutines however many CPUs), with the engine's
// checkpoint cache and with one too small for any text. Each reports the
// median, 99th percentile and longest read, and every text read is
// checked against the one written.
func BenchmarkOldRevision(b *testing.B, log collab.Log, restart func(b *testing.B) collab.Log) {
	want := BuildLongPad(b, log, "long", OldRevisionPadLen)
	revs := slices.Sorted(maps.Keys(want))
	shuffle := rand.New(rand.NewPCG(5, 0))
	shuffle.Shuffle(len(revs), func(i, j int) { revs[i], revs[j] = revs[j], revs[i] })
	// read reads into buf, as the handler does into a pooled buffer.
	read := func(b *testing.B, e *collab.Engine, i int, buf *[]byte) time.Duration {
		rev := revs[i%len(revs)]
		start := time.Now()
		text, _, err := e.AppendText(b.Context(), (*buf)[:0], "long", rev)
		took := time.Since(start)
		if err != nil || string(text) != want[rev] {
			b.Fatalf("AppendText(%d): %d bytes, %v; want %d", rev, len(text), err, len(want[rev]))
		}
		*buf = text
		return took
	}
	report := func(b *testing.B, lat []time.Duration) {
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		b.ReportMetric(float64(lat[len(lat)-1].Microseconds()), "max-µs")
	}
	load := func(b *testing.B, e *collab.Engine) {
		if _, err := e.Head(b.Context(), "long"); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("loaded", func(b *testing.B) {
		e := collab.NewEngine(collab.Config{Log: log})
		defer e.Close()
		load(b, e)
		var (
			lat []time.Duration
			buf []byte
		)
		for i := 0; b.Loop(); i++ {
			lat = append(lat, read(b, e, i, &buf))
		}
		report(b, lat)
		b.ReportMetric(float64(len(want[revs[0]])), "bytes-of-a-text")
	})
	b.Run("after-restart", func(b *testing.B) {
		var (
			lat []time.Duration
			e   *collab.Engine
			buf []byte
		)
		for i := 0; b.Loop(); i++ {
			if i%100 == 0 {
				b.StopTimer()
				if e != nil {
					e.Close()
				}
				e = collab.NewEngine(collab.Config{Log: restart(b)})
				b.StartTimer()
			}
			lat = append(lat, read(b, e, i, &buf))
		}
		e.Close()
		report(b, lat)
	})
	atOnce := func(b *testing.B, cfg collab.Config) {
		e := collab.NewEngine(cfg)
		defer e.Close()
		load(b, e)
		var (
			mu   sync.Mutex
			lat  []time.Duration
			next atomic.Int64
		)
		b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0))) // RunParallel starts GOMAXPROCS times as many goroutines
		b.RunParallel(func(pb *testing.PB) {
			var (
				mine []time.Duration
				buf  []byte
			)
			for pb.Next() {
				mine = append(mine, read(b, e, int(next.Add(1)), &buf))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
		report(b, lat)
	}
	b.Run("16-at-once", func(b *testing.B) { atOnce(b, collab.Config{Log: log}) })
	// The checkpoint cache holds this pad's 500 checkpoints (8 MB); with a
	// cache too small for any, every read reads its checkpoint's text.
	b.Run("16-at-once-uncached", func(b *testing.B) { atOnce(b, collab.Config{Log: log, CheckpointCacheBytes: 1}) })
}
