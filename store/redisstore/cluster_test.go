package redisstore

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/store/redisstore/redistest"
	"github.com/confpad/confpad/store/storetest"
)

// TestCluster runs the conformance suites and concurrent typing with the
// feed on a real three-master Redis Cluster, with pads on different shards.
func TestCluster(t *testing.T) {
	c := redistest.StartCluster(t, 3)
	t.Run("LogConformance", func(t *testing.T) {
		storetest.TestLog(t, func(t *testing.T) collab.Log { return openStore(t, c.URL(), "") })
	})
	t.Run("RevisionReaderConformance", func(t *testing.T) {
		storetest.TestRevisionReader(t, func(t *testing.T) storetest.RevisionLog { return openStore(t, c.URL(), "") })
	})
	t.Run("FeedConformance", func(t *testing.T) {
		storetest.TestFeed(t, func(t *testing.T) storetest.FeedStore {
			s := openStore(t, c.URL(), "")
			return storetest.FeedStore{Log: s, Feed: s}
		})
	})
	t.Run("CatalogConformance", func(t *testing.T) {
		storetest.TestCatalog(t, func(t *testing.T) conference.Catalog { return openStore(t, c.URL(), "") })
	})
	t.Run("ArchiveConformance", func(t *testing.T) {
		storetest.TestArchive(t, func(t *testing.T) storetest.Store { return openStore(t, c.URL(), "") })
	})
	t.Run("TypingOnPadsOverShards", func(t *testing.T) {
		prefix := testPrefix(t)
		writers := []*Store{openStore(t, c.URL(), prefix), openStore(t, c.URL(), prefix)}
		watcher := openStore(t, c.URL(), prefix)
		var pads []string
		shards := make(map[string]bool)
		for i := 0; len(shards) < len(c.Nodes) || len(pads) < 6; i++ {
			pad := fmt.Sprintf("pad-%d", i)
			pads = append(pads, pad)
			shards[c.NodeFor(t, watcher.padKey(pad, "log")).Addr] = true
			if i > 100 {
				t.Fatalf("100 pads all on %d shards", len(shards))
			}
		}
		followers := make([]*storetest.Follower, len(pads))
		for i, pad := range pads {
			followers[i] = storetest.Follow(t, watcher, watcher, pad)
			followers[i].WaitNils(t, 1)
		}
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		const perClient = 15
		clients := []string{"a-client", "b-client"}
		var wg sync.WaitGroup
		errs := make(chan error, len(pads)*len(clients))
		for _, pad := range pads {
			for i, client := range clients {
				wg.Go(func() {
					if _, err := storetest.TypeOps(ctx, writers[i], pad, client, perClient); err != nil {
						errs <- err
					}
				})
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		for i, pad := range pads {
			checkExactlyOnce(t, watcher, pad, clients, perClient)
			followers[i].WaitHead(t, len(clients)*perClient)
			followers[i].Check(t)
		}
		got, err := watcher.Pads(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(pads) {
			t.Errorf("Pads on the cluster = %q, want %q", got, pads)
		}
	})
}
