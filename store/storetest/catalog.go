package storetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
)

// TestCatalog runs the conference.Catalog conformance suite. newCatalog is
// called once per subtest and must return an empty catalog (no title, no
// sessions); it should register any cleanup with t.Cleanup. If the catalog
// also implements collab.Log, the suite checks that DeleteSession drops the
// session's pad history too.
//
// Beyond the interface's doc comments the suite expects two things every
// store must agree on: CreateSession keeps the links it is given, with their
// ids and times, so that a session can be copied between stores without
// loss; and times (Created, Added) are kept to the millisecond.
func TestCatalog(t *testing.T, newCatalog func(t *testing.T) conference.Catalog) {
	tests := []struct {
		name string
		run  func(t *testing.T, c conference.Catalog)
	}{
		{"Title", testTitle},
		{"BoFs", testBoFs},
		{"CreateAndGet", testCreateAndGet},
		{"CreateExisting", testCreateExisting},
		{"NotFound", testNotFound},
		{"SessionsOrderedByID", testSessionsOrdered},
		{"UpdateSession", testUpdateSession},
		{"Links", testLinks},
		{"UpdateLink", testUpdateLink},
		{"LinkLimitUnderConcurrentAdds", testLinkLimitUnderConcurrentAdds},
		{"DeleteSession", testDeleteSession},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, newCatalog(t))
		})
	}
}

// session returns a session with every metadata field set.
func session(id, title string) conference.Session {
	return conference.Session{
		ID:          id,
		Title:       title,
		Description: "Notes on " + title + " — with ünïcode 😀",
		Time:        "2011-09-08 09:00",
		Room:        "Salon A",
		Speakers:    []string{"Ada Lovelace", "Linus"},
		State:       conference.StateLive,
		Created:     baseTime,
		Policy:      conference.PolicyLink,
		EditSecret:  "edit-secret-" + id,
	}
}

// mustCreate creates s and fails t on error.
func mustCreate(t *testing.T, c conference.Catalog, s conference.Session) {
	t.Helper()
	if err := c.CreateSession(t.Context(), s); err != nil {
		t.Fatalf("CreateSession(%q): %v", s.ID, err)
	}
}

// mustSession reads a session and fails t on error.
func mustSession(t *testing.T, c conference.Catalog, id string) conference.Session {
	t.Helper()
	s, err := c.Session(t.Context(), id)
	if err != nil {
		t.Fatalf("Session(%q): %v", id, err)
	}
	return s
}

// mustAddLink adds a link and fails t on error.
func mustAddLink(t *testing.T, c conference.Catalog, id string, l conference.Link) conference.Link {
	t.Helper()
	got, err := c.AddLink(t.Context(), id, l)
	if err != nil {
		t.Fatalf("AddLink(%q): %v", id, err)
	}
	return got
}

// checkSession fails t unless got has want's metadata (Created to the
// millisecond; an empty speaker list equals a nil one) and want's links.
func checkSession(t *testing.T, got, want conference.Session) {
	t.Helper()
	if got.ID != want.ID || got.Title != want.Title || got.Description != want.Description ||
		got.Time != want.Time || got.Room != want.Room || got.State != want.State ||
		got.Kind != want.Kind || got.Order != want.Order ||
		got.Policy != want.Policy || got.EditSecret != want.EditSecret {
		t.Errorf("session = %+v, want %+v", got, want)
	}
	if !slices.Equal(got.Speakers, want.Speakers) {
		t.Errorf("session %q speakers = %q, want %q", want.ID, got.Speakers, want.Speakers)
	}
	if !sameTime(got.Created, want.Created) {
		t.Errorf("session %q created = %v, want %v", want.ID, got.Created, want.Created)
	}
	checkLinks(t, got.Links, want.Links)
}

// checkLinks fails t unless got, links as a Catalog returned them, is a
// non-nil list (the API shows a session without links as "links": [])
// equal to want link by link (Added to the millisecond).
func checkLinks(t *testing.T, got, want []conference.Link) {
	t.Helper()
	if got == nil {
		t.Errorf("links = nil, want a non-nil list")
	}
	if len(got) != len(want) {
		t.Fatalf("got %d links %+v, want %d %+v", len(got), got, len(want), want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.ID != w.ID || g.Title != w.Title || g.URL != w.URL || !sameTime(g.Added, w.Added) || g.TokenHash != w.TokenHash {
			t.Errorf("link %d = %+v, want %+v", i, g, w)
		}
	}
}

func testTitle(t *testing.T, c conference.Catalog) {
	ctx := t.Context()
	title, err := c.Title(ctx)
	if err != nil {
		t.Fatalf("Title: %v", err)
	}
	if title != "" {
		t.Errorf("Title of an empty catalog = %q, want \"\"", title)
	}
	for _, want := range []string{"Linux Plumbers Conference 2011", "Plumbers ☃ 2012 — 𝄞", ""} {
		if err := c.SetTitle(ctx, want); err != nil {
			t.Fatalf("SetTitle(%q): %v", want, err)
		}
		got, err := c.Title(ctx)
		if err != nil {
			t.Fatalf("Title: %v", err)
		}
		if got != want {
			t.Errorf("Title after SetTitle(%q) = %q", want, got)
		}
	}
}

func testBoFs(t *testing.T, c conference.Catalog) {
	ctx := t.Context()
	got, err := c.BoFs(ctx)
	if err != nil {
		t.Fatalf("BoFs: %v", err)
	}
	if got {
		t.Errorf("BoFs of an empty catalog = true, want false")
	}
	for _, want := range []bool{true, true, false, true} {
		if err := c.SetBoFs(ctx, want); err != nil {
			t.Fatalf("SetBoFs(%v): %v", want, err)
		}
		if got, err := c.BoFs(ctx); err != nil || got != want {
			t.Errorf("BoFs after SetBoFs(%v) = %v, %v", want, got, err)
		}
	}
}

func testCreateAndGet(t *testing.T, c conference.Catalog) {
	tests := []struct {
		name string
		s    conference.Session
	}{
		{"AllFields", session(uniqueID(t, "full"), "Virtualization")},
		{"OnlyID", conference.Session{ID: uniqueID(t, "bare")}},
		{"BoF", conference.Session{ID: uniqueID(t, "bof"), Title: "Hallway BoF", Kind: conference.KindBoF, Time: "Thu 18:00", State: conference.StateLive}},
		{"ProgrammeOrder", conference.Session{ID: uniqueID(t, "ord"), Title: "Third", Order: 3, State: conference.StateLive}},
		{"Archived", conference.Session{ID: uniqueID(t, "old"), Title: "Tracing", State: conference.StateArchived, Created: time.Date(2011, 9, 9, 0, 0, 0, 0, time.UTC)}},
		{"AstralID", conference.Session{ID: uniqueID(t, "𝄞😀"), Title: "Audio 🎵"}},
		{"WithLinks", conference.Session{ID: uniqueID(t, "links"), Title: "Migrated", Links: []conference.Link{
			{ID: "l2", Title: "Slides", URL: "https://example.org/s.pdf", Added: baseTime},
			{ID: "l1", Title: "Video", URL: "https://example.org/v", Added: baseTime.Add(time.Minute)},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustCreate(t, c, tt.s)
			checkSession(t, mustSession(t, c, tt.s.ID), tt.s)
		})
	}
}

func testCreateExisting(t *testing.T, c conference.Catalog) {
	s := session(uniqueID(t, "s"), "Scaling")
	mustCreate(t, c, s)
	again := session(s.ID, "Something else")
	if err := c.CreateSession(t.Context(), again); !errors.Is(err, conference.ErrExists) {
		t.Fatalf("CreateSession of an existing id: err = %v, want ErrExists", err)
	}
	checkSession(t, mustSession(t, c, s.ID), s)
}

func testNotFound(t *testing.T, c conference.Catalog) {
	known := session(uniqueID(t, "known"), "Known")
	mustCreate(t, c, known)
	mustAddLink(t, c, known.ID, conference.Link{Title: "Slides", URL: "https://example.org/s.pdf"})
	other := session(uniqueID(t, "other"), "Other")
	mustCreate(t, c, other)
	otherLink := mustAddLink(t, c, other.ID, conference.Link{Title: "Other slides", URL: "https://example.org/o.pdf"})
	missing := uniqueID(t, "missing")

	tests := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"Session", func(ctx context.Context) error { _, err := c.Session(ctx, missing); return err }},
		{"UpdateSession", func(ctx context.Context) error { return c.UpdateSession(ctx, session(missing, "x")) }},
		{"DeleteSession", func(ctx context.Context) error { return c.DeleteSession(ctx, missing) }},
		{"AddLink", func(ctx context.Context) error {
			_, err := c.AddLink(ctx, missing, conference.Link{Title: "x", URL: "https://example.org/"})
			return err
		}},
		{"DeleteLinkOfMissingSession", func(ctx context.Context) error { return c.DeleteLink(ctx, missing, otherLink.ID) }},
		{"DeleteMissingLink", func(ctx context.Context) error { return c.DeleteLink(ctx, known.ID, "no-such-link") }},
		{"DeleteLinkOfAnotherSession", func(ctx context.Context) error { return c.DeleteLink(ctx, known.ID, otherLink.ID) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(t.Context()); !errors.Is(err, conference.ErrNotFound) {
				t.Fatalf("err = %v, want ErrNotFound", err)
			}
		})
	}
	// Nothing was created or removed on the way.
	if _, err := c.Session(t.Context(), missing); !errors.Is(err, conference.ErrNotFound) {
		t.Errorf("Session(%q) after the failed calls: err = %v, want ErrNotFound", missing, err)
	}
	if got := mustSession(t, c, other.ID).Links; len(got) != 1 {
		t.Errorf("other session has %d links after failed deletes, want 1", len(got))
	}
	if got := mustSession(t, c, known.ID).Links; len(got) != 1 {
		t.Errorf("known session has %d links after failed deletes, want 1", len(got))
	}
}

func testSessionsOrdered(t *testing.T, c conference.Catalog) {
	prefix := uniqueID(t, "")
	ids := []string{prefix + "c", prefix + "a", prefix + "B", prefix + "b", prefix + "a2"}
	want := make([]conference.Session, len(ids))
	for i, id := range ids {
		want[i] = session(id, "Session "+id)
		mustCreate(t, c, want[i])
	}
	want[1].Links = []conference.Link{mustAddLink(t, c, want[1].ID, conference.Link{Title: "Slides", URL: "https://example.org/a.pdf"})}
	slices.SortFunc(want, func(a, b conference.Session) int { return cmp.Compare(a.ID, b.ID) })

	got, err := c.Sessions(t.Context())
	if err != nil {
		t.Fatalf("Sessions: %v", err)
	}
	if len(got) != len(want) {
		t.Fatalf("Sessions returned %d sessions, want %d", len(got), len(want))
	}
	for i := range want {
		checkSession(t, got[i], want[i])
	}
}

func testUpdateSession(t *testing.T, c conference.Catalog) {
	s := session(uniqueID(t, "s"), "Before")
	mustCreate(t, c, s)
	link := mustAddLink(t, c, s.ID, conference.Link{Title: "Slides", URL: "https://example.org/s.pdf"})

	updated := conference.Session{
		ID:          s.ID,
		Title:       "After 😀",
		Description: "",
		Room:        "Salon B",
		Speakers:    []string{"Grace Hopper"},
		State:       conference.StateArchived,
		Kind:        conference.KindBoF,
		Order:       7,
		Created:     s.Created,
	}
	if err := c.UpdateSession(t.Context(), updated); err != nil {
		t.Fatalf("UpdateSession: %v", err)
	}
	updated.Links = []conference.Link{link} // links are kept
	checkSession(t, mustSession(t, c, s.ID), updated)
}

func testLinks(t *testing.T, c conference.Catalog) {
	s := session(uniqueID(t, "s"), "Links")
	mustCreate(t, c, s)
	before := time.Now()
	inputs := []conference.Link{
		{Title: "Slides", URL: "https://example.org/slides.pdf"},
		{Title: "Paper ☃", URL: "http://example.org/paper?x=1&y=😀"},
		{Title: "Slides", URL: "https://example.org/slides.pdf"}, // the same link twice is two links
	}
	var added []conference.Link
	for _, in := range inputs {
		l := mustAddLink(t, c, s.ID, in)
		if l.Title != in.Title || l.URL != in.URL {
			t.Errorf("AddLink returned %+v for %+v", l, in)
		}
		if l.ID == "" {
			t.Errorf("AddLink returned no id for %+v", in)
		}
		if l.Added.Before(before.Truncate(time.Millisecond)) || l.Added.After(time.Now()) {
			t.Errorf("AddLink time %v is not the time it was added (after %v)", l.Added, before)
		}
		for _, prev := range added {
			if prev.ID == l.ID {
				t.Errorf("two links share the id %q", l.ID)
			}
		}
		added = append(added, l)
	}
	checkLinks(t, mustSession(t, c, s.ID).Links, added)

	if err := c.DeleteLink(t.Context(), s.ID, added[1].ID); err != nil {
		t.Fatalf("DeleteLink: %v", err)
	}
	checkLinks(t, mustSession(t, c, s.ID).Links, []conference.Link{added[0], added[2]})
	if err := c.DeleteLink(t.Context(), s.ID, added[1].ID); !errors.Is(err, conference.ErrNotFound) {
		t.Errorf("second DeleteLink of the same link: err = %v, want ErrNotFound", err)
	}
	// A link added after a delete goes last.
	last := mustAddLink(t, c, s.ID, conference.Link{Title: "Video", URL: "https://example.org/v"})
	checkLinks(t, mustSession(t, c, s.ID).Links, []conference.Link{added[0], added[2], last})
}

// testUpdateLink: UpdateLink changes a link's title and URL in place and
// keeps its id, time and token hash; missing links and archived sessions
// are refused.
func testUpdateLink(t *testing.T, c conference.Catalog) {
	ctx := t.Context()
	s := session(uniqueID(t, "s"), "Link edits")
	mustCreate(t, c, s)
	first := mustAddLink(t, c, s.ID, conference.Link{Title: "Slides", URL: "https://example.org/a", TokenHash: conference.HashToken("tok")})
	second := mustAddLink(t, c, s.ID, conference.Link{Title: "Paper", URL: "https://example.org/b"})
	if first.TokenHash != conference.HashToken("tok") {
		t.Errorf("AddLink returned token hash %q, want the one given", first.TokenHash)
	}
	edit := conference.Link{ID: first.ID, Title: "Slides v2 😀", URL: "https://example.org/a2", TokenHash: "ignored"}
	if err := c.UpdateLink(ctx, s.ID, edit); err != nil {
		t.Fatalf("UpdateLink: %v", err)
	}
	want := first
	want.Title, want.URL = edit.Title, edit.URL
	checkLinks(t, mustSession(t, c, s.ID).Links, []conference.Link{want, second})

	for _, tt := range []struct {
		name, session, link string
		want                error
	}{
		{"unknown link", s.ID, "no-such-link", conference.ErrNotFound},
		{"unknown session", uniqueID(t, "none"), first.ID, conference.ErrNotFound},
	} {
		err := c.UpdateLink(ctx, tt.session, conference.Link{ID: tt.link, Title: "x", URL: "https://example.org/x"})
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: UpdateLink err = %v, want %v", tt.name, err, tt.want)
		}
	}
	archived := mustSession(t, c, s.ID)
	archived.State = conference.StateArchived
	if err := c.UpdateSession(ctx, archived); err != nil {
		t.Fatal(err)
	}
	if err := c.UpdateLink(ctx, s.ID, edit); !errors.Is(err, conference.ErrArchived) {
		t.Errorf("UpdateLink on an archived session: err = %v, want ErrArchived", err)
	}
}

func testDeleteSession(t *testing.T, c conference.Catalog) {
	ctx := t.Context()
	s := session(uniqueID(t, "s"), "Doomed")
	mustCreate(t, c, s)
	mustAddLink(t, c, s.ID, conference.Link{Title: "Slides", URL: "https://example.org/s.pdf"})
	keep := session(uniqueID(t, "keep"), "Kept")
	mustCreate(t, c, keep)
	keepLink := mustAddLink(t, c, keep.ID, conference.Link{Title: "Kept slides", URL: "https://example.org/k.pdf"})

	log, isLog := c.(collab.Log)
	if isLog {
		mustAppend(t, log, s.ID, 0, inserts(0, 3, "client-a"))
		mustSnapshot(t, log, s.ID, collab.Snapshot{Rev: 2, Text: "ba"})
		mustAppend(t, log, keep.ID, 0, inserts(0, 2, "client-b"))
	}

	if err := c.DeleteSession(ctx, s.ID); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	if _, err := c.Session(ctx, s.ID); !errors.Is(err, conference.ErrNotFound) {
		t.Fatalf("Session after DeleteSession: err = %v, want ErrNotFound", err)
	}
	if err := c.DeleteSession(ctx, s.ID); !errors.Is(err, conference.ErrNotFound) {
		t.Errorf("second DeleteSession: err = %v, want ErrNotFound", err)
	}
	all, err := c.Sessions(ctx)
	if err != nil {
		t.Fatalf("Sessions: %v", err)
	}
	if len(all) != 1 || all[0].ID != keep.ID {
		t.Fatalf("Sessions after DeleteSession = %+v, want only %q", all, keep.ID)
	}
	checkLinks(t, all[0].Links, []conference.Link{keepLink})

	// A session created again under the same id starts without links.
	mustCreate(t, c, s)
	checkSession(t, mustSession(t, c, s.ID), s)

	if isLog {
		checkLoad(t, log, s.ID, collab.Snapshot{}, nil)
		snap, err := log.SnapshotAt(ctx, s.ID, 2)
		if err != nil {
			t.Fatalf("SnapshotAt: %v", err)
		}
		if !snap.Equal(collab.Snapshot{}) {
			t.Errorf("SnapshotAt after DeleteSession = %+v, want none", snap)
		}
		// The new pad starts again at revision 0.
		mustAppend(t, log, s.ID, 0, inserts(0, 1, "client-c"))
		checkLoad(t, log, keep.ID, collab.Snapshot{}, inserts(0, 2, "client-b"))
	}
}

// testLinkLimitUnderConcurrentAdds: MaxLinks holds when 40 adds race on a
// session with MaxLinks-10 links: exactly 10 succeed, the others get
// ErrTooManyLinks, and a session that does not exist is ErrNotFound.
func testLinkLimitUnderConcurrentAdds(t *testing.T, c conference.Catalog) {
	s := session(uniqueID(t, "s"), "Full")
	mustCreate(t, c, s)
	for i := range conference.MaxLinks - 10 {
		mustAddLink(t, c, s.ID, conference.Link{Title: fmt.Sprint("Link ", i), URL: "https://example.org/"})
	}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Go(func() {
			_, err := c.AddLink(t.Context(), s.ID, conference.Link{Title: fmt.Sprint("Race ", i), URL: "https://example.org/"})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	added := 0
	for err := range errs {
		switch {
		case err == nil:
			added++
		case !errors.Is(err, conference.ErrTooManyLinks):
			t.Errorf("AddLink on a full session: %v, want ErrTooManyLinks", err)
		}
	}
	if n := len(mustSession(t, c, s.ID).Links); added != 10 || n != conference.MaxLinks {
		t.Errorf("%d of 40 concurrent adds succeeded, the session has %d links; want 10 and %d", added, n, conference.MaxLinks)
	}
	if _, err := c.AddLink(t.Context(), uniqueID(t, "none"), conference.Link{Title: "x", URL: "https://example.org/"}); !errors.Is(err, conference.ErrNotFound) {
		t.Errorf("AddLink on a missing session: %v, want ErrNotFound", err)
	}
}
