package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// joinReport is what connecting the run's clients cost: how long it took
// (the join storm), what each reader received meanwhile, and the servers'
// memory per connection.
type joinReport struct {
	// Connect is from the first dial until every client had its welcome.
	Connect ms `json:"connect_ms"`
	// ReaderBytes summarises the bytes each reader received from its
	// welcome until joinSettle after the last client connected.
	ReaderBytesMean float64 `json:"reader_bytes_mean"`
	ReaderBytesMax  int64   `json:"reader_bytes_max"`
	// RSS is the --pid servers' resident memory before the first dial
	// and joinSettle after the last client connected; PerConn the growth
	// per connection, in bytes. Zero without --pid.
	RSSBefore int64   `json:"rss_before_bytes"`
	RSSJoined int64   `json:"rss_joined_bytes"`
	PerConn   float64 `json:"rss_per_connection_bytes"`
	// rssBefore is read before connecting.
	rssBefore int64
}

// settle waits joinSettle, then reads what the readers received and the
// servers' memory.
func (j *joinReport) settle(ctx context.Context, cfg config, clients []*loadClient) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(joinSettle):
	}
	var got []int64
	for _, lc := range clients {
		if !lc.writer {
			got = append(got, lc.received.Load())
		}
	}
	if len(got) > 0 {
		var sum int64
		for _, n := range got {
			sum += n
		}
		j.ReaderBytesMean = float64(sum) / float64(len(got))
		j.ReaderBytesMax = slices.Max(got)
	}
	if len(cfg.PIDs) == 0 {
		return nil
	}
	rss, err := residentBytes(cfg.PIDs)
	if err != nil {
		return err
	}
	j.RSSBefore, j.RSSJoined = j.rssBefore, rss
	j.PerConn = float64(rss-j.rssBefore) / float64(len(clients))
	return nil
}

// writeText prints the join line(s) of the text report.
func (j joinReport) writeText(b *strings.Builder) {
	fmt.Fprintf(b, "join: every client connected in %v; each reader received %.0f bytes on average (max %d) until %v after\n",
		j.Connect, j.ReaderBytesMean, j.ReaderBytesMax, joinSettle)
	if j.RSSJoined > 0 {
		fmt.Fprintf(b, "server RSS: %.1f MiB before, %.1f MiB joined = %.1f KiB per connection\n",
			float64(j.RSSBefore)/(1<<20), float64(j.RSSJoined)/(1<<20), j.PerConn/1024)
	}
}
