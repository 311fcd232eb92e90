package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/store/redisstore/redistest"
)

// follower is what a pad engine does with a Feed: it keeps the pad's records
// in revision order, appends published batches that continue its head, and
// reads the log on fn(nil) or on a gap. fn only queues (it must not block);
// one goroutine applies.
type follower struct {
	s      *Store
	pad    string
	events chan []collab.Record
	cancel func()
	done   chan struct{}

	overflow atomic.Bool
	mu       sync.Mutex
	recs     []collab.Record
	nils     int // fn(nil) calls
	gaps     int // batches that did not continue the head
	readErr  error
}

func follow(t testing.TB, s *Store, pad string) *follower {
	t.Helper()
	f := &follower{s: s, pad: pad, events: make(chan []collab.Record, 100000), done: make(chan struct{})}
	f.cancel = s.Subscribe(pad, func(recs []collab.Record) {
		select {
		case f.events <- recs:
		default:
			f.overflow.Store(true) // sized so that no test here gets there
		}
	})
	go f.run()
	t.Cleanup(func() {
		f.cancel()
		close(f.events)
		<-f.done
	})
	return f
}

func (f *follower) run() {
	defer close(f.done)
	for recs := range f.events {
		f.mu.Lock()
		head := len(f.recs)
		switch {
		case recs == nil:
			f.nils++
			f.readLog(head)
		case recs[0].Rev == head+1:
			f.recs = append(f.recs, recs...)
		case recs[len(recs)-1].Rev <= head:
			// already read from the log
		default:
			f.gaps++
			f.readLog(head)
		}
		f.mu.Unlock()
	}
}

func (f *follower) readLog(head int) {
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	more, err := f.s.Records(ctx, f.pad, head, -1)
	if err != nil {
		f.readErr = err
		return
	}
	f.recs = append(f.recs, more...)
}

func (f *follower) state() (n, nils, gaps int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.recs), f.nils, f.gaps
}

// waitHead waits until the follower holds n records.
func (f *follower) waitHead(t testing.TB, n int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("follower of %s to reach revision %d", f.pad, n), func() bool {
		got, _, _ := f.state()
		return got >= n
	})
}

// waitNils waits until fn(nil) has been called n times.
func (f *follower) waitNils(t testing.TB, n int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d fn(nil) calls for %s", n, f.pad), func() bool {
		_, nils, _ := f.state()
		return nils >= n
	})
}

// check fails t unless the follower's records are exactly the log's.
func (f *follower) check(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	want, err := f.s.Records(ctx, f.pad, 0, -1)
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
		t.Fatalf("follower has %d records, log has %d", len(f.recs), len(want))
	}
	for i := range want {
		g, w := f.recs[i], want[i]
		if g.Rev != i+1 || g.Rev != w.Rev || g.Client != w.Client || g.Seq != w.Seq {
			t.Fatalf("follower record %d = rev %d %s/%d, log has rev %d %s/%d", i, g.Rev, g.Client, g.Seq, w.Rev, w.Client, w.Seq)
		}
	}
}

// typeOps appends n single-record batches for client (seqs 1..n) the way
// the pad engine commits: on ErrConflict it rereads the head and tries
// again. It returns the revision each seq got.
func typeOps(ctx context.Context, s *Store, pad, client string, n int) ([]int, error) {
	revs := make([]int, n)
	for seq := 1; seq <= n; seq++ {
		for {
			head, err := s.Head(ctx, pad)
			if err != nil {
				return nil, err
			}
			rec := collab.Record{Op: collab.NewOp(collab.Insert(client[:1])), Client: client, Seq: seq}
			err = s.Append(ctx, pad, head, []collab.Record{rec})
			if err == nil {
				revs[seq-1] = head + 1
				break
			}
			if !errors.Is(err, collab.ErrConflict) {
				return nil, fmt.Errorf("client %s seq %d: %w", client, seq, err)
			}
		}
	}
	return revs, nil
}

// checkExactlyOnce fails t unless the pad's log holds, for every client,
// seqs 1..perClient exactly once and in order, and nothing else.
func checkExactlyOnce(t testing.TB, s *Store, pad string, clients []string, perClient int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	recs, err := s.Records(ctx, pad, 0, -1)
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	if len(recs) != len(clients)*perClient {
		t.Fatalf("log has %d records, want %d", len(recs), len(clients)*perClient)
	}
	next := make(map[string]int)
	for i, r := range recs {
		if r.Rev != i+1 {
			t.Fatalf("record %d has revision %d", i, r.Rev)
		}
		next[r.Client]++
		if r.Seq != next[r.Client] {
			t.Fatalf("rev %d: client %s seq %d, want %d", r.Rev, r.Client, r.Seq, next[r.Client])
		}
	}
	for _, c := range clients {
		if next[c] != perClient {
			t.Errorf("client %s has %d records, want %d", c, next[c], perClient)
		}
	}
}

func TestConcurrentAppendersTwoStores(t *testing.T) {
	srv := redistest.Start(t)
	prefix := testPrefix(t)
	stores := []*Store{openStore(t, srv.URL(), prefix), openStore(t, srv.URL(), prefix)}
	watcher := openStore(t, srv.URL(), prefix)
	const pad, writers, perWriter = "hot", 6, 40
	f := follow(t, watcher, pad)
	f.waitNils(t, 1)

	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	clients := make([]string, writers)
	revs := make([][]int, writers)
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		clients[w] = fmt.Sprintf("%c-writer", 'a'+w)
		wg.Go(func() { revs[w], errs[w] = typeOps(ctx, stores[w%2], pad, clients[w], perWriter) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// Exactly one append won each revision: the revisions the writers were
	// told are distinct and cover 1..total.
	seen := make(map[int]string)
	for w, rs := range revs {
		for _, r := range rs {
			if other, dup := seen[r]; dup {
				t.Fatalf("revision %d acknowledged to %s and %s", r, other, clients[w])
			}
			seen[r] = clients[w]
		}
	}
	checkExactlyOnce(t, stores[0], pad, clients, perWriter)
	f.waitHead(t, writers*perWriter)
	f.check(t)
	if _, _, gaps := f.state(); gaps != 0 {
		t.Errorf("%d gaps in the feed without any fault", gaps)
	}
}

func TestFeedBatchIsOneDelivery(t *testing.T) {
	srv := redistest.Start(t)
	s := openStore(t, srv.URL(), "")
	var mu sync.Mutex
	var calls [][]collab.Record
	cancel := s.Subscribe("p", func(recs []collab.Record) {
		mu.Lock()
		calls = append(calls, recs)
		mu.Unlock()
	})
	defer cancel()
	waitFor(t, "the subscription's fn(nil)", func() bool { mu.Lock(); defer mu.Unlock(); return len(calls) == 1 })

	batch := []collab.Record{
		{Op: collab.NewOp(collab.Insert("a")), Client: "c1", Seq: 1},
		{Op: collab.NewOp(collab.Insert("😀")), Client: "c2", Seq: 9},
		{Op: collab.NewOp(collab.Skip(1), collab.DeleteText("a")), Client: "c1", Seq: 2},
	}
	if err := s.Append(t.Context(), "p", 0, batch); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the batch", func() bool { mu.Lock(); defer mu.Unlock(); return len(calls) == 2 })
	mu.Lock()
	defer mu.Unlock()
	if calls[0] != nil {
		t.Errorf("first call = %v, want fn(nil)", calls[0])
	}
	got := calls[1]
	if len(got) != len(batch) {
		t.Fatalf("delivered %d records, want %d", len(got), len(batch))
	}
	for i, r := range got {
		if r.Rev != i+1 || r.Client != batch[i].Client || r.Seq != batch[i].Seq || fmt.Sprint(r.Op) != fmt.Sprint(batch[i].Op) {
			t.Errorf("record %d = %+v, want rev %d of %+v", i, r, i+1, batch[i])
		}
		if r.Time.IsZero() {
			t.Errorf("record %d has no commit time", i)
		}
	}
}

func TestFeedCancelAndSharedChannel(t *testing.T) {
	srv := redistest.Start(t)
	s := openStore(t, srv.URL(), "")
	writer := openStore(t, srv.URL(), s.prefix)
	a1 := follow(t, s, "a")
	a2 := follow(t, s, "a")
	barrier := follow(t, s, "barrier")
	a1.waitNils(t, 1)
	a2.waitNils(t, 1)
	barrier.waitNils(t, 1)
	ctx := t.Context()

	mustAppendN(t, writer, "a", 0, 2)
	a1.waitHead(t, 2)
	a2.waitHead(t, 2)

	a1.cancel()
	mustAppendN(t, writer, "a", 2, 3)
	// On one server every channel shares the subscription connection, and
	// Redis delivers in publish order: once the barrier's batch is in, a
	// batch for "a" would have been too.
	if err := writer.Append(ctx, "barrier", 0, []collab.Record{{Op: collab.NewOp(collab.Insert("b"))}}); err != nil {
		t.Fatal(err)
	}
	barrier.waitHead(t, 1)
	a2.waitHead(t, 5)
	if n, _, _ := a1.state(); n != 2 {
		t.Errorf("cancelled follower got records up to %d, want 2", n)
	}
	a2.check(t)
}

func TestFeedResubscribesAfterClientKill(t *testing.T) {
	srv := redistest.Start(t)
	name := "killme-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	s := openNamedStore(t, srv.URL(), "", name)
	writer := openStore(t, srv.URL(), s.prefix)
	f := follow(t, s, "pad")
	f.waitNils(t, 1)

	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { _, err := typeOps(ctx, writer, "pad", "typist", 200); done <- err }()
	for kill := 1; kill <= 3; kill++ {
		id := srv.ShardSubscriber(t, name)
		if _, err := srv.Do(ctx, "CLIENT", "KILL", "ID", id); err != nil {
			t.Fatalf("CLIENT KILL ID %s: %v", id, err)
		}
		// The feed subscribes again and says "read the log".
		f.waitNils(t, 1+kill)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	f.waitHead(t, 200)
	f.check(t)
}

func TestFeedSurvivesRedisRestart(t *testing.T) {
	srv := redistest.Start(t)
	s := openStore(t, srv.URL(), "")
	f := follow(t, s, "pad")
	f.waitNils(t, 1)
	mustAppendN(t, s, "pad", 0, 3)
	f.waitHead(t, 3)

	srv.Restart(t)
	f.waitNils(t, 2)
	// The AOF kept the log; the feed carries on where it was.
	mustAppendN(t, s, "pad", 3, 2)
	f.waitHead(t, 5)
	f.check(t)
}

// mustAppendN appends n records at head and fails t on error.
func mustAppendN(t testing.TB, s *Store, pad string, head, n int) {
	t.Helper()
	recs := make([]collab.Record, n)
	for i := range recs {
		recs[i] = collab.Record{Op: collab.NewOp(collab.Insert("x")), Client: "w", Seq: head + i + 1}
	}
	if err := s.Append(t.Context(), pad, head, recs); err != nil {
		t.Fatalf("Append(%q, %d): %v", pad, head, err)
	}
}

func TestFeedReplacesASilentConnection(t *testing.T) {
	srv := redistest.Start(t)
	s := openStore(t, srv.URL(), "")
	s.feed.health = 100 * time.Millisecond
	f := follow(t, s, "pad")
	f.waitNils(t, 1)
	// While every client is paused the subscription connection answers no
	// ping: the feed gives up on it, subscribes on a new connection, and
	// when Redis answers again tells the pad to read the log.
	if _, err := srv.Do(t.Context(), "CLIENT", "PAUSE", "1000", "ALL"); err != nil {
		t.Fatalf("CLIENT PAUSE: %v", err)
	}
	f.waitNils(t, 2)
	mustAppendN(t, s, "pad", 0, 2)
	f.waitHead(t, 2)
	f.check(t)
}

func TestTopicBus(t *testing.T) {
	srv := redistest.Start(t)
	prefix := testPrefix(t)
	pub := openStore(t, srv.URL(), prefix)
	subStore := openStore(t, srv.URL(), prefix)
	stranger := openStore(t, srv.URL(), "") // another prefix hears nothing

	var mu sync.Mutex
	var got []string
	probed := false
	strangerGot := 0
	cancel := subStore.SubscribeTopic("presence", func(p []byte) {
		mu.Lock()
		defer mu.Unlock()
		// Several probes may be in flight when the first lands; they are
		// counted apart so a late one cannot pass for a lost message.
		if string(p) == "probe" {
			probed = true
			return
		}
		got = append(got, string(p))
	})
	defer cancel()
	defer stranger.SubscribeTopic("presence", func([]byte) { mu.Lock(); strangerGot++; mu.Unlock() })()
	// Subscribing is asynchronous: publish until the first message lands.
	ctx := t.Context()
	waitFor(t, "the topic subscription", func() bool {
		if err := pub.PublishTopic(ctx, "presence", []byte("probe")); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		return probed
	})
	const n = 200
	for i := range n {
		if err := pub.PublishTopic(ctx, "presence", []byte(strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "every message", func() bool { mu.Lock(); defer mu.Unlock(); return len(got) >= n })
	mu.Lock()
	defer mu.Unlock()
	for i, p := range got {
		if p != strconv.Itoa(i) {
			t.Fatalf("message %d = %q: out of order or lost", i, p)
		}
	}
	if strangerGot != 0 {
		t.Errorf("a store with another prefix got %d messages", strangerGot)
	}
}
