package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confpad/confpad/internal/testutil"

	"github.com/confpad/confpad/authors"
	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/store/storetest"
)

// openTemp opens a store in a new file under t.TempDir and closes it when
// the test ends.
func openTemp(t testing.TB) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "confpad.db")
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, path
}

func TestLog(t *testing.T) {
	// One file for every subtest: the suite's pad ids keep them apart.
	shared, _ := openTemp(t)
	storetest.TestLog(t, func(*testing.T) collab.Log { return shared })
}

func TestAuthors(t *testing.T) {
	shared, _ := openTemp(t)
	storetest.TestAuthors(t, func(*testing.T) authors.Table { return shared })
}

func TestCatalog(t *testing.T) {
	storetest.TestCatalog(t, func(t *testing.T) conference.Catalog {
		s, _ := openTemp(t)
		return s
	})
}

func TestArchive(t *testing.T) {
	shared, _ := openTemp(t)
	storetest.TestArchive(t, func(*testing.T) storetest.Store { return shared })
}

func TestOpenPaths(t *testing.T) {
	tests := []struct {
		name string
		rel  string
	}{
		{"NestedMissingDirs", "a/b/c/confpad.db"},
		{"URIReservedCharacters", "we?ird#dir%20/pads?.db"},
		{"Spaces", "my data/conf pad.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.rel)
			s, err := Open(t.Context(), path)
			if err != nil {
				t.Fatalf("Open(%q): %v", path, err)
			}
			defer s.Close()
			if err := s.Ping(t.Context()); err != nil {
				t.Fatalf("Ping: %v", err)
			}
			if err := s.SetTitle(t.Context(), "x"); err != nil {
				t.Fatalf("SetTitle: %v", err)
			}
			if matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*")); !slices.Contains(matches, path) {
				t.Fatalf("no database file at %q; directory holds %q", path, matches)
			}
		})
	}
}

func TestDataSurvivesReopen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "confpad.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	recs := []collab.Record{
		{Rev: 1, Op: collab.NewOp(collab.Insert("hi 😀")), Client: "c1", Seq: 1, Time: time.UnixMilli(1_315_000_000_123).UTC()},
		{Rev: 2, Op: collab.NewOp(collab.Skip(2), collab.DeleteText(" ")), Client: "c1", Seq: 2, Time: time.UnixMilli(1_315_000_001_456).UTC()},
	}
	err = errors.Join(
		s.Append(ctx, "pad", 0, recs),
		s.SaveSnapshot(ctx, "pad", collab.Snapshot{Rev: 1, Text: "hi 😀"}),
		s.SetTitle(ctx, "LPC 2011"),
		s.CreateSession(ctx, conference.Session{ID: "pad", Title: "Tracing", State: conference.StateLive}),
	)
	if err != nil {
		t.Fatalf("writing before the reopen: %v", err)
	}
	link, err := s.AddLink(ctx, "pad", conference.Link{Title: "Slides", URL: "https://example.org/"})
	if err != nil {
		t.Fatalf("AddLink: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	snap, got, err := s.Load(ctx, "pad")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !snap.Equal(collab.Snapshot{Rev: 1, Text: "hi 😀"}) || len(got) != 1 || !got[0].Op.Equal(recs[1].Op) ||
		got[0].Rev != 2 || got[0].Client != "c1" || got[0].Seq != 2 || !got[0].Time.Equal(recs[1].Time) {
		t.Errorf("after reopen Load = %+v, %+v; want snapshot 1 and record %+v", snap, got, recs[1])
	}
	if title, err := s.Title(ctx); err != nil || title != "LPC 2011" {
		t.Errorf("after reopen Title = %q, %v", title, err)
	}
	sess, err := s.Session(ctx, "pad")
	if err != nil || sess.Title != "Tracing" || len(sess.Links) != 1 || sess.Links[0].ID != link.ID || !sess.Links[0].Added.Equal(link.Added) {
		t.Errorf("after reopen Session = %+v, %v; want title Tracing and link %+v", sess, err, link)
	}
	// The head survived too: appends continue at revision 3.
	if err := s.Append(ctx, "pad", 2, []collab.Record{{Op: collab.NewOp(collab.Insert("!")), Client: "c2", Seq: 1}}); err != nil {
		t.Errorf("Append at the old head after reopen: %v", err)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	s, path := openTemp(t)
	if _, err := s.write.ExecContext(t.Context(), `UPDATE schema_version SET version = ?`, len(migrations)+1); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(t.Context(), path); err == nil {
		t.Fatal("Open accepted a database with a newer schema")
	}
}

func TestReopenKeepsSchemaVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "confpad.db")
	for range 2 {
		s, err := Open(t.Context(), path)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		var versions []int
		rows, err := s.read.QueryContext(t.Context(), `SELECT version FROM schema_version`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			versions = append(versions, v)
		}
		rows.Close()
		s.Close()
		if !slices.Equal(versions, []int{len(migrations)}) {
			t.Fatalf("schema_version rows = %v, want [%d]", versions, len(migrations))
		}
	}
}

func TestPadsAndSnapshots(t *testing.T) {
	s, _ := openTemp(t)
	ctx := t.Context()
	op := []collab.Record{{Op: collab.NewOp(collab.Insert("x")), Client: "c", Seq: 1}}
	err := errors.Join(
		s.Append(ctx, "b", 0, op),
		s.Append(ctx, "a", 0, op),
		s.Append(ctx, "a", 1, op),
		s.SaveSnapshot(ctx, "a", collab.Snapshot{Rev: 2, Text: "xx"}),
		s.SaveSnapshot(ctx, "a", collab.Snapshot{Rev: 1, Text: "x"}),
		s.SaveSnapshot(ctx, "only-snapshot", collab.Snapshot{Rev: 0, Text: ""}),
	)
	if err != nil {
		t.Fatal(err)
	}
	pads, err := s.Pads(ctx)
	if err != nil {
		t.Fatalf("Pads: %v", err)
	}
	if want := []string{"a", "b", "only-snapshot"}; !slices.Equal(pads, want) {
		t.Errorf("Pads = %q, want %q", pads, want)
	}
	tests := []struct {
		pad  string
		want []collab.Snapshot
	}{
		{"a", []collab.Snapshot{{Rev: 1, Text: "x"}, {Rev: 2, Text: "xx"}}},
		{"b", nil},
		{"missing", nil},
	}
	for _, tt := range tests {
		got, err := s.Snapshots(ctx, tt.pad)
		if err != nil {
			t.Fatalf("Snapshots(%q): %v", tt.pad, err)
		}
		if !slices.EqualFunc(got, tt.want, collab.Snapshot.Equal) {
			t.Errorf("Snapshots(%q) = %+v, want %+v", tt.pad, got, tt.want)
		}
	}
}

// TestSnapshotsPruned: only the newest SnapshotsKept snapshots of a pad
// stay; older revisions then load from revision 0, and other pads keep
// theirs.
func TestSnapshotsPruned(t *testing.T) {
	s, _ := openTemp(t)
	ctx := t.Context()
	const n = SnapshotsKept + 3
	for rev := range n {
		rec := []collab.Record{{Op: collab.NewOp(collab.Insert("x")), Client: "c", Seq: rev + 1}}
		if err := errors.Join(
			s.Append(ctx, "a", rev, rec),
			s.SaveSnapshot(ctx, "a", collab.Snapshot{Rev: rev + 1, Text: strings.Repeat("x", rev+1)}),
		); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveSnapshot(ctx, "b", collab.Snapshot{Rev: 0, Text: ""}); err != nil {
		t.Fatal(err)
	}
	var want []collab.Snapshot
	for rev := n - SnapshotsKept + 1; rev <= n; rev++ {
		want = append(want, collab.Snapshot{Rev: rev, Text: strings.Repeat("x", rev)})
	}
	if got, err := s.Snapshots(ctx, "a"); err != nil || !slices.EqualFunc(got, want, collab.Snapshot.Equal) {
		t.Errorf("Snapshots(a) = %+v, %v; want %+v", got, err, want)
	}
	if got, err := s.SnapshotAt(ctx, "a", 2); err != nil || !got.Equal(collab.Snapshot{}) {
		t.Errorf("SnapshotAt(a, 2) = %+v, %v; want the empty snapshot", got, err)
	}
	if got, err := s.Snapshots(ctx, "b"); err != nil || len(got) != 1 {
		t.Errorf("Snapshots(b) = %+v, %v; want its one snapshot", got, err)
	}
}

// TestGroupCommit holds the writer's connection so that appends and
// notes of authors queue up behind one transaction, then checks that they
// were committed together: one transaction for all.
func TestGroupCommit(t *testing.T) {
	const appends, notes = 64, 8
	s, _ := openTemp(t)
	ctx := t.Context()

	conn, err := s.write.Conn(ctx) // the writer's only connection
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, appends+notes)
	for i := range appends {
		go func() {
			recs := []collab.Record{{Op: collab.NewOp(collab.Insert("x")), Client: "c", Seq: 1}}
			errs <- s.Append(ctx, fmt.Sprintf("pad-%d", i), 0, recs)
		}()
	}
	for i := range notes {
		go func() {
			errs <- s.NoteAuthors(ctx, fmt.Sprintf("pad-%d", i), []authors.Author{{ID: "amy", Name: "Amy", Ops: i + 1}})
		}()
	}
	// The writer takes one request and waits for the connection; the rest
	// queue behind it.
	testutil.Eventually(t, "the other requests to queue", func() bool { return len(s.w.reqs) >= appends+notes-1 })
	conn.Close()
	for range appends + notes {
		if err := <-errs; err != nil {
			t.Fatalf("Append or NoteAuthors: %v", err)
		}
	}
	if got := s.CommitStats(); got != (CommitStats{Appends: appends, Commits: 1}) {
		t.Errorf("CommitStats = %+v, want all %d appends and %d notes in 1 commit", got, appends, notes)
	}
	for i := range notes {
		got, err := s.Authors(ctx, fmt.Sprintf("pad-%d", i))
		if err != nil || len(got) != 1 || got[0].Name != "Amy" || got[0].Ops != i+1 {
			t.Errorf("Authors(pad-%d) = %+v, %v; want Amy with %d ops", i, got, err, i+1)
		}
	}
	pads, err := s.Pads(ctx)
	if err != nil || len(pads) != appends {
		t.Errorf("Pads = %d pads, %v; want %d", len(pads), err, appends)
	}
}

// TestCloseDrains closes the store while appends are in flight: every
// Append either succeeds, and its record is there after a reopen, or fails
// with ErrClosed and stored nothing.
func TestCloseDrains(t *testing.T) {
	const writers, perWriter = 16, 50
	path := filepath.Join(t.TempDir(), "confpad.db")
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	heads := make([]int, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			pad := fmt.Sprintf("pad-%d", w)
			for range perWriter {
				recs := []collab.Record{{Op: collab.NewOp(collab.Insert("x")), Client: "c", Seq: heads[w] + 1}}
				err := s.Append(context.Background(), pad, heads[w], recs)
				if errors.Is(err, ErrClosed) {
					return
				}
				if err != nil {
					t.Errorf("Append: %v", err)
					return
				}
				heads[w]++
			}
		})
	}
	// Close once some appends have committed, while the rest are running.
	testutil.Eventually(t, "some appends to commit", func() bool { return s.CommitStats().Appends >= writers })
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	wg.Wait()

	s, err = Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for w, h := range heads {
		recs, err := s.Records(t.Context(), fmt.Sprintf("pad-%d", w), 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != h {
			t.Errorf("pad-%d: %d appends succeeded but %d records are stored", w, h, len(recs))
		}
	}
	if err := s.Append(t.Context(), "pad-0", heads[0], nil); err != nil {
		t.Errorf("Append after reopen: %v", err)
	}
}

func TestAppendAfterClose(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "confpad.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	err = s.Append(t.Context(), "pad", 0, []collab.Record{{Op: collab.NewOp(collab.Insert("x"))}})
	if !errors.Is(err, ErrClosed) {
		t.Errorf("Append after Close: err = %v, want ErrClosed", err)
	}
	if err := s.Ping(t.Context()); err == nil {
		t.Error("Ping after Close succeeded")
	}
}

// TestDurabilitySettings checks the settings an ack's durability rests on.
func TestDurabilitySettings(t *testing.T) {
	s, _ := openTemp(t)
	tests := []struct {
		pool   string
		pragma string
		want   string
	}{
		{"write", "journal_mode", "wal"},
		{"write", "synchronous", "2"}, // FULL
		{"write", "foreign_keys", "1"},
		{"write", "busy_timeout", "5000"},
		{"read", "busy_timeout", "5000"},
		{"read", "query_only", "1"},
	}
	for _, tt := range tests {
		db := s.write
		if tt.pool == "read" {
			db = s.read
		}
		var got string
		if err := db.QueryRowContext(t.Context(), "PRAGMA "+tt.pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", tt.pragma, err)
		}
		if got != tt.want {
			t.Errorf("%s pool: PRAGMA %s = %s, want %s", tt.pool, tt.pragma, got, tt.want)
		}
	}
}

func TestAppendRefusesInvalidOp(t *testing.T) {
	s, _ := openTemp(t)
	tests := []struct {
		name string
		op   collab.Op
	}{
		{"TrailingSkip", collab.NewOp(collab.Insert("x"), collab.Skip(2))},
		{"EmptyInsert", collab.NewOp(collab.Insert(""))},
		{"InvalidUTF8", collab.NewOp(collab.Insert("\xff"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			good := collab.Record{Op: collab.NewOp(collab.Insert("ok")), Client: "c", Seq: 1}
			bad := collab.Record{Op: tt.op, Client: "c", Seq: 2}
			if err := s.Append(t.Context(), tt.name, 0, []collab.Record{good, bad}); !errors.Is(err, collab.ErrInvalidOp) {
				t.Fatalf("Append: err = %v, want ErrInvalidOp", err)
			}
			if recs, err := s.Records(t.Context(), tt.name, 0, -1); err != nil || len(recs) != 0 {
				t.Fatalf("Records after a refused Append = %d records, %v; want none", len(recs), err)
			}
		})
	}
}

// openOld writes a database of schema version, with the rows that stmts
// insert, and opens it, which migrates it to the current schema; the
// store is closed when the test ends.
func openOld(t *testing.T, version int, stmts ...string) *Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", dsn(path, ""))
	if err != nil {
		t.Fatal(err)
	}
	all := append(slices.Clone(migrations[:version]),
		`CREATE TABLE schema_version (version INTEGER NOT NULL)`,
		fmt.Sprintf(`INSERT INTO schema_version (version) VALUES (%d)`, version))
	for _, stmt := range append(all, stmts...) {
		if _, err := db.ExecContext(t.Context(), stmt); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestMigrationGivesOldOpsTheirClientAsAuthor opens a database written
// with schema version 1, before ops kept their author: its ops read back
// with their client as author, and new ops keep theirs.
func TestMigrationGivesOldOpsTheirClientAsAuthor(t *testing.T) {
	s := openOld(t, 1, `INSERT INTO ops (pad, rev, client, seq, time, op) VALUES ('p', 1, 'old-client', 1, 1000, '["hi"]')`)
	rec := collab.Record{Op: collab.NewOp(collab.Skip(2), collab.Insert("!")), Client: "new-client", Author: "ann", Seq: 1, Time: time.UnixMilli(2000)}
	if err := s.Append(t.Context(), "p", 1, []collab.Record{rec}); err != nil {
		t.Fatal(err)
	}
	recs, err := s.Records(t.Context(), "p", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	var authors []string
	for _, r := range recs {
		authors = append(authors, r.Author)
	}
	if want := []string{"old-client", "ann"}; !slices.Equal(authors, want) {
		t.Errorf("authors %q, want %q", authors, want)
	}
}

// TestMigrationFromVersion5KeepsOpsWithoutRuns opens a database written
// with schema version 5, before ops kept runs: its ops read back without
// runs (their author wrote all they inserted), a new op keeps its runs,
// and the pad's history size counts them.
func TestMigrationFromVersion5KeepsOpsWithoutRuns(t *testing.T) {
	s := openOld(t, 5, `INSERT INTO ops (pad, rev, client, author, seq, time, op) VALUES ('p', 1, 'c', 'ann', 1, 1000, '["hi"]')`)
	before, err := s.HistoryBytes(t.Context(), "p")
	if err != nil {
		t.Fatal(err)
	}
	runs := []collab.Run{{Author: "ep-1", Len: 1}, {Author: "import", Len: 1}}
	rec := collab.Record{Op: collab.NewOp(collab.Skip(2), collab.Insert("!😀")), Client: "i", Author: "import", Runs: runs, Seq: 1, Time: time.UnixMilli(2000)}
	if err := s.Append(t.Context(), "p", 1, []collab.Record{rec}); err != nil {
		t.Fatal(err)
	}
	recs, err := s.Records(t.Context(), "p", 0, -1)
	if err != nil || len(recs) != 2 {
		t.Fatalf("Records: %d, %v", len(recs), err)
	}
	if recs[0].Runs != nil || recs[0].Author != "ann" {
		t.Errorf("the old op reads back as %+v, want author ann and no runs", recs[0])
	}
	if !slices.Equal(recs[1].Runs, runs) {
		t.Errorf("the new op's runs are %v, want %v", recs[1].Runs, runs)
	}
	after, err := s.HistoryBytes(t.Context(), "p")
	if err != nil {
		t.Fatal(err)
	}
	if stored := int64(len(collab.MarshalRuns(runs))); after-before < stored {
		t.Errorf("the history grew by %d bytes, less than the %d of the runs alone", after-before, stored)
	}
}

// TestMigrationMovesSnapshotsToARowidTable opens a database written with
// the schema before snapshots had rowids: its snapshots read back as they
// were, from a table that now has rowids (so that a key lookup does not
// read the texts), and saving one still replaces the snapshot at its
// revision.
func TestMigrationMovesSnapshotsToARowidTable(t *testing.T) {
	ctx := t.Context()
	before := slices.IndexFunc(migrations, func(m string) bool { return strings.Contains(m, "CREATE TABLE snapshots_rowid") })
	if before < 0 {
		t.Fatal("no migration creates snapshots_rowid")
	}
	s := openOld(t, before, `INSERT INTO snapshots (pad, rev, text, attribution) VALUES ('p', 100, 'old text', NULL), ('p', 200, 'newer', '[{"author":"a","length":5}]'), ('q', 100, 'other', NULL)`,
		`INSERT INTO ops (pad, rev, client, author, seq, time, op) VALUES ('p', 200, 'c', 'c', 1, 1000, '["x"]')`) // a head for the save below
	var rowids int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(rowid) FROM snapshots`).Scan(&rowids); err != nil || rowids != 3 {
		t.Fatalf("rowids of snapshots: %d, %v; want 3", rowids, err)
	}
	if err := s.SaveSnapshot(ctx, "p", collab.Snapshot{Rev: 100, Text: "replaced"}); err != nil {
		t.Fatal(err)
	}
	snaps, err := s.Snapshots(ctx, "p")
	if err != nil {
		t.Fatal(err)
	}
	want := []collab.Snapshot{{Rev: 100, Text: "replaced"}, {Rev: 200, Text: "newer", Attribution: []collab.Run{{Author: "a", Len: 5}}}}
	if !slices.EqualFunc(snaps, want, collab.Snapshot.Equal) {
		t.Errorf("snapshots of p: %+v, want %+v", snaps, want)
	}
}

// TestMigrationStoresSegmentsOfOldPads opens a database written before
// segments with a pad of 250 revisions and checkpoints at 100 and 200:
// the checkpoint at 100, whose 100 ops are stored, gets its segment, the
// one at 200 not yet, and a revision after 100 reads back from it.
func TestMigrationStoresSegmentsOfOldPads(t *testing.T) {
	ctx := t.Context()
	before := slices.IndexFunc(migrations, func(m string) bool { return strings.Contains(m, "CREATE TABLE segments") })
	if before < 0 {
		t.Fatal("no migration creates segments")
	}
	stmts := []string{`INSERT INTO snapshots (pad, rev, text) VALUES ('p', 100, ''), ('p', 200, '')`}
	for rev := 1; rev <= 250; rev++ {
		op := `["x"]` // the text is rev-1 x's, each insert at the start
		stmts = append(stmts, fmt.Sprintf(`INSERT INTO ops (pad, rev, client, author, seq, time, op) VALUES ('p', %d, 'c', 'c', %d, 1000, '%s')`, rev, rev, op))
	}
	s := openOld(t, before, stmts...)
	if revs := segmentRevs(t, s, "p"); !slices.Equal(revs, []int{100}) {
		t.Fatalf("segments at %v after the migration, want 100", revs)
	}
	if _, err := s.write.ExecContext(ctx, `DELETE FROM ops WHERE rev > 100 AND rev <= 200`); err != nil {
		t.Fatal(err)
	}
	if _, snap, ops, err := s.ReadRevision(ctx, "p", 150, 0); err != nil || snap.Rev != 100 || len(ops) != 50 {
		t.Fatalf("ReadRevision(150) = snapshot %d, %d ops, %v; want 100 and 50 from the segment", snap.Rev, len(ops), err)
	}
}

// TestMigrationLeavesOldSnapshotsWithoutASum opens a database written
// before snapshots kept a sum: its snapshots read back with none (0, so
// that a read checks their UTF-8), and one saved after, new or in the
// place of an old one, with its sum.
func TestMigrationLeavesOldSnapshotsWithoutASum(t *testing.T) {
	ctx := t.Context()
	s := openOld(t, 8, `INSERT INTO snapshots (pad, rev, text) VALUES ('p', 1, 'x')`)
	recs := []collab.Record{{Op: collab.NewOp(collab.Insert("x"))}, {Op: collab.NewOp(collab.Insert("y"))}}
	if err := s.Append(ctx, "p", 0, recs); err != nil {
		t.Fatal(err)
	}
	if _, snap, _, err := s.ReadRevision(ctx, "p", 1, 0); err != nil || snap.Rev != 1 || snap.Text != "x" || snap.Sum != 0 {
		t.Fatalf("ReadRevision(1) = %+v, %v; want the old snapshot without a sum", snap, err)
	}
	saved := collab.Snapshot{Rev: 2, Text: "yx", Sum: collab.TextSum("yx")}
	replaced := collab.Snapshot{Rev: 1, Text: "x", Sum: collab.TextSum("x")}
	for _, snap := range []collab.Snapshot{saved, replaced} {
		if err := s.SaveSnapshot(ctx, "p", snap); err != nil {
			t.Fatal(err)
		}
	}
	snaps, err := s.Snapshots(ctx, "p")
	if want := []collab.Snapshot{replaced, saved}; err != nil || !slices.EqualFunc(snaps, want, collab.Snapshot.Equal) {
		t.Errorf("snapshots of p: %+v, %v; want %+v", snaps, err, want)
	}
}
