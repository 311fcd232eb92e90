package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/internal/testutil"
	"github.com/confpad/confpad/store/redisstore/redistest"
	"github.com/confpad/confpad/store/storetest"
	"github.com/google/uuid"
)

// TestFeedConformance runs the Feed suite with the subscription connection
// killed (CLIENT KILL) as the interruption.
func TestFeedConformance(t *testing.T) {
	srv := redistest.Start(t)
	storetest.TestFeed(t, func(t *testing.T) storetest.FeedStore {
		name := "feed-" + uuid.NewString()[:8]
		s := openNamedStore(t, srv.URL(), "", name)
		return storetest.FeedStore{Log: s, Feed: s, Interrupt: func(t *testing.T) {
			id := srv.ShardSubscriber(t, name)
			if _, err := srv.Do(t.Context(), "CLIENT", "KILL", "ID", id); err != nil {
				t.Fatalf("CLIENT KILL ID %s: %v", id, err)
			}
		}}
	})
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
	f := storetest.Follow(t, watcher, watcher, pad)
	f.WaitNils(t, 1)

	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	clients := make([]string, writers)
	revs := make([][]int, writers)
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		clients[w] = fmt.Sprintf("%c-writer", 'a'+w)
		wg.Go(func() { revs[w], errs[w] = storetest.TypeOps(ctx, stores[w%2], pad, clients[w], perWriter) })
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
	f.WaitHead(t, writers*perWriter)
	f.Check(t)
	if _, _, gaps := f.State(); gaps != 0 {
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
	testutil.Eventually(t, "the subscription's fn(nil)", func() bool { mu.Lock(); defer mu.Unlock(); return len(calls) == 1 })

	batch := []collab.Record{
		{Op: collab.NewOp(collab.Insert("a")), Client: "c1", Seq: 1},
		{Op: collab.NewOp(collab.Insert("😀")), Client: "c2", Seq: 9},
		{Op: collab.NewOp(collab.Skip(1), collab.DeleteText("a")), Client: "c1", Seq: 2},
	}
	if err := s.Append(t.Context(), "p", 0, batch); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, "the batch", func() bool { mu.Lock(); defer mu.Unlock(); return len(calls) == 2 })
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
	a1 := storetest.Follow(t, s, s, "a")
	a2 := storetest.Follow(t, s, s, "a")
	barrier := storetest.Follow(t, s, s, "barrier")
	a1.WaitNils(t, 1)
	a2.WaitNils(t, 1)
	barrier.WaitNils(t, 1)
	ctx := t.Context()

	mustAppendN(t, writer, "a", 0, 2)
	a1.WaitHead(t, 2)
	a2.WaitHead(t, 2)

	a1.Cancel()
	mustAppendN(t, writer, "a", 2, 3)
	// On one server every channel shares the subscription connection, and
	// Redis delivers in publish order: once the barrier's batch is in, a
	// batch for "a" would have been too.
	if err := writer.Append(ctx, "barrier", 0, []collab.Record{{Op: collab.NewOp(collab.Insert("b"))}}); err != nil {
		t.Fatal(err)
	}
	barrier.WaitHead(t, 1)
	a2.WaitHead(t, 5)
	if n, _, _ := a1.State(); n != 2 {
		t.Errorf("cancelled follower got records up to %d, want 2", n)
	}
	a2.Check(t)
}

func TestFeedSurvivesRedisRestart(t *testing.T) {
	srv := redistest.Start(t)
	s := openStore(t, srv.URL(), "")
	f := storetest.Follow(t, s, s, "pad")
	f.WaitNils(t, 1)
	mustAppendN(t, s, "pad", 0, 3)
	f.WaitHead(t, 3)

	srv.Restart(t)
	f.WaitNils(t, 2)
	// The AOF kept the log; the feed carries on where it was.
	mustAppendN(t, s, "pad", 3, 2)
	f.WaitHead(t, 5)
	f.Check(t)
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
	f := storetest.Follow(t, s, s, "pad")
	f.WaitNils(t, 1)
	// While every client is paused the subscription connection answers no
	// ping: the feed gives up on it, subscribes on a new connection, and
	// when Redis answers again tells the pad to read the log.
	if _, err := srv.Do(t.Context(), "CLIENT", "PAUSE", "1000", "ALL"); err != nil {
		t.Fatalf("CLIENT PAUSE: %v", err)
	}
	f.WaitNils(t, 2)
	mustAppendN(t, s, "pad", 0, 2)
	f.WaitHead(t, 2)
	f.Check(t)
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
	testutil.Eventually(t, "the topic subscription", func() bool {
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
	testutil.Eventually(t, "every message", func() bool { mu.Lock(); defer mu.Unlock(); return len(got) >= n })
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
