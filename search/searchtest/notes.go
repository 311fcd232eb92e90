package searchtest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confpad/confpad/search"
)

// kernelWords are common words of conference notes.
var kernelWords = strings.Fields(`the a and of to in is for on that with kernel scheduler
memory barrier rcu lock tracing ftrace perf ebpf patch series maintainer upstream
driver device tree bpf cgroup namespace io_uring filesystem ext4 btrfs xfs page cache
allocator slab numa cpu frequency power thermal latency realtime preempt_rt interrupt
softirq workqueue timer clock virtualization kvm qemu container security lsm selinux
audio alsa pipewire graphics drm mesa wayland toolchain gcc clang rust compiler build
testing kselftest kunit ci regression bisect performance benchmark question answer
slides next steps action item discussion proposal consensus`)

// Notes returns about size bytes of made-up conference notes: Markdown-ish
// lines of words with a Zipf-like spread (a few very common, many rare,
// including synthetic tokens), reproducible from seed.
func Notes(seed uint64, size int) string {
	r := rand.New(rand.NewPCG(seed, 1))
	zipf := rand.NewZipf(r, 1.1, 1, 20000)
	var b strings.Builder
	for b.Len() < size {
		if r.IntN(12) == 0 {
			b.WriteString("## ")
		} else if r.IntN(3) == 0 {
			b.WriteString("- ")
		}
		for n := 6 + r.IntN(12); n > 0; n-- {
			k := int(zipf.Uint64())
			if k < len(kernelWords) {
				b.WriteString(kernelWords[k])
			} else {
				fmt.Fprintf(&b, "w%d", k)
			}
			b.WriteByte(' ')
		}
		b.WriteString("\n")
	}
	return b.String()
}

// BenchQueries are the queries the search benchmarks run, in turn: common
// and rare words, phrases, prefixes, and a miss.
var BenchQueries = []string{
	"scheduler", "memory barrier", `"memory barrier"`, "sched*", "w19999", "w1234 kernel",
	"rcu lock tracing", "nothingmatches", "io_uring", "perf ebpf latency",
}

// BenchmarkIndex runs BenchQueries in turn on ix (already filled) with a
// limit of 10, and reports the median and 99th percentile latency.
func BenchmarkIndex(b *testing.B, ix search.Index) {
	queries := make([]search.Query, len(BenchQueries))
	for i, q := range BenchQueries {
		var err error
		if queries[i], err = search.ParseQuery(q); err != nil {
			b.Fatal(err)
		}
	}
	var took []time.Duration
	i := 0
	for b.Loop() {
		start := time.Now()
		if _, err := ix.Search(b.Context(), queries[i%len(queries)], 10); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
		i++
	}
	ReportPercentiles(b, took)
}

// ReportPercentiles reports the median and 99th percentile of took in
// microseconds.
func ReportPercentiles(b *testing.B, took []time.Duration) {
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
}
