package storetest

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
// median, 99th percentile and longest read (16 at a time also the 99th
// percentile of the first pass over the revisions, whose checkpoints were
// never read, and of the reads after it), and every text read is checked
// against the one written.
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
		// The first pass over revs reads checkpoints never read before;
		// the reads after it find them (and their ops) in the cache.
		var (
			mu           sync.Mutex
			first, later []time.Duration
			next         atomic.Int64
		)
		b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0))) // RunParallel starts GOMAXPROCS times as many goroutines
		b.RunParallel(func(pb *testing.PB) {
			var (
				mineFirst, mineLater []time.Duration
				buf                  []byte
			)
			for pb.Next() {
				i := int(next.Add(1))
				if took := read(b, e, i, &buf); i <= len(revs) {
					mineFirst = append(mineFirst, took)
				} else {
					mineLater = append(mineLater, took)
				}
			}
			mu.Lock()
			first = append(first, mineFirst...)
			later = append(later, mineLater...)
			mu.Unlock()
		})
		report(b, append(slices.Clone(first), later...))
		for _, pass := range []struct {
			name string
			lat  []time.Duration
		}{{"first-pass", first}, {"later", later}} {
			if len(pass.lat) >= 100 {
				slices.Sort(pass.lat)
				b.ReportMetric(float64(pass.lat[len(pass.lat)*99/100].Microseconds()), pass.name+"-p99-µs")
			}
		}
	}
	b.Run("16-at-once", func(b *testing.B) { atOnce(b, collab.Config{Log: log}) })
	// The checkpoint cache holds this pad's 500 checkpoints (8 MB); with a
	// cache too small for any, every read reads its checkpoint's text.
	b.Run("16-at-once-uncached", func(b *testing.B) { atOnce(b, collab.Config{Log: log, CheckpointCacheBytes: 1}) })
}

// AttributionPadLen is the length in revisions of BenchmarkOldAttribution's
// pad.
const AttributionPadLen = 20_000

// BenchmarkOldAttribution writes a pad of AttributionPadLen revisions to
// log through an engine, one character a revision typed by 7 authors in
// turn at random places (a pad of many runs, whose stored attributions are
// thousands of revisions apart), and reads the attribution of its old
// revisions through a new engine, as a timeslider does: playing forward
// in steps of 50 revisions, and scrubbing to revisions far apart. Each
// reports the median and 99th percentile read.
func BenchmarkOldAttribution(b *testing.B, log collab.Log) {
	e := collab.NewEngine(collab.Config{Log: log})
	rng := rand.New(rand.NewPCG(1, 2))
	for rev := range AttributionPadLen {
		author := fmt.Sprint("author-", rev%7)
		op := collab.Normalize(collab.NewOp(collab.Skip(rng.IntN(rev+1)), collab.Insert("x")))
		if _, err := e.Submit(b.Context(), "authors", collab.Submission{Client: author, Seq: rev/7 + 1, Author: author, Base: rev, Op: op}); err != nil {
			b.Fatal(err)
		}
	}
	e.Close()
	for _, tc := range []struct {
		name string
		rev  func(i int) int
	}{
		{"play", func(i int) int { return i*50%(AttributionPadLen-100) + 1 }},
		{"scrub", func(i int) int { return i*9973%(AttributionPadLen-100) + 50 }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			e := collab.NewEngine(collab.Config{Log: log})
			defer e.Close()
			if _, err := e.Head(b.Context(), "authors"); err != nil {
				b.Fatal(err)
			}
			var lat []time.Duration
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				if _, _, err := e.Attribution(b.Context(), "authors", tc.rev(i)); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}
