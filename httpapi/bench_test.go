package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
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
