package main

import (
	"reflect"
	"testing"
	"time"
)

// TestTracker feeds the tracker acks and deliveries in various orders and
// checks the latencies it measures and the losses it reports.
func TestTracker(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	type step struct {
		ack    bool
		rev    int
		author string
		edits  []int // ms, for acks
		seenAt int   // ms, for deliveries
	}
	ack := func(rev int, author string, edits ...int) step {
		return step{ack: true, rev: rev, author: author, edits: edits}
	}
	seen := func(rev int, author string, ms int) step { return step{rev: rev, author: author, seenAt: ms} }
	tests := []struct {
		name       string
		steps      []step
		wantFanout []time.Duration
		wantLoss   losses
		wantBad    int
	}{
		{
			name:       "ack first, latency to the last delivery",
			steps:      []step{ack(1, "w", 10), seen(1, "w", 13), seen(1, "w", 15)},
			wantFanout: []time.Duration{5 * time.Millisecond},
		},
		{
			name:       "deliveries before the ack",
			steps:      []step{seen(1, "w", 12), seen(1, "w", 11), ack(1, "w", 10)},
			wantFanout: []time.Duration{2 * time.Millisecond},
		},
		{
			name:       "a composed op measures each of its edits",
			steps:      []step{ack(1, "w", 10, 14), seen(1, "w", 20), seen(1, "w", 20)},
			wantFanout: []time.Duration{10 * time.Millisecond, 6 * time.Millisecond},
		},
		{
			name:  "edits outside the window are not measured",
			steps: []step{ack(1, "w", 5), seen(1, "w", 8), seen(1, "w", 8), ack(2, "w", 100), seen(2, "w", 101), seen(2, "w", 101)},
		},
		{
			name:     "an acked op one client never got is lost",
			steps:    []step{ack(1, "w", 10), seen(1, "w", 12)},
			wantLoss: losses{Ops: 1, Deliveries: 1},
		},
		{
			name:     "another author's op is foreign, not lost",
			steps:    []step{seen(1, "human", 12)},
			wantLoss: losses{Foreign: 1},
		},
		{
			name:       "one revision with two authors is a mismatch",
			steps:      []step{ack(1, "w", 10), seen(1, "v", 12), seen(1, "w", 12)},
			wantFanout: []time.Duration{2 * time.Millisecond},
			wantBad:    1,
		},
		{
			name:     "an op acked twice is a mismatch",
			steps:    []step{ack(1, "w", 10), ack(1, "w", 10)},
			wantLoss: losses{Ops: 1, Deliveries: 2},
			wantBad:  1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTracker(3) // each op must reach two others
			tr.setWindow(at(10), at(100))
			for _, s := range tc.steps {
				if s.ack {
					var edits []time.Time
					for _, e := range s.edits {
						edits = append(edits, at(e))
					}
					tr.ack(s.rev, s.author, edits, time.Millisecond)
				} else {
					tr.seen(s.rev, s.author, at(s.seenAt))
				}
			}
			if !reflect.DeepEqual(tr.fanout, tc.wantFanout) {
				t.Errorf("fan-out %v, want %v", tr.fanout, tc.wantFanout)
			}
			if got := tr.losses(); got != tc.wantLoss {
				t.Errorf("losses %+v, want %+v", got, tc.wantLoss)
			}
			if tr.mismatches != tc.wantBad {
				t.Errorf("mismatches %d, want %d", tr.mismatches, tc.wantBad)
			}
		})
	}
}

func TestEditQueue(t *testing.T) {
	var q editQueue
	t0 := time.Unix(0, 0)
	for i := range 3000 {
		q.push(t0.Add(time.Duration(i)))
	}
	for i := 0; i < 2999; i += 3 {
		got, err := q.take(3)
		if err != nil || len(got) != 3 || got[0] != t0.Add(time.Duration(i)) || got[2] != t0.Add(time.Duration(i+2)) {
			t.Fatalf("take at %d: %v, %v", i, got, err)
		}
		q.push(t0.Add(time.Duration(3000 + i)))
	}
	// Left: the 1000 pushed in the loop, oldest first.
	rest, err := q.take(1000)
	if err != nil {
		t.Fatalf("take the rest: %v", err)
	}
	if len(rest) != 1000 || rest[0] != t0.Add(3000) || rest[999] != t0.Add(3000+2997) {
		t.Fatalf("take the rest: %d times from %v to %v", len(rest), rest[0], rest[len(rest)-1])
	}
	if _, err := q.take(1); err == nil {
		t.Fatal("took more edits than were made")
	}
}

func TestSummarise(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	got := summarise(ds)
	want := percentiles{Count: 100, P50: ms(50 * time.Millisecond), P90: ms(90 * time.Millisecond), P99: ms(99 * time.Millisecond), Max: ms(100 * time.Millisecond)}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if one := summarise([]time.Duration{7}); one.P50 != 7 || one.P99 != 7 {
		t.Fatalf("one sample: %+v", one)
	}
	if none := summarise(nil); none != (percentiles{}) {
		t.Fatalf("no samples: %+v", none)
	}
}
