package redisstore

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/confpad/confpad/internal/testutil"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/store/redisstore/redistest"
)

// newReplica returns a pad engine on its own Store, as one confpad replica
// runs it: the Store is its Log and, when withFeed, its Feed.
func newReplica(t *testing.T, url, prefix string, withFeed bool) *collab.Engine {
	t.Helper()
	s := openStore(t, url, prefix)
	cfg := collab.Config{Log: s}
	if withFeed {
		cfg.Feed = s
	}
	e := collab.NewEngine(cfg)
	t.Cleanup(e.Close) // before the Store closes: cleanups run last first
	return e
}

// TestResendToAnotherReplica: a client whose op replica A committed (but
// whose ack it never got) sends the op again, same (client, seq), to
// replica B. B answers with A's revision and does not apply it twice,
// whether B never loaded the pad, has it loaded but has not heard of A's
// commit yet (so its append loses the race to A's), or has heard of it.
func TestResendToAnotherReplica(t *testing.T) {
	srv := redistest.Start(t)
	tests := []struct {
		name     string
		loaded   bool // B has the pad open before A commits
		withFeed bool // B hears A's commits
	}{
		{"NotLoaded", false, true},
		{"NotHeardYet", true, false},
		{"Heard", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := testPrefix(t)
			a := newReplica(t, srv.URL(), prefix, true)
			b := newReplica(t, srv.URL(), prefix, tt.withFeed)
			ctx := t.Context()
			if tt.loaded {
				leave, err := b.Join(ctx, "pad", -1, func(int, *string, []collab.Record) {})
				if err != nil {
					t.Fatal(err)
				}
				defer leave()
			}
			sub := collab.Submission{Client: "c", Seq: 1, Base: 0, Op: collab.NewOp(collab.Insert("x"))}
			first, err := a.Submit(ctx, "pad", sub)
			if err != nil {
				t.Fatal(err)
			}
			if tt.withFeed && tt.loaded {
				testutil.Eventually(t, "B to hear of A's commit", func() bool {
					head, err := b.Head(ctx, "pad")
					return err == nil && head == first.Rev
				})
			}
			again, err := b.Submit(ctx, "pad", sub)
			if err != nil {
				t.Fatal(err)
			}
			if !again.Duplicate || again.Rev != first.Rev {
				t.Errorf("resend to B = %+v, want a duplicate of revision %d", again, first.Rev)
			}
			text, head, err := b.Text(ctx, "pad", -1)
			if err != nil || text != "x" || head != 1 {
				t.Errorf("B's pad = %q at revision %d (%v), want \"x\" at 1", text, head, err)
			}
		})
	}
}

// TestReplicasConvergeThroughRedis: clients type concurrently through two
// engines on one Redis; both engines end on the text the log replays to,
// and every op is in the log exactly once.
func TestReplicasConvergeThroughRedis(t *testing.T) {
	srv := redistest.Start(t)
	prefix := testPrefix(t)
	replicas := []*collab.Engine{newReplica(t, srv.URL(), prefix, true), newReplica(t, srv.URL(), prefix, true)}
	const perClient = 40
	clients := []string{"a", "b", "c", "d", "e", "f"}
	ctx := t.Context()
	var wg sync.WaitGroup
	errs := make(chan error, len(clients))
	for i, client := range clients {
		e := replicas[i%len(replicas)]
		wg.Go(func() {
			base := 0
			for seq := 1; seq <= perClient; seq++ {
				// An insert at the start is valid at any base revision.
				res, err := e.Submit(ctx, "pad", collab.Submission{Client: client, Seq: seq, Author: "author-" + client, Base: base, Op: collab.NewOp(collab.Insert(client))})
				if err != nil {
					errs <- fmt.Errorf("client %s seq %d: %w", client, seq, err)
					return
				}
				base = res.Rev
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	s := openStore(t, srv.URL(), prefix)
	checkExactlyOnce(t, s, "pad", clients, perClient)
	recs, err := s.Records(ctx, "pad", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	doc := collab.NewDoc("")
	for _, r := range recs {
		if err := doc.Apply(r.Op); err != nil {
			t.Fatalf("revision %d: %v", r.Rev, err)
		}
	}
	for i, e := range replicas {
		testutil.Eventually(t, fmt.Sprintf("replica %d at the head", i), func() bool {
			head, err := e.Head(ctx, "pad")
			return err == nil && head == len(recs)
		})
		if text, _, err := e.Text(ctx, "pad", -1); err != nil || text != doc.String() {
			t.Errorf("replica %d text %q (%v), the log replays to %q", i, text, err, doc.String())
		}
	}
	// Every replica's attribution, kept op by op as records arrived from
	// its own commits and the feed, is the replay of the stored records.
	replayed, err := collab.ReplayAttribution(nil, recs)
	if err != nil {
		t.Fatal(err)
	}
	want := replayed.Runs()
	// A replica started afterwards loads the pad from Redis.
	replicas = append(replicas, newReplica(t, srv.URL(), prefix, true))
	for i, e := range replicas {
		runs, _, err := e.Attribution(ctx, "pad", -1)
		if err != nil || !slices.Equal(runs, want) {
			t.Errorf("replica %d attribution %v (%v), want %v", i, runs, err, want)
		}
	}
}

// TestLostWritesRestored: Redis loses the last records of a pad (a crash
// with appendfsync everysec); the replica that holds them appends them
// again on its next commit, with their revisions, so no acknowledged op is
// lost and another replica reads the whole history.
func TestLostWritesRestored(t *testing.T) {
	srv := redistest.Start(t)
	prefix := testPrefix(t)
	a := newReplica(t, srv.URL(), prefix, true)
	ctx := t.Context()
	for i := range 5 {
		if _, err := a.Submit(ctx, "pad", collab.Submission{Client: "c", Seq: i + 1, Base: i, Op: collab.NewOp(collab.Insert(string(rune('a' + i))))}); err != nil {
			t.Fatal(err)
		}
	}
	store := openStore(t, srv.URL(), prefix)
	if _, err := srv.Do(ctx, "LTRIM", store.padKey("pad", "log"), "0", "2"); err != nil {
		t.Fatal(err)
	}
	res, err := a.Submit(ctx, "pad", collab.Submission{Client: "c", Seq: 6, Base: 5, Op: collab.NewOp(collab.Insert("f"))})
	if err != nil || res.Rev != 6 {
		t.Fatalf("submit after the loss: %+v, %v; want revision 6", res, err)
	}
	recs, err := store.Records(ctx, "pad", 0, -1)
	if err != nil || len(recs) != 6 {
		t.Fatalf("the log holds %d records (%v), want 6", len(recs), err)
	}
	for i, r := range recs {
		if r.Rev != i+1 || r.Seq != i+1 {
			t.Errorf("record %d = rev %d seq %d, want %d, %d", i, r.Rev, r.Seq, i+1, i+1)
		}
	}
	b := newReplica(t, srv.URL(), prefix, true)
	if text, head, err := b.Text(ctx, "pad", -1); err != nil || text != "fedcba" || head != 6 {
		t.Errorf("another replica reads %q at revision %d (%v), want fedcba at 6", text, head, err)
	}
}
