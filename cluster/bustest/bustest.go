// Package bustest is the conformance suite of cluster.Bus: one set of
// tests that every implementation (the memory bus, the Redis bus) must
// pass.
package bustest

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/confpad/confpad/cluster"
	"github.com/confpad/confpad/conference"
)

// waitTimeout bounds every wait for a delivery.
const waitTimeout = 20 * time.Second

// Open returns two handles on one fresh bus, as two replicas would hold
// it (they may be the same value). The bus must be empty: no other test
// publishes on it.
type Open func(t *testing.T) (a, b cluster.Bus)

// Run runs the suite on the buses open returns.
func Run(t *testing.T, open Open) {
	t.Run("EveryMessageInOrderToEveryReplica", func(t *testing.T) { testOrder(t, open) })
	t.Run("CancelStopsDelivery", func(t *testing.T) { testCancel(t, open) })
}

// recorder collects the messages a bus delivers.
type recorder struct {
	mu   sync.Mutex
	msgs []cluster.Message
}

func (r *recorder) add(m cluster.Message) {
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	r.mu.Unlock()
}

// from returns the messages received from replica.
func (r *recorder) from(replica string) []cluster.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	var got []cluster.Message
	for _, m := range r.msgs {
		if m.Replica == replica {
			got = append(got, m)
		}
	}
	return got
}

// started publishes probes from a until every recorder has one: a bus
// delivers what is published after Subscribe returns, but a network bus
// may take a moment to have its subscription in place.
func started(t *testing.T, a cluster.Bus, recs ...*recorder) {
	t.Helper()
	probe := cluster.Message{Replica: "probe", Pad: "p", Kind: cluster.KindUsers}
	deadline := time.Now().Add(waitTimeout)
	for _, r := range recs {
		for len(r.from("probe")) == 0 {
			if time.Now().After(deadline) {
				t.Fatal("subscriptions never started")
			}
			if err := a.Publish(t.Context(), probe); err != nil {
				t.Fatal(err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// messages returns n messages of every kind, with every field set
// somewhere, non-ASCII text and times to the millisecond.
func messages(replica string, n int) []cluster.Message {
	sel := [2]int{3, 5}
	links := []conference.Link{{ID: "l1", Title: "Slides", URL: "https://example.org/s.pdf", Added: time.UnixMilli(1e12).UTC()}}
	var ms []cluster.Message
	for i := range n {
		u := cluster.User{Client: fmt.Sprint("c", i), Name: "Ada 😀", Color: "#3366ff", Sel: &sel, Rev: i}
		m := cluster.Message{Replica: replica, Pad: "kernel", Kind: cluster.KindCursor, Users: []cluster.User{u}}
		switch i % 10 {
		case 0:
			m = cluster.Message{Replica: replica, Pad: "kernel", Kind: cluster.KindLinks, Links: links}
		case 1:
			u.Sel = nil
			m = cluster.Message{Replica: replica, Pad: "kernel", Kind: cluster.KindUsers, Users: []cluster.User{u}, Version: "9f"}
		case 2:
			m = cluster.Message{Replica: replica, Pad: "tracing", Kind: cluster.KindState, State: cluster.StateDeleted}
		}
		ms = append(ms, m)
	}
	return ms
}

// waitFor waits until r holds as many messages from replica as want, and
// checks they are want, in order.
func waitFor(t *testing.T, r *recorder, replica string, want []cluster.Message) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		got := r.from(replica)
		if len(got) >= len(want) {
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("messages differ or are out of order:\n got %+v\nwant %+v", got, want)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d of %d messages", len(got), len(want))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// testOrder: every subscriber, on the publisher's replica and on the
// other, gets every message, intact, in the order it was published.
func testOrder(t *testing.T, open Open) {
	a, b := open(t)
	var atA, atB recorder
	defer a.Subscribe(atA.add)()
	defer b.Subscribe(atB.add)()
	started(t, a, &atA, &atB)
	sent := messages("replica-b", 50)
	for _, m := range sent {
		if err := b.Publish(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, &atA, "replica-b", sent)
	waitFor(t, &atB, "replica-b", sent)
}

// testCancel: after cancel returns, fn is not called again, while other
// subscribers still get messages.
func testCancel(t *testing.T, open Open) {
	a, b := open(t)
	var stopped, live recorder
	cancel := a.Subscribe(stopped.add)
	defer b.Subscribe(live.add)()
	started(t, a, &stopped, &live)
	cancel()
	cancel() // twice is harmless
	before := len(stopped.from("replica-a"))
	sent := messages("replica-a", 5)
	for _, m := range sent {
		if err := a.Publish(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, &live, "replica-a", sent)
	if n := len(stopped.from("replica-a")); n != before {
		t.Errorf("a cancelled subscription got %d messages", n-before)
	}
}
