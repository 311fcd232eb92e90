package redisstore

import (
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confpad/confpad/internal/testutil"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/store/redisstore/redistest"
	"github.com/confpad/confpad/store/storetest"
)

// BenchmarkAppendToFeed measures one replica's Append until another
// replica's Feed delivers the record: the cross-replica part of fan-out.
// It reports the p50 and p99 of that latency besides ns/op.
func BenchmarkAppendToFeed(b *testing.B) {
	srv := redistest.Start(b, "--appendfsync", "everysec")
	prefix := testPrefix(b)
	writer, reader := openStore(b, srv.URL(), prefix), openStore(b, srv.URL(), prefix)
	got := make(chan time.Time, 1024)
	defer reader.Subscribe("bench", func(recs []collab.Record) {
		if recs != nil {
			got <- time.Now()
		}
	})()
	testutil.Eventually(b, "the subscription", func() bool {
		return subscribed(b, srv, reader)
	})
	ctx := b.Context()
	lat := make([]time.Duration, 0, b.N)
	rec := []collab.Record{{Op: collab.NewOp(collab.Insert("x")), Client: "bench", Seq: 1}}
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		if err := writer.Append(ctx, "bench", i, rec); err != nil {
			b.Fatal(err)
		}
		select {
		case at := <-got:
			lat = append(lat, at.Sub(start))
		case <-time.After(waitTimeout):
			b.Fatal("record not delivered")
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// subscribed reports whether s has a shard-channel subscription on srv.
func subscribed(t testing.TB, srv *redistest.Server, s *Store) bool {
	list, err := srv.Do(t.Context(), "PUBSUB", "SHARDNUMSUB", s.padKey("bench", "ops"))
	return err == nil && list != "" && !strings.HasSuffix(list, "\n0")
}

// BenchmarkOldRevision is storetest.BenchmarkOldRevision on one
// redis-server (AOF, fsync every second, as BenchmarkAppendToFeed); a
// restart is a new Store, a new client, on the same server and prefix,
// as a restarted replica finds it.
func BenchmarkOldRevision(b *testing.B) {
	srv := redistest.Start(b, "--appendfsync", "everysec")
	prefix := testPrefix(b)
	storetest.BenchmarkOldRevision(b, openStore(b, srv.URL(), prefix), func(b *testing.B) collab.Log {
		return openStore(b, srv.URL(), prefix)
	})
}

// BenchmarkFetchAtOnce is the floor under BenchmarkOldRevision's 16 at
// once on Redis: 16 goroutines (however many CPUs) each fetching a 33 KB
// snapshot text, as a read of a checkpoint not cached does, through the
// store's client from the same redis-server, and nothing else. It reports
// the median and 99th percentile fetch.
func BenchmarkFetchAtOnce(b *testing.B) {
	srv := redistest.Start(b, "--appendfsync", "everysec")
	s := openStore(b, srv.URL(), testPrefix(b))
	key := s.padKey("floor", "snaptext")
	text := strings.Repeat("notes, é and 😀\n", 33_000/19)
	for rev := range 500 {
		if err := s.rdb.HSet(b.Context(), key, strconv.Itoa(rev), text).Err(); err != nil {
			b.Fatal(err)
		}
	}
	var (
		mu   sync.Mutex
		lat  []time.Duration
		next atomic.Int64
	)
	b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			rev := strconv.Itoa(int(next.Add(1) % 500))
			start := time.Now()
			got, err := s.rdb.HGet(b.Context(), key, rev).Result()
			mine = append(mine, time.Since(start))
			if err != nil || len(got) != len(text) {
				b.Errorf("HGET %s: %d bytes, %v", rev, len(got), err)
				return
			}
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
