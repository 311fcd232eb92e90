package main

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/store/redisstore"
	"github.com/confpad/confpad/store/redisstore/redistest"
	"github.com/confpad/confpad/store/sqlitestore"
)

// fillSource writes a conference into an SQLite file: a title, sessions
// with links (one archived), pads with typed histories and snapshots, and
// a pad whose session was never created.
func fillSource(t *testing.T, path string) {
	t.Helper()
	ctx := t.Context()
	db, err := sqlitestore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.SetTitle(ctx, "Linux Plumbers Conference 2011 ☃"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetBoFs(ctx, true); err != nil {
		t.Fatal(err)
	}
	created := time.Date(2011, 9, 7, 9, 0, 0, 0, time.UTC)
	sessions := []conference.Session{
		{ID: "tracing", Title: "Tracing", Room: "Salon A", Speakers: []string{"Ada"}, State: conference.StateLive, Created: created,
			Policy: conference.PolicyLink, EditSecret: "edit-secret-of-tracing-0123456789",
			Links: []conference.Link{{ID: "l-b", Title: "Slides", URL: "https://example.org/t.pdf", Added: created.Add(time.Hour), TokenHash: conference.HashToken("tok")},
				{ID: "l-a", Title: "Video 😀", URL: "https://example.org/v", Added: created.Add(2 * time.Hour)}}},
		{ID: "audio-𝄞", Title: "Audio", State: conference.StateArchived, Created: created.Add(time.Minute)},
		{ID: "empty", Title: "Nobody wrote here", State: conference.StateLive, Created: created, Order: 2},
		{ID: "bof-hallway-1a2b3c", Title: "Hallway", Kind: conference.KindBoF, Time: "Thu 18:00", State: conference.StateLive, Created: created},
	}
	for i, pad := range []string{"tracing", "audio-𝄞", "orphan"} {
		n := 30 + 1000*i // "audio-𝄞" needs two chunks
		text := ""
		for rev := 1; rev <= n; rev++ {
			ins := string([]rune("ab😀\n𝄞 ")[rev%6])
			op := collab.NewOp(collab.Insert(ins))
			if pos := len([]rune(text)); pos > 0 {
				op = collab.NewOp(collab.Skip(pos), collab.Insert(ins))
			}
			rec := collab.Record{Op: op, Client: fmt.Sprintf("client-%d", rev%3), Author: fmt.Sprintf("author-%d", rev%2), Seq: rev, Time: created.Add(time.Duration(rev) * time.Second)}
			if err := db.Append(ctx, pad, rev-1, []collab.Record{rec}); err != nil {
				t.Fatal(err)
			}
			text += ins
			if rev%7 == 0 {
				if err := db.SaveSnapshot(ctx, pad, collab.Snapshot{Rev: rev, Text: text}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	// The sessions come after their pads: an archived session's pad
	// refuses appends.
	for _, s := range sessions {
		if err := db.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
}

// storeContent is everything migrate copies, times in UTC milliseconds.
type storeContent struct {
	Title     string
	BoFs      bool
	Sessions  []conference.Session
	Records   map[string][]collab.Record
	Snapshots map[string][]collab.Snapshot
}

func readContent(t *testing.T, s migrationStore) storeContent {
	t.Helper()
	ctx := t.Context()
	var c storeContent
	var err error
	if c.Title, err = s.Title(ctx); err != nil {
		t.Fatal(err)
	}
	if c.BoFs, err = s.BoFs(ctx); err != nil {
		t.Fatal(err)
	}
	if c.Sessions, err = s.Sessions(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range c.Sessions {
		c.Sessions[i].Created = c.Sessions[i].Created.UTC().Truncate(time.Millisecond)
		for j := range c.Sessions[i].Links {
			c.Sessions[i].Links[j].Added = c.Sessions[i].Links[j].Added.UTC().Truncate(time.Millisecond)
		}
	}
	pads, err := s.Pads(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c.Records = map[string][]collab.Record{}
	c.Snapshots = map[string][]collab.Snapshot{}
	for _, pad := range pads {
		recs, err := s.Records(ctx, pad, 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		for i := range recs {
			recs[i].Time = recs[i].Time.UTC().Truncate(time.Millisecond)
		}
		c.Records[pad] = recs
		if c.Snapshots[pad], err = s.Snapshots(ctx, pad); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func openSQLite(t *testing.T, path string) *sqlitestore.Store {
	t.Helper()
	db, err := sqlitestore.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func openRedis(t *testing.T, url string) *redisstore.Store {
	t.Helper()
	rs, err := redisstore.Open(t.Context(), url, redisstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rs.Close() })
	return rs
}

// TestMigrateBothWays copies an SQLite conference into Redis and from
// Redis into a new SQLite file, and compares everything at each step.
func TestMigrateBothWays(t *testing.T) {
	srv := redistest.Start(t)
	dir := t.TempDir()
	src, back := filepath.Join(dir, "src.db"), filepath.Join(dir, "back.db")
	fillSource(t, src)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()

	if err := migrate(ctx, []string{"--from", "sqlite:" + src, "--to", srv.URL()}, noEnv); err != nil {
		t.Fatalf("migrate to Redis: %v", err)
	}
	want := readContent(t, openSQLite(t, src))
	inRedis := readContent(t, openRedis(t, srv.URL()))
	checkContent(t, "Redis", inRedis, want, redisstore.DefaultSnapshotsKept)

	if err := migrate(ctx, []string{"--from", srv.URL(), "--to", "sqlite:" + back}, noEnv); err != nil {
		t.Fatalf("migrate back to SQLite: %v", err)
	}
	checkContent(t, "SQLite after the round trip", readContent(t, openSQLite(t, back)), want, redisstore.DefaultSnapshotsKept)

	// A second copy into the same Redis is refused and changes nothing.
	err := migrate(ctx, []string{"--from", "sqlite:" + src, "--to", srv.URL()}, noEnv)
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("migrate into a filled store: err = %v, want 'not empty'", err)
	}
	checkContent(t, "Redis after a refused migrate", readContent(t, openRedis(t, srv.URL())), want, redisstore.DefaultSnapshotsKept)
}

// checkContent compares a copy with the source: everything equal, except
// that a copy keeps only the checkpoints and the newest keep snapshots of
// each pad.
func checkContent(t *testing.T, where string, got, want storeContent, keep int) {
	t.Helper()
	if got.Title != want.Title || got.BoFs != want.BoFs {
		t.Errorf("%s: title %q, BoFs %v, want %q, %v", where, got.Title, got.BoFs, want.Title, want.BoFs)
	}
	if !reflect.DeepEqual(got.Sessions, want.Sessions) {
		t.Errorf("%s: sessions\n%+v\nwant\n%+v", where, got.Sessions, want.Sessions)
	}
	if !slices.Equal(sortedPads(got.Records), sortedPads(want.Records)) {
		t.Fatalf("%s: pads %q, want %q", where, sortedPads(got.Records), sortedPads(want.Records))
	}
	for pad, recs := range want.Records {
		if !reflect.DeepEqual(got.Records[pad], recs) {
			t.Errorf("%s: pad %q has %d records that differ from the source's %d", where, pad, len(got.Records[pad]), len(recs))
		}
		// A copy keeps the checkpoints and the newest keep snapshots.
		snaps := want.Snapshots[pad]
		var wantSnaps []collab.Snapshot
		for i, s := range snaps {
			if collab.IsCheckpoint(s.Rev) || i >= len(snaps)-keep {
				wantSnaps = append(wantSnaps, s)
			}
		}
		if !slices.EqualFunc(got.Snapshots[pad], wantSnaps, collab.Snapshot.Equal) {
			t.Errorf("%s: pad %q snapshots at %v, want %v", where, pad, snapRevs(got.Snapshots[pad]), snapRevs(wantSnaps))
		}
	}
}

func sortedPads(m map[string][]collab.Record) []string {
	pads := make([]string, 0, len(m))
	for p := range m {
		pads = append(pads, p)
	}
	slices.Sort(pads)
	return pads
}

func snapRevs(snaps []collab.Snapshot) []int {
	revs := make([]int, len(snaps))
	for i, s := range snaps {
		revs[i] = s.Rev
	}
	return revs
}

func TestMigrateArguments(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.db")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"NoDestination", []string{"--from", "sqlite:x.db"}, "want --from STORE --to STORE"},
		{"Extra", []string{"--from", "sqlite:a", "--to", "sqlite:b", "c"}, "want --from STORE --to STORE"},
		{"MissingSource", []string{"--from", "sqlite:" + missing, "--to", "sqlite:" + missing + "2"}, "no database to copy"},
		{"EmptyPath", []string{"--from", "sqlite:", "--to", "sqlite:b"}, "wants a file path"},
		{"BadRedisURL", []string{"--from", "mysql://x", "--to", "sqlite:b"}, "unknown Redis URL scheme"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := migrate(t.Context(), tt.args, noEnv)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("migrate %q: err = %v, want one containing %q", tt.args, err, tt.want)
			}
		})
	}
}
