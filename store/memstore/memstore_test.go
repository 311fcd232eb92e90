package memstore_test

import (
	"testing"

	"github.com/confpad/confpad/authors"
	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/store/memstore"
	"github.com/confpad/confpad/store/storetest"
)

func TestLogConformance(t *testing.T) {
	shared := memstore.New()
	storetest.TestLog(t, func(*testing.T) collab.Log { return shared })
}

func TestFeedConformance(t *testing.T) {
	storetest.TestFeed(t, func(*testing.T) storetest.FeedStore {
		s := memstore.New()
		return storetest.FeedStore{Log: s, Feed: s}
	})
}

func TestCatalogConformance(t *testing.T) {
	storetest.TestCatalog(t, func(*testing.T) conference.Catalog { return memstore.New() })
}

func TestArchiveConformance(t *testing.T) {
	storetest.TestArchive(t, func(*testing.T) storetest.Store { return memstore.New() })
}

func TestAuthorsConformance(t *testing.T) {
	storetest.TestAuthors(t, func(*testing.T) authors.Table { return memstore.New() })
}

// TestTruncate: a truncated pad has lost its records and snapshots past the
// revision, and takes appends at the new head.
func TestTruncate(t *testing.T) {
	ctx := t.Context()
	s := memstore.New()
	recs := []collab.Record{
		{Op: collab.NewOp(collab.Insert("a"))},
		{Op: collab.NewOp(collab.Insert("b"))},
		{Op: collab.NewOp(collab.Insert("c"))},
	}
	if err := s.Append(ctx, "p", 0, recs); err != nil {
		t.Fatal(err)
	}
	for _, rev := range []int{1, 3} {
		if err := s.SaveSnapshot(ctx, "p", collab.Snapshot{Rev: rev}); err != nil {
			t.Fatal(err)
		}
	}
	s.Truncate("p", 1)
	snap, rest, err := s.Load(ctx, "p")
	if err != nil || snap.Rev != 1 || len(rest) != 0 {
		t.Fatalf("Load after Truncate(1) = snapshot %d, %d records, %v; want snapshot 1 and no records", snap.Rev, len(rest), err)
	}
	if err := s.Append(ctx, "p", 1, recs[2:]); err != nil {
		t.Errorf("Append at the truncated head: %v", err)
	}
	s.Truncate("p", 5) // beyond the head: nothing to drop
	s.Truncate("none", 0)
	if got, err := s.Records(ctx, "p", 0, -1); err != nil || len(got) != 2 {
		t.Errorf("Records = %d records, %v; want 2", len(got), err)
	}
}
