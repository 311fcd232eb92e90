package conference

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// memCatalog is an in-memory Catalog that counts writes and can be told
// to fail. The real stores are checked by the store conformance suites.
type memCatalog struct {
	title    string
	bofs     bool
	sessions map[string]Session
	writes   []string // "title", "bofs", "create <id>", "update <id>"
	failOn   string   // a write ("create b") or read ("sessions") to fail
	// racer, if set, creates a session just before CreateSession of the
	// same id, as another replica would.
	racer map[string]Session
}

var errBroken = errors.New("catalog broken")

func newMemCatalog(title string, sessions ...Session) *memCatalog {
	c := &memCatalog{title: title, sessions: map[string]Session{}}
	for _, s := range sessions {
		c.sessions[s.ID] = s
	}
	return c
}

func (c *memCatalog) fail(what string) error {
	if c.failOn == what {
		return errBroken
	}
	return nil
}

func (c *memCatalog) write(what string) error {
	if err := c.fail(what); err != nil {
		return err
	}
	c.writes = append(c.writes, what)
	return nil
}

func (c *memCatalog) Title(context.Context) (string, error) { return c.title, c.fail("title") }

func (c *memCatalog) SetTitle(_ context.Context, title string) error {
	if err := c.write("title"); err != nil {
		return err
	}
	c.title = title
	return nil
}

func (c *memCatalog) BoFs(context.Context) (bool, error) { return c.bofs, c.fail("bofs") }

func (c *memCatalog) SetBoFs(_ context.Context, allowed bool) error {
	if err := c.write("bofs"); err != nil {
		return err
	}
	c.bofs = allowed
	return nil
}

func (c *memCatalog) Sessions(context.Context) ([]Session, error) {
	if err := c.fail("sessions"); err != nil {
		return nil, err
	}
	var out []Session
	for _, id := range slices.Sorted(maps.Keys(c.sessions)) {
		out = append(out, c.sessions[id])
	}
	return out, nil
}

func (c *memCatalog) Session(_ context.Context, id string) (Session, error) {
	s, ok := c.sessions[id]
	if !ok {
		return Session{}, ErrNotFound
	}
	return s, nil
}

func (c *memCatalog) CreateSession(_ context.Context, s Session) error {
	if r, ok := c.racer[s.ID]; ok {
		c.sessions[s.ID] = r
	}
	if _, ok := c.sessions[s.ID]; ok {
		return ErrExists
	}
	if err := c.write("create " + s.ID); err != nil {
		return err
	}
	c.sessions[s.ID] = s
	return nil
}

func (c *memCatalog) UpdateSession(_ context.Context, s Session) error {
	cur, ok := c.sessions[s.ID]
	if !ok {
		return ErrNotFound
	}
	if err := c.write("update " + s.ID); err != nil {
		return err
	}
	s.Links = cur.Links // the Catalog contract: links are not metadata
	c.sessions[s.ID] = s
	return nil
}

func (c *memCatalog) DeleteSession(_ context.Context, id string) error {
	if _, ok := c.sessions[id]; !ok {
		return ErrNotFound
	}
	delete(c.sessions, id)
	return nil
}

func (c *memCatalog) AddLink(_ context.Context, id string, l Link) (Link, error) {
	s, ok := c.sessions[id]
	if !ok {
		return Link{}, ErrNotFound
	}
	s.Links = append(s.Links, l)
	c.sessions[id] = s
	return l, nil
}

func (c *memCatalog) DeleteLink(context.Context, string, string) error { return ErrNotFound }
func (c *memCatalog) UpdateLink(context.Context, string, Link) error   { return ErrNotFound }

var _ Catalog = (*memCatalog)(nil)

func TestImport(t *testing.T) {
	created := time.Date(2011, 9, 7, 9, 0, 0, 0, time.UTC)
	link := Link{ID: "l1", Title: "Slides", URL: "https://example.org/s.pdf", Added: created}
	archived := Session{ID: "tracing", Title: "Old title", Description: "old", Room: "A",
		Speakers: []string{"Old"}, State: StateArchived, Links: []Link{link}, Created: created}
	other := Session{ID: "zz-not-in-program", Title: "Kept", State: StateLive, Created: created}
	prog := Program{Title: "Plumbers 2026", Sessions: []Session{
		{ID: "audio", Title: "Audio", Description: "Sound.", Speakers: []string{"Ann"}, Order: 1},
		{ID: "tracing", Title: "Tracing", Description: "Traces.", Time: "Thu 9:00", Room: "B", Order: 2},
	}}

	tests := []struct {
		name       string
		cat        *memCatalog
		p          Program
		wantErr    string // substring; "" for success
		wantWrites []string
		check      func(t *testing.T, c *memCatalog)
	}{
		{
			name:       "empty catalog",
			cat:        newMemCatalog(""),
			p:          prog,
			wantWrites: []string{"title", "create audio", "create tracing"},
			check: func(t *testing.T, c *memCatalog) {
				s := c.sessions["audio"]
				if s.State != StateLive || s.Title != "Audio" || s.Description != "Sound." ||
					!reflect.DeepEqual(s.Speakers, []string{"Ann"}) || s.Created.IsZero() || s.Links != nil {
					t.Errorf("created %+v", s)
				}
			},
		},
		{
			name:       "existing session keeps state, links and creation time",
			cat:        newMemCatalog("Old conference", archived, other),
			p:          prog,
			wantWrites: []string{"title", "create audio", "update tracing"},
			check: func(t *testing.T, c *memCatalog) {
				want := archived
				want.Title, want.Description, want.Time, want.Room, want.Speakers, want.Order = "Tracing", "Traces.", "Thu 9:00", "B", nil, 2
				if got := c.sessions["tracing"]; !reflect.DeepEqual(got, want) {
					t.Errorf("tracing\n got %+v\nwant %+v", got, want)
				}
				if got := c.sessions[other.ID]; !reflect.DeepEqual(got, other) {
					t.Errorf("a session missing from the program changed: %+v", got)
				}
			},
		},
		{
			name:       "nothing to change writes nothing",
			cat:        newMemCatalog("Plumbers 2026", withMetadata(archived, prog.Sessions[1]), withMetadata(Session{ID: "audio", State: StateLive}, prog.Sessions[0])),
			p:          prog,
			wantWrites: nil,
		},
		{
			name:       "created concurrently by another replica",
			cat:        &memCatalog{title: "Plumbers 2026", sessions: map[string]Session{}, racer: map[string]Session{"audio": {ID: "audio", Title: "Racer", State: StateArchived}}},
			p:          Program{Title: "Plumbers 2026", Sessions: prog.Sessions[:1]},
			wantWrites: []string{"update audio"},
			check: func(t *testing.T, c *memCatalog) {
				if s := c.sessions["audio"]; s.Title != "Audio" || s.State != StateArchived {
					t.Errorf("audio = %+v, want the program title and the racer's state", s)
				}
			},
		},
		{
			name:    "invalid program writes nothing",
			cat:     newMemCatalog(""),
			p:       Program{Title: "C", Sessions: []Session{{ID: "Bad Id", Title: "x"}}},
			wantErr: `import program: session "Bad Id": id "Bad Id" is not a slug`,
		},
		{
			name:       "failing create names the session",
			cat:        &memCatalog{sessions: map[string]Session{}, failOn: "create tracing"},
			p:          prog,
			wantErr:    `import program: session "tracing": catalog broken`,
			wantWrites: []string{"title", "create audio"},
		},
		{
			name:    "failing list",
			cat:     &memCatalog{title: "Plumbers 2026", failOn: "sessions"},
			p:       prog,
			wantErr: "import program: list sessions: catalog broken",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Import(context.Background(), tt.cat, tt.p)
			if tt.wantErr == "" && err != nil {
				t.Fatal(err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error = %v, want %q", err, tt.wantErr)
			}
			if strings.Contains(tt.wantErr, errBroken.Error()) && !errors.Is(err, errBroken) {
				t.Errorf("error %v does not wrap the catalog's", err)
			}
			if !slices.Equal(tt.cat.writes, tt.wantWrites) {
				t.Errorf("writes = %q, want %q", tt.cat.writes, tt.wantWrites)
			}
			if tt.check != nil {
				tt.check(t, tt.cat)
			}
		})
	}
}

func TestImportIsIdempotent(t *testing.T) {
	ctx := context.Background()
	c := newMemCatalog("")
	if err := Import(ctx, c, Default()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddLink(ctx, "tracing", Link{ID: "l", Title: "Slides", URL: "https://example.org"}); err != nil {
		t.Fatal(err)
	}
	before := maps.Clone(c.sessions)
	c.writes = nil
	if err := Import(ctx, c, Default()); err != nil {
		t.Fatal(err)
	}
	if c.writes != nil {
		t.Errorf("second import wrote %q", c.writes)
	}
	if !maps.EqualFunc(before, c.sessions, func(a, b Session) bool { return reflect.DeepEqual(a, b) }) {
		t.Error("second import changed the sessions")
	}
	if len(c.sessions) != 16 || c.title != DefaultTitle || !c.bofs {
		t.Errorf("%d sessions, title %q, BoFs allowed %v", len(c.sessions), c.title, c.bofs)
	}
	if got := c.sessions["audio"].Order; got != 1 {
		t.Errorf("audio is number %d in the programme, want 1", got)
	}
}
