package storetest

import (
	"errors"
	"testing"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
)

// Store is a store that holds both the pads' history and the catalog, and
// so can refuse appends to the pad of an archived session atomically.
type Store interface {
	collab.Log
	conference.Catalog
}

// TestArchive runs the conformance suite of an archived session on a store
// that implements both seams: appends to its pad are refused with
// collab.ErrReadOnly, its links with conference.ErrArchived, and making it
// live again restores both.
func TestArchive(t *testing.T, newStore func(t *testing.T) Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s Store)
	}{
		{"AppendRefused", testArchivedAppendRefused},
		{"ConflictBeforeReadOnly", testArchivedConflictFirst},
		{"LinksRefused", testArchivedLinksRefused},
		{"UnarchiveRestores", testUnarchiveRestores},
		{"PadWithoutSession", testPadWithoutSession},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, newStore(t))
		})
	}
}

// archived creates a session, appends two records to its pad and archives
// it; it returns the session.
func archived(t *testing.T, s Store) conference.Session {
	t.Helper()
	sess := session(uniqueID(t, "s"), "Archived")
	mustCreate(t, s, sess)
	mustAppend(t, s, sess.ID, 0, inserts(0, 2, "ada"))
	setState(t, s, &sess, conference.StateArchived)
	return sess
}

// setState changes sess's state in the catalog.
func setState(t *testing.T, s Store, sess *conference.Session, state string) {
	t.Helper()
	sess.State = state
	if err := s.UpdateSession(t.Context(), *sess); err != nil {
		t.Fatalf("UpdateSession(%q, state %s): %v", sess.ID, state, err)
	}
}

func testArchivedAppendRefused(t *testing.T, s Store) {
	sess := archived(t, s)
	err := s.Append(t.Context(), sess.ID, 2, inserts(2, 1, "bob"))
	if !errors.Is(err, collab.ErrReadOnly) {
		t.Fatalf("Append to an archived pad: err = %v, want ErrReadOnly", err)
	}
	if h := head(t, s, sess.ID); h != 2 {
		t.Errorf("head after a refused append = %d, want 2", h)
	}
}

func testArchivedConflictFirst(t *testing.T, s Store) {
	sess := archived(t, s)
	if err := s.Append(t.Context(), sess.ID, 1, inserts(1, 1, "bob")); !errors.Is(err, collab.ErrConflict) {
		t.Fatalf("stale Append to an archived pad: err = %v, want ErrConflict", err)
	}
}

func testArchivedLinksRefused(t *testing.T, s Store) {
	sess := session(uniqueID(t, "s"), "Links")
	mustCreate(t, s, sess)
	kept := mustAddLink(t, s, sess.ID, conference.Link{Title: "Slides", URL: "https://example.org/a.pdf"})
	setState(t, s, &sess, conference.StateArchived)
	if _, err := s.AddLink(t.Context(), sess.ID, conference.Link{Title: "Late", URL: "https://example.org/b.pdf"}); !errors.Is(err, conference.ErrArchived) {
		t.Errorf("AddLink to an archived session: err = %v, want ErrArchived", err)
	}
	if err := s.DeleteLink(t.Context(), sess.ID, kept.ID); !errors.Is(err, conference.ErrArchived) {
		t.Errorf("DeleteLink of an archived session: err = %v, want ErrArchived", err)
	}
	checkLinks(t, mustSession(t, s, sess.ID).Links, []conference.Link{kept})
	if got := mustSession(t, s, sess.ID).State; got != conference.StateArchived {
		t.Errorf("state = %q, want archived", got)
	}
}

func testUnarchiveRestores(t *testing.T, s Store) {
	sess := archived(t, s)
	setState(t, s, &sess, conference.StateLive)
	mustAppend(t, s, sess.ID, 2, inserts(2, 1, "bob"))
	if h := head(t, s, sess.ID); h != 3 {
		t.Errorf("head = %d, want 3", h)
	}
	mustAddLink(t, s, sess.ID, conference.Link{Title: "Slides", URL: "https://example.org/a.pdf"})
}

// testPadWithoutSession: a pad with no session (as the Log suite uses) is
// writable.
func testPadWithoutSession(t *testing.T, s Store) {
	mustAppend(t, s, uniqueID(t, "pad"), 0, inserts(0, 1, "ada"))
}
