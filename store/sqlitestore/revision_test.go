package sqlitestore

import (
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
)

// TestReadRevision checks ReadRevision's answers on a pad of 250
// revisions with checkpoints at 100 and 200: the snapshot below the
// revision and the records after it, the head, the text left out when
// the caller has it, and a pad or revision past the end.
func TestReadRevision(t *testing.T) {
	s, _ := openTemp(t)
	want := buildLongPad(t, s, "p", 250)
	cp100, err := s.SnapshotAt(t.Context(), "p", 100)
	if err != nil || cp100.Rev != 100 {
		t.Fatalf("SnapshotAt(100) = %d, %v", cp100.Rev, err)
	}
	for _, tc := range []struct {
		name                string
		pad                 string
		rev, have           int
		head, snapRev, recs int
		textEmpty           bool
	}{
		{"before the first checkpoint", "p", 97, 0, 250, 0, 97, true},
		{"after a checkpoint", "p", 194, 0, 250, 100, 94, false},
		{"at a checkpoint", "p", 200, 0, 250, 200, 0, false},
		{"text held by the caller", "p", 194, 100, 250, 100, 94, true},
		{"another text held", "p", 194, 200, 250, 100, 94, false},
		{"past the head", "p", 300, 0, 250, 250, 0, false},
		{"no such pad", "q", 5, 0, 0, 0, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			head, snap, recs, err := s.ReadRevision(t.Context(), tc.pad, tc.rev, tc.have)
			if err != nil {
				t.Fatal(err)
			}
			if head != tc.head || snap.Rev != tc.snapRev || len(recs) != tc.recs || (snap.Text == "") != tc.textEmpty {
				t.Fatalf("head %d, snapshot %d (%d bytes), %d records; want %d, %d (empty %v), %d",
					head, snap.Rev, len(snap.Text), len(recs), tc.head, tc.snapRev, tc.textEmpty, tc.recs)
			}
			for i, r := range recs {
				if r.Rev != snap.Rev+i+1 {
					t.Fatalf("record %d has revision %d, want %d", i, r.Rev, snap.Rev+i+1)
				}
			}
			if text, ok := want[tc.rev]; ok && !tc.textEmpty {
				got, err := collab.ReplayText(snap, recs)
				if err != nil || got != text {
					t.Fatalf("replayed text of revision %d differs (%v)", tc.rev, err)
				}
			}
		})
	}
}

// TestEngineTextOfOldRevisions reads revisions of a 1,500-revision pad
// through the engine in every way it can: a pad not loaded (read from the
// log), the same again (the checkpoint's text from the engine's cache),
// a loaded pad, and a new engine after a restart; each text must be the
// one written.
func TestEngineTextOfOldRevisions(t *testing.T) {
	s, path := openTemp(t)
	want := buildLongPad(t, s, "long", 1500)
	revs := slices.Sorted(maps.Keys(want))
	check := func(t *testing.T, e *collab.Engine) {
		t.Helper()
		for _, rev := range revs {
			text, head, err := e.Text(t.Context(), "long", rev)
			if err != nil || head != 1500 || text != want[rev] {
				t.Fatalf("Text(%d) = %d bytes, head %d, %v; want %d bytes, head 1500", rev, len(text), head, err, len(want[rev]))
			}
		}
		var cerr *collab.Error
		if _, head, err := e.Text(t.Context(), "long", 1501); !errors.As(err, &cerr) || cerr.Code != collab.CodeRevAhead || head != 1500 {
			t.Fatalf("Text(1501): head %d, %v; want rev_ahead and head 1500", head, err)
		}
	}
	e := collab.NewEngine(collab.Config{Log: s})
	defer e.Close()
	t.Run("not loaded", func(t *testing.T) { check(t, e) })
	t.Run("cached", func(t *testing.T) { check(t, e) })
	t.Run("loaded", func(t *testing.T) {
		if _, err := e.Head(t.Context(), "long"); err != nil { // loads the pad
			t.Fatal(err)
		}
		check(t, e)
	})
	t.Run("after a restart", func(t *testing.T) {
		s2, err := Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		defer s2.Close()
		e2 := collab.NewEngine(collab.Config{Log: s2})
		defer e2.Close()
		check(t, e2)
	})
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
		{"out of range", "5 " + a + opSeparator + "7 " + b, 4, 6, nil},
		{"no revision", a + opSeparator + "6 " + b, 4, 6, nil},
		{"a bad op", "5 " + a + opSeparator + "6 [", 4, 6, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs, err := placeOps(tc.joined, tc.from, tc.to)
			if tc.want == nil {
				if err == nil {
					t.Fatalf("placeOps accepted %q", tc.joined)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, r := range recs {
				op, _ := r.Op.MarshalJSON()
				got = append(got, string(op))
				if r.Rev != tc.from+i+1 {
					t.Errorf("record %d has revision %d, want %d", i, r.Rev, tc.from+i+1)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("ops %q, want %q", got, tc.want)
			}
		})
	}
}
