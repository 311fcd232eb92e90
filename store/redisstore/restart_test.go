package redisstore

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/store/redisstore/redistest"
)

// TestDataSurvivesRestart writes a pad, snapshots and a session, kills
// Redis (SIGKILL: no shutdown save), starts it again on the same AOF and
// reads everything back through a new Store.
func TestDataSurvivesRestart(t *testing.T) {
	srv := redistest.Start(t)
	prefix := testPrefix(t)
	s := openStore(t, srv.URL(), prefix)
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()

	mustAppendN(t, s, "lpc", 0, 5)
	if err := s.SaveSnapshot(ctx, "lpc", collab.Snapshot{Rev: 3, Text: "xxx"}); err != nil {
		t.Fatal(err)
	}
	mustAppendN(t, s, "lpc", 5, 2)
	if err := s.SetTitle(ctx, "LPC 2011"); err != nil {
		t.Fatal(err)
	}
	sess := conference.Session{ID: "lpc", Title: "Tracing", State: conference.StateLive,
		Created: time.Date(2011, 9, 7, 9, 0, 0, 0, time.UTC)}
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	link, err := s.AddLink(ctx, "lpc", conference.Link{Title: "Slides", URL: "https://example.org/s.pdf"})
	if err != nil {
		t.Fatal(err)
	}
	beforeRecs, err := s.Records(ctx, "lpc", 0, -1)
	if err != nil {
		t.Fatal(err)
	}

	srv.Restart(t)
	again := openStore(t, srv.URL(), prefix)
	snap, recs, err := again.Load(ctx, "lpc")
	if err != nil {
		t.Fatalf("Load after restart: %v", err)
	}
	if !snap.Equal(collab.Snapshot{Rev: 3, Text: "xxx"}) || len(recs) != 4 || recs[0].Rev != 4 {
		t.Fatalf("Load after restart = %+v and %d records from %v", snap, len(recs), revs(recs))
	}
	afterRecs, err := again.Records(ctx, "lpc", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	if len(afterRecs) != len(beforeRecs) {
		t.Fatalf("%d records after restart, %d before", len(afterRecs), len(beforeRecs))
	}
	for i := range beforeRecs {
		b, a := beforeRecs[i], afterRecs[i]
		if a.Rev != b.Rev || a.Client != b.Client || a.Seq != b.Seq || !a.Time.Equal(b.Time) || !a.Op.Equal(b.Op) {
			t.Errorf("record %d after restart = %+v, before %+v", i, a, b)
		}
	}
	title, err := again.Title(ctx)
	if err != nil || title != "LPC 2011" {
		t.Errorf("Title after restart = %q, %v", title, err)
	}
	got, err := again.Session(ctx, "lpc")
	if err != nil {
		t.Fatalf("Session after restart: %v", err)
	}
	if got.Title != sess.Title || !got.Created.Equal(sess.Created) || len(got.Links) != 1 || got.Links[0] != link {
		t.Errorf("Session after restart = %+v", got)
	}
	// The old Store reconnects by itself.
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping of the old store after restart: %v", err)
	}
}

func TestPadsAndSnapshotsForMigration(t *testing.T) {
	srv := redistest.Start(t)
	// The prefix has SCAN pattern characters: unescaped, "m?*" would match
	// the other store's keys too.
	s := openStore(t, srv.URL(), "m?*")
	other := openStore(t, srv.URL(), "mZZ")
	ctx := t.Context()
	pads := []string{"b", "a*[x]", "𝄞 pad", "a"}
	for _, p := range pads {
		mustAppendN(t, s, p, 0, 6)
	}
	mustAppendN(t, other, "elsewhere", 0, 1)
	got, err := s.Pads(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(pads)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("Pads = %q, want %q", got, want)
	}

	// Only the newest SnapshotsKept (3 in tests) snapshots stay.
	for rev := 1; rev <= 5; rev++ {
		if err := s.SaveSnapshot(ctx, "a", collab.Snapshot{Rev: rev, Text: string(rune('0' + rev))}); err != nil {
			t.Fatal(err)
		}
	}
	snaps, err := s.Snapshots(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	wantSnaps := []collab.Snapshot{{Rev: 3, Text: "3"}, {Rev: 4, Text: "4"}, {Rev: 5, Text: "5"}}
	if !slices.EqualFunc(snaps, wantSnaps, collab.Snapshot.Equal) {
		t.Errorf("Snapshots = %+v, want %+v", snaps, wantSnaps)
	}
	if err := s.SaveSnapshot(ctx, "a", collab.Snapshot{Rev: 7, Text: "ahead"}); err == nil {
		t.Error("SaveSnapshot ahead of the head succeeded")
	}
	if snaps, err := s.Snapshots(ctx, "b"); err != nil || len(snaps) != 0 {
		t.Errorf("Snapshots of a pad without any = %+v, %v", snaps, err)
	}
}

// revs lists the revisions of recs, for failure messages.
func revs(recs []collab.Record) []int {
	out := make([]int, len(recs))
	for i, r := range recs {
		out[i] = r.Rev
	}
	return out
}
