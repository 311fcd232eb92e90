package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/internal/testutil"
)

// FeedStore is a store under the Feed suite: what Append on Log commits,
// Feed publishes.
type FeedStore struct {
	Log  collab.Log
	Feed collab.Feed
	// Interrupt, for a feed that can lose messages, breaks its connection
	// the way a fault would (a killed connection, a restart): the feed must
	// then call fn(nil) on every subscription once it is back. Nil for a
	// feed that never loses a message.
	Interrupt func(t *testing.T)
}

// TestFeed runs the collab.Feed conformance suite. open is called once per
// subtest, like TestLog's newLog.
func TestFeed(t *testing.T, open func(t *testing.T) FeedStore) {
	tests := []struct {
		name string
		run  func(t *testing.T, s FeedStore)
	}{
		{"PublishOrderIsRevisionOrder", testPublishOrder},
		{"CancelStopsDelivery", testCancelStopsDelivery},
		{"NilMeansReadTheLog", testNilMeansReadTheLog},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, open(t))
		})
	}
}

// testPublishOrder: writers race on two pads; each pad's follower gets
// batches that continue one another, in revision order, with no gap and
// nothing of the other pad, and ends up holding exactly the pad's log.
func testPublishOrder(t *testing.T, s FeedStore) {
	const writers, perWriter = 3, 30
	pads := []string{uniqueID(t, "a"), uniqueID(t, "b")}
	followers := make([]*Follower, len(pads))
	for i, pad := range pads {
		followers[i] = Follow(t, s.Log, s.Feed, pad)
	}
	waitLive(t, s.Log, followers...)
	errs := make([]error, writers*len(pads))
	var wg sync.WaitGroup
	for w := range errs {
		wg.Go(func() {
			_, errs[w] = TypeOps(t.Context(), s.Log, pads[w%len(pads)], fmt.Sprint("writer-", w), perWriter)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range followers {
		f.WaitHead(t, head(t, s.Log, f.pad))
		f.Check(t)
		if _, _, gaps := f.State(); gaps != 0 {
			t.Errorf("pad %s: %d batches did not continue the one before", f.pad, gaps)
		}
	}
}

// testCancelStopsDelivery: once cancel has returned, fn gets nothing more,
// while another subscriber of the same pad goes on.
func testCancelStopsDelivery(t *testing.T, s FeedStore) {
	pad := uniqueID(t, "pad")
	gone, stays := Follow(t, s.Log, s.Feed, pad), Follow(t, s.Log, s.Feed, pad)
	waitLive(t, s.Log, gone, stays)
	gone.Cancel()
	calls := gone.calls.Load()
	h := head(t, s.Log, pad)
	mustAppend(t, s.Log, pad, h, inserts(h, 3, "after-cancel"))
	// The batch reached the other subscriber; it did not reach fn.
	stays.WaitDelivered(t, h+3)
	stays.WaitHead(t, h+3)
	if n := gone.calls.Load(); n != calls {
		t.Errorf("fn called %d times after cancel returned", n-calls)
	}
	stays.Check(t)
}

// testNilMeansReadTheLog: while a writer types, the feed's connection is
// broken three times; each time the feed says fn(nil), and a follower
// that reads the log then ends up with every record.
func testNilMeansReadTheLog(t *testing.T, s FeedStore) {
	if s.Interrupt == nil {
		t.Skip("no Interrupt: nothing makes this feed lose messages")
	}
	pad := uniqueID(t, "pad")
	f := Follow(t, s.Log, s.Feed, pad)
	waitLive(t, s.Log, f)
	done := make(chan error, 1)
	go func() { _, err := TypeOps(t.Context(), s.Log, pad, "typist", 200); done <- err }()
	for range 3 {
		_, nils, _ := f.State()
		s.Interrupt(t)
		f.WaitNils(t, nils+1)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	f.WaitHead(t, head(t, s.Log, pad))
	f.Check(t)
}

// waitLive appends a record to the pad of each follower until each has
// had a batch delivered: from then on its subscription is live (a feed may
// subscribe asynchronously, as Redis does).
func waitLive(t *testing.T, log collab.Log, followers ...*Follower) {
	t.Helper()
	testutil.Eventually(t, "the subscriptions to deliver", func() bool {
		live := true
		for _, f := range followers {
			if f.delivered.Load() == 0 {
				live = false
				h := head(t, log, f.pad)
				mustAppend(t, log, f.pad, h, inserts(h, 1, "probe"))
			}
		}
		return live
	})
}

// TypeOps appends n single-record batches for client (seqs 1..n) the way
// the pad engine commits: on collab.ErrConflict it reads the records it
// missed and tries again at the new head. It returns the revision each seq
// got.
func TypeOps(ctx context.Context, log collab.Log, pad, client string, n int) ([]int, error) {
	revs := make([]int, n)
	head := 0
	for seq := 1; seq <= n; seq++ {
		for {
			more, err := log.Records(ctx, pad, head, -1)
			if err != nil {
				return nil, err
			}
			head += len(more)
			rec := collab.Record{Op: collab.NewOp(collab.Insert(client[:1])), Client: client, Seq: seq, Time: baseTime}
			err = log.Append(ctx, pad, head, []collab.Record{rec})
			if err == nil {
				head++
				revs[seq-1] = head
				break
			}
			if !errors.Is(err, collab.ErrConflict) {
				return nil, fmt.Errorf("client %s seq %d: %w", client, seq, err)
			}
		}
	}
	return revs, nil
}

// Follower is what a pad engine does with a Feed: it keeps the pad's
// records in revision order, appends published batches that continue its
// head, and reads the log on fn(nil) or on a gap. fn only queues (it must
// not block); one goroutine applies.
type Follower struct {
	log    collab.Log
	pad    string
	events chan []collab.Record
	cancel func()
	done   chan struct{}

	calls     atomic.Int64 // calls of fn
	delivered atomic.Int64 // head of the last batch delivered
	overflow  atomic.Bool

	mu      sync.Mutex
	recs    []collab.Record
	nils    int // fn(nil) calls
	gaps    int // batches that did not continue the last one since fn(nil)
	last    int // revision of the last record delivered since fn(nil)
	readErr error
}

// Follow subscribes a Follower to pad on feed, reading log when it must;
// the subscription ends with the test.
func Follow(t testing.TB, log collab.Log, feed collab.Feed, pad string) *Follower {
	t.Helper()
	f := &Follower{log: log, pad: pad, events: make(chan []collab.Record, 100000), done: make(chan struct{})}
	var once sync.Once
	cancel := feed.Subscribe(pad, func(recs []collab.Record) {
		f.calls.Add(1)
		if len(recs) > 0 {
			f.delivered.Store(int64(recs[len(recs)-1].Rev))
		}
		select {
		case f.events <- recs:
		default:
			f.overflow.Store(true) // sized so that no test gets there
		}
	})
	f.cancel = func() { once.Do(cancel) }
	go f.run()
	t.Cleanup(func() {
		f.cancel()
		close(f.events)
		<-f.done
	})
	return f
}

// Cancel ends the subscription.
func (f *Follower) Cancel() { f.cancel() }

func (f *Follower) run() {
	defer close(f.done)
	for recs := range f.events {
		f.mu.Lock()
		head := len(f.recs)
		switch {
		case recs == nil:
			f.nils++
			f.last = 0
			f.readLog(head)
			f.mu.Unlock()
			continue
		case f.last != 0 && recs[0].Rev != f.last+1:
			f.gaps++
		}
		f.last = recs[len(recs)-1].Rev
		switch {
		case recs[0].Rev == head+1:
			f.recs = append(f.recs, recs...)
		case recs[len(recs)-1].Rev <= head:
			// already read from the log
		default:
			f.readLog(head)
		}
		f.mu.Unlock()
	}
}

func (f *Follower) readLog(head int) {
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	defer cancel()
	more, err := f.log.Records(ctx, f.pad, head, -1)
	if err != nil {
		f.readErr = err
		return
	}
	f.recs = append(f.recs, more...)
}

// State returns how many records the follower holds, how many times fn(nil)
// was called, and how many delivered batches did not continue the one
// delivered before (since the last fn(nil)): with a feed that publishes in
// revision order, none.
func (f *Follower) State() (n, nils, gaps int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.recs), f.nils, f.gaps
}

// WaitHead waits until the follower holds n records.
func (f *Follower) WaitHead(t testing.TB, n int) {
	t.Helper()
	testutil.Eventually(t, fmt.Sprintf("follower of %s to reach revision %d", f.pad, n), func() bool {
		got, _, _ := f.State()
		return got >= n
	})
}

// WaitDelivered waits until the feed has delivered revision rev (not the
// log read on fn(nil)).
func (f *Follower) WaitDelivered(t testing.TB, rev int) {
	t.Helper()
	testutil.Eventually(t, fmt.Sprintf("the feed of %s to deliver revision %d", f.pad, rev), func() bool {
		return f.delivered.Load() >= int64(rev)
	})
}

// WaitNils waits until fn(nil) has been called n times.
func (f *Follower) WaitNils(t testing.TB, n int) {
	t.Helper()
	testutil.Eventually(t, fmt.Sprintf("%d fn(nil) calls for %s", n, f.pad), func() bool {
		_, nils, _ := f.State()
		return nils >= n
	})
}

// Check fails t unless the follower's records are exactly the log's.
func (f *Follower) Check(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	defer cancel()
	want, err := f.log.Records(ctx, f.pad, 0, -1)
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.overflow.Load() {
		t.Error("follower queue overflowed")
	}
	if f.readErr != nil {
		t.Errorf("follower read error: %v", f.readErr)
	}
	if len(f.recs) != len(want) {
		t.Fatalf("follower of %s has %d records, log has %d", f.pad, len(f.recs), len(want))
	}
	for i := range want {
		g, w := f.recs[i], want[i]
		if g.Rev != i+1 || g.Rev != w.Rev || g.Client != w.Client || g.Seq != w.Seq {
			t.Fatalf("follower record %d = rev %d %s/%d, log has rev %d %s/%d", i, g.Rev, g.Client, g.Seq, w.Rev, w.Client, w.Seq)
		}
	}
}
