package sqlitestore

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/store/storetest"
)

func TestRevisionReaderConformance(t *testing.T) {
	storetest.TestRevisionReader(t, func(t *testing.T) storetest.RevisionLog {
		s, _ := openTemp(t)
		return s
	})
}

// TestEngineTextAfterRestart reads revisions of a 1,500-revision pad
// through a new store and engine on the file it was written to: each
// text must be the one written.
func TestEngineTextAfterRestart(t *testing.T) {
	s, path := openTemp(t)
	want := storetest.BuildLongPad(t, s, "long", 1500)
	s2, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	e := collab.NewEngine(collab.Config{Log: s2})
	defer e.Close()
	for _, rev := range slices.Sorted(maps.Keys(want)) {
		text, head, err := e.Text(t.Context(), "long", rev)
		if err != nil || head != 1500 || text != want[rev] {
			t.Fatalf("Text(%d) = %d bytes, head %d, %v; want %d bytes, head 1500", rev, len(text), head, err, len(want[rev]))
		}
	}
}

// TestEngineForgetsCheckpointsOfADeletedPad deletes a session whose
// pad's checkpoint the engine has cached, creates it again with other
// text and checks that reading the new pad gives the new text.
func TestEngineForgetsCheckpointsOfADeletedPad(t *testing.T) {
	ctx := t.Context()
	s, _ := openTemp(t)
	e := collab.NewEngine(collab.Config{Log: s})
	defer e.Close()
	write := func(char string) {
		t.Helper()
		if err := s.CreateSession(ctx, conference.Session{ID: "talk", Title: "Talk", State: conference.StateLive}); err != nil {
			t.Fatal(err)
		}
		var recs []collab.Record
		for i := range 150 {
			recs = append(recs, collab.Record{Op: collab.Normalize(collab.NewOp(collab.Skip(i), collab.Insert(char))), Client: "c", Seq: i + 1, Time: time.UnixMilli(1)})
		}
		if err := s.Append(ctx, "talk", 0, recs); err != nil {
			t.Fatal(err)
		}
		text := ""
		for range 100 {
			text += char
		}
		if err := s.SaveSnapshot(ctx, "talk", collab.Snapshot{Rev: 100, Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	read := func(char string) {
		t.Helper()
		text, _, err := e.Text(ctx, "talk", 120)
		if err != nil || len(text) != 120 || text[0:1] != char || text[119:] != char {
			t.Fatalf("Text(120) = %q, %v; want 120 times %q", text, err, char)
		}
	}
	write("a")
	read("a")
	if err := s.DeleteSession(ctx, "talk"); err != nil {
		t.Fatal(err)
	}
	e.Evict("talk") // as the server does on every replica after a delete
	write("b")
	read("b")
}

// TestSegments checks that a checkpoint's segment is stored once the
// ops after it are, that ReadRevision reads a revision's ops from it
// (they read back with the ops' rows gone), that a segment that does not
// hold the revisions asked for is an error, not a wrong text, and that
// deleting the session deletes its segments.
func TestSegments(t *testing.T) {
	ctx := t.Context()
	s, _ := openTemp(t)
	if err := s.CreateSession(ctx, conference.Session{ID: "long", Title: "Long", State: conference.StateLive}); err != nil {
		t.Fatal(err)
	}
	storetest.BuildLongPad(t, s, "long", 350)
	if got := segmentRevs(t, s, "long"); !slices.Equal(got, []int{100, 200}) {
		t.Fatalf("segments at %v, want 100 and 200 (the ops after 300 are not all stored)", got)
	}
	recs, err := s.Records(ctx, "long", 200, 250)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.ExecContext(ctx, `DELETE FROM ops WHERE pad = 'long' AND rev > 200 AND rev <= 300`); err != nil {
		t.Fatal(err)
	}
	_, snap, ops, err := s.ReadRevision(ctx, "long", 250, 0)
	if err != nil || snap.Rev != 200 || len(ops) != 50 {
		t.Fatalf("ReadRevision(250) = snapshot %d, %d ops, %v; want 200 and 50", snap.Rev, len(ops), err)
	}
	for i, r := range recs {
		if !ops[i].Equal(r.Op) {
			t.Fatalf("op of revision %d from the segment is %v, stored %v", r.Rev, ops[i], r.Op)
		}
	}
	if _, err := s.write.ExecContext(ctx, `UPDATE segments SET ops = substr(ops, 1, instr(ops, char(30)) - 1) WHERE pad = 'long' AND rev = 200`); err != nil {
		t.Fatal(err)
	}
	if _, _, ops, err := s.ReadRevision(ctx, "long", 250, 0); err == nil {
		t.Fatalf("ReadRevision(250) from a segment of one op = %d ops, no error", len(ops))
	}
	if err := s.DeleteSession(ctx, "long"); err != nil {
		t.Fatal(err)
	}
	if got := segmentRevs(t, s, "long"); len(got) != 0 {
		t.Errorf("segments at %v after the session was deleted", got)
	}
}

// TestSegmentEndsAtTheNextCheckpoint: a pad whose checkpoint after a
// segment was never saved (checkpoints are saved on a best-effort basis,
// and pads written before segments got theirs from the migration) reads
// a revision past the segment from the ops' rows, not from the segment,
// which ends at the next checkpoint.
func TestSegmentEndsAtTheNextCheckpoint(t *testing.T) {
	ctx := t.Context()
	s, _ := openTemp(t)
	want := storetest.BuildLongPad(t, s, "long", 250)
	if got := segmentRevs(t, s, "long"); !slices.Equal(got, []int{100}) {
		t.Fatalf("segments at %v, want 100", got)
	}
	if _, err := s.write.ExecContext(ctx, `DELETE FROM snapshots WHERE pad = 'long' AND rev = 200`); err != nil {
		t.Fatal(err)
	}
	_, snap, ops, err := s.ReadRevision(ctx, "long", 230, 0)
	if err != nil || snap.Rev != 100 || len(ops) != 130 {
		t.Fatalf("ReadRevision(230) = snapshot %d, %d ops, %v; want 100 and 130", snap.Rev, len(ops), err)
	}
	e := collab.NewEngine(collab.Config{Log: s})
	defer e.Close()
	if text, _, err := e.Text(ctx, "long", 194); err != nil || text != want[194] {
		t.Errorf("Text(194) = %d bytes, %v; want the %d written", len(text), err, len(want[194]))
	}
}

// segmentRevs returns the revisions of the checkpoints of pad that have
// their segment stored, in order.
func segmentRevs(t *testing.T, s *Store, pad string) []int {
	t.Helper()
	rows, err := s.read.QueryContext(t.Context(), `SELECT rev FROM segments WHERE pad = ? ORDER BY rev`, pad)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var revs []int
	for rows.Next() {
		var rev int
		if err := rows.Scan(&rev); err != nil {
			t.Fatal(err)
		}
		revs = append(revs, rev)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return revs
}

// TestPlaceOps checks that the ops ReadRevision reads, each after its
// revision, come back in revision order whatever order SQLite joined them
// in, and that a revision missing, repeated or out of range is an error.
func TestPlaceOps(t *testing.T) {
	a, b := `["a"]`, `[1,"b"]`
	for _, tc := range []struct {
		name     string
		joined   string
		from, to int
		want     []string // the ops in revision order; nil: an error
	}{
		{"in order", "5 " + a + opSeparator + "6 " + b, 4, 6, []string{a, b}},
		{"out of order", "6 " + b + opSeparator + "5 " + a, 4, 6, []string{a, b}},
		{"none stored", "", 4, 6, []string{}},
		{"none wanted", "5 " + a, 4, 4, []string{}},
		{"one missing", "5 " + a, 4, 6, nil},
		{"one twice", "5 " + a + opSeparator + "5 " + a, 4, 6, nil},
		{"after to, passed over", "5 " + a + opSeparator + "7 " + b + opSeparator + "6 " + b, 4, 6, []string{a, b}},
		{"before from", "4 " + a + opSeparator + "5 " + a + opSeparator + "6 " + b, 4, 6, nil},
		{"no revision", a + opSeparator + "6 " + b, 4, 6, nil},
		{"a bad op", "5 " + a + opSeparator + "6 [", 4, 6, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ops, err := placeOps(tc.joined, tc.from, tc.to)
			if tc.want == nil {
				if err == nil {
					t.Fatalf("placeOps accepted %q", tc.joined)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, op := range ops {
				text, _ := op.MarshalJSON()
				got = append(got, string(text))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("ops %q, want %q", got, tc.want)
			}
		})
	}
}
