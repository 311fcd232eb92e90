package redisstore

import (
	"slices"
	"strings"
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
