package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/confpad/confpad/collab"
)

// BenchmarkHubFanout measures ops per second delivered to 100 real
// loopback websocket connections through the hub's encode-once path (the
// engine's OnCommit), without storage. One op is one record broadcast to
// all 100 connections; the clients' reading shares the machine.
func BenchmarkHubFanout(b *testing.B) {
	const conns, window = 100, 256
	ts := newTestServer(b, Config{SendQueue: 4 * window})
	counts := make([]atomic.Int64, conns)
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for i := range conns {
		c := dial(b, ts, "main")
		c.join(fmt.Sprintf("reader-%d", i), -1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				_, data, err := c.conn.Read(ctx)
				if err != nil {
					return
				}
				if strings.HasPrefix(string(data[:min(len(data), 12)]), `{"type":"op"`) {
					counts[i].Add(1)
				}
			}
		}()
	}
	slowest := func() int64 {
		m := counts[0].Load()
		for i := range counts {
			m = min(m, counts[i].Load())
		}
		return m
	}
	waitFor := func(n int64) {
		deadline := time.Now().Add(time.Minute)
		for slowest() < n {
			if time.Now().After(deadline) {
				b.Fatalf("readers stuck at %d of %d ops", slowest(), n)
			}
			time.Sleep(50 * time.Microsecond)
		}
	}
	op := collab.NewOp(collab.Skip(10), collab.Insert("typing"))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 1; i <= b.N; i++ {
		if i > window {
			waitFor(int64(i - window))
		}
		ts.srv.onCommit("main", []collab.Record{{Rev: i, Op: op, Client: "writer", Seq: i}})
	}
	waitFor(int64(b.N))
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	b.ReportMetric(float64(b.N*conns)/b.Elapsed().Seconds(), "msgs/s")
	cancel()
	ts.stop()
	wg.Wait()
}

// BenchmarkJoin100k measures joining a pad of 100,000 characters: dial,
// join, and read the welcome with the full text.
func BenchmarkJoin100k(b *testing.B) {
	ts := newTestServer(b, Config{})
	w := dial(b, ts, "main")
	w.join("writer", -1)
	text := strings.Repeat("Notes 😀 on the talk.\n", 100000/21+1)[:100000]
	quoted, err := json.Marshal(text)
	if err != nil {
		b.Fatal(err)
	}
	w.op(0, 1, `[`+string(quoted)+`]`)
	want := len(ts.text(b, "main"))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		conn, _, err := websocket.Dial(ctx, ts.wsURL("main"), nil)
		if err != nil {
			b.Fatal(err)
		}
		conn.SetReadLimit(1 << 20)
		join := fmt.Sprintf(`{"type":"join","client":"%s","name":"J"}`, secretOf(fmt.Sprint("j", i)))
		if err := conn.Write(ctx, websocket.MessageText, []byte(join)); err != nil {
			b.Fatal(err)
		}
		_, data, err := conn.Read(ctx)
		if err != nil || len(data) < want {
			b.Fatalf("welcome of %d bytes: %v", len(data), err)
		}
		conn.Close(websocket.StatusNormalClosure, "")
		cancel()
	}
}

// BenchmarkAckLatencyUnderOldOps measures one typist's ack latency (p50,
// p99, max per op) on a pad of 13,600 revisions alone and while 8 other
// connections
// send ops based on revision 0, each at 150 a second (under the frame
// rate limit) or as fast as they are answered if that is slower (issue
// 12, defect 3). Figures are in docs/PERFORMANCE.md.
func BenchmarkAckLatencyUnderOldOps(b *testing.B) {
	for _, flooders := range []int{0, 8} {
		b.Run(fmt.Sprint("flooders=", flooders), func(b *testing.B) { ackLatencyUnderOldOps(b, flooders) })
	}
}

func ackLatencyUnderOldOps(b *testing.B, flooders int) {
	const revisions = 13600
	ts := newTestServer(b, Config{})
	longPad(b, ts, revisions)
	typist := dial(b, ts, "main")
	rev := typist.join("typist", -1).Rev
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	var refused, committed atomic.Int64
	for i := range flooders {
		c := dial(b, ts, "main")
		c.join(fmt.Sprint("flooder-", i), -1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			pace := time.NewTicker(time.Second / 150)
			defer pace.Stop()
			for seq := 1; ctx.Err() == nil; seq++ {
				<-pace.C
				msg := fmt.Sprintf(`{"type":"op","rev":0,"seq":%d,"op":["z"]}`, seq)
				if c.conn.Write(ctx, websocket.MessageText, []byte(msg)) != nil {
					return
				}
				for answered := false; !answered; {
					_, data, err := c.conn.Read(ctx)
					if err != nil {
						return
					}
					switch {
					case strings.HasPrefix(string(data), `{"type":"ack"`):
						committed.Add(1)
						answered = true
					case strings.HasPrefix(string(data), `{"type":"error"`):
						refused.Add(1)
						answered = true
					}
				}
			}
		}()
	}
	time.Sleep(200 * time.Millisecond) // let the flood start
	lat := typistLatency(b, typist, rev, 0)
	cancel()
	typist.conn.CloseNow()
	ts.stop()
	wg.Wait()
	reportLatency(b, lat)
	b.ReportMetric(float64(refused.Load()+committed.Load())/b.Elapsed().Seconds(), "flood-ops/s")
}

// typistLatency has typist, joined at revision rev, send b.N one-character
// ops, each after the ack of the one before and at least every apart (0:
// at once), and returns the time from sending each to its ack, timing
// only that loop.
func typistLatency(b *testing.B, typist *wsClient, rev int, every time.Duration) []time.Duration {
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	next := time.Now()
	for seq := 1; seq <= b.N; seq++ {
		time.Sleep(time.Until(next))
		start := time.Now()
		next = start.Add(every)
		typist.sendRaw(fmt.Sprintf(`{"type":"op","rev":%d,"seq":%d,"op":["t"]}`, rev, seq))
		for {
			m := typist.read()
			if m.Type == "ack" && m.Seq == seq {
				rev = m.Rev
				break
			}
			if m.Type == "error" {
				b.Fatalf("typist's op refused: %s %s", m.Code, m.Message)
			}
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	return lat
}

// reportLatency reports the p50, p99 and max of lat in milliseconds.
func reportLatency(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
}
