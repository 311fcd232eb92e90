package httpapi

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/confpad/confpad/cluster"
	"github.com/confpad/confpad/protocol"
)

// archive archives pad through POST /api/v1/pads/:id/archive.
func archive(t *testing.T, ts *testServer, pad, action string) {
	t.Helper()
	if status, body, _ := ts.do(t, "POST", "/api/v1/pads/"+pad+"/"+action, "", bearer...); status != 200 {
		t.Fatalf("POST %s: %d %s", action, status, body)
	}
}

// refused sends an op and fails t unless it gets read_only for it.
func refused(t *testing.T, c *wsClient, rev, seq int) {
	t.Helper()
	c.sendRaw(`{"type":"op","rev":` + itoa(rev) + `,"seq":` + itoa(seq) + `,"op":["late"]}`)
	m := c.readType("error")
	if m.Code != protocol.ReadOnly || m.Ref == nil || *m.Ref != seq {
		t.Fatalf("op on an archived pad got %+v, want read_only for seq %d", m, seq)
	}
}

// TestArchiveHolds: once a session is archived, no path lets an op in: a
// websocket opened before the archive and joined after it, a client that
// resumes with since, and a client of a replica that never heard of the
// archive (its state messages lost, heartbeats slow). Unarchiving
// restores editing.
func TestArchiveHolds(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "confpad.db"))
	t.Cleanup(func() { st.Close() })
	bus := &dropBus{Bus: cluster.NewMemoryBus(), drop: map[string]bool{cluster.KindState: true}}
	cfg := Config{Bus: bus, PresenceInterval: time.Hour}
	s1, s2 := startServer(t, st, cfg), startServer(t, st, cfg)

	stale := dial(t, s2, "main") // replica 2 serves the pad, live
	rev := stale.join("stale", -1).Rev
	rev = stale.op(rev, 1, `["before "]`)
	early := dial(t, s1, "main") // opened, not joined yet

	archive(t, s1, "main", "archive")

	t.Run("opened before, joined after", func(t *testing.T) {
		if w := early.join("early", -1); !w.ReadOnly {
			t.Fatalf("welcome after the archive: readOnly false")
		}
		refused(t, early, rev, 1)
	})
	t.Run("resumed", func(t *testing.T) {
		c := dial(t, s1, "main")
		if w := c.join("resumer", rev); !w.ReadOnly {
			t.Fatalf("welcome of a resume after the archive: readOnly false")
		}
		refused(t, c, rev, 1)
	})
	t.Run("replica that missed the archive", func(t *testing.T) {
		// The store refuses the op (read_only), and the refusal makes that
		// replica re-read the session and reconnect its editors, who then
		// learn the state. The joins on replica 1 may have made it re-read
		// the session already (their presence carries the session's
		// version): then the editor is reconnected before its op is
		// answered. Either way nothing is committed (checked below).
		stale.sendRaw(`{"type":"op","rev":` + itoa(rev) + `,"seq":2,"op":["late"]}`)
		for {
			m, err := stale.tryRead()
			var ce websocket.CloseError
			if errors.As(err, &ce) {
				if ce.Code != websocket.StatusGoingAway {
					t.Errorf("stale editor closed with %v, want going away", ce)
				}
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Type == "error" && (m.Code != protocol.ReadOnly || m.Ref == nil || *m.Ref != 2) {
				t.Fatalf("the stale editor's op got %+v, want read_only for seq 2", m)
			}
		}
		c := dial(t, s2, "main")
		if w := c.join("stale", rev); !w.ReadOnly {
			t.Errorf("welcome on replica 2 after its refresh: readOnly false")
		}
	})
	if got := s1.text(t, "main"); got != "before " {
		t.Fatalf("archived pad's text = %q, want %q", got, "before ")
	}

	t.Run("unarchive", func(t *testing.T) {
		archive(t, s1, "main", "unarchive")
		c := dial(t, s2, "main")
		if w := c.join("back", -1); w.ReadOnly {
			t.Fatalf("welcome after unarchive: readOnly true")
		}
		if got := c.op(rev, 1, `["after "]`); got != rev+1 {
			t.Errorf("op after unarchive got rev %d, want %d", got, rev+1)
		}
	})
}

// TestArchivedLinks: an archived session's slide links can be neither
// added nor removed (409 archived); unarchived, they can.
func TestArchivedLinks(t *testing.T) {
	ts := newTestServer(t, Config{})
	status, body, _ := ts.do(t, "POST", "/api/v1/pads/main/links", `{"title":"Slides","url":"https://example.org/s.pdf"}`)
	if status != 201 {
		t.Fatalf("POST link: %d %s", status, body)
	}
	var id string
	if i := len(`{"id":"`); len(body) > i+36 {
		id = body[i : i+36]
	}
	archive(t, ts, "main", "archive")
	tests := []struct {
		name, method, path, body string
		header                   []string
	}{
		{"add", "POST", "/api/v1/pads/main/links", `{"title":"Late","url":"https://example.org/l.pdf"}`, nil},
		{"remove", "DELETE", "/api/v1/pads/main/links/" + id, "", bearer},
	}
	for _, tt := range tests {
		status, body, _ := ts.do(t, tt.method, tt.path, tt.body, tt.header...)
		if status != 409 || !strings.Contains(body, `"code":"archived"`) {
			t.Errorf("%s a link of an archived session: %d %s, want 409 archived", tt.name, status, body)
		}
	}
	archive(t, ts, "main", "unarchive")
	if status, body, _ := ts.do(t, "DELETE", "/api/v1/pads/main/links/"+id, "", bearer...); status != 204 {
		t.Errorf("remove a link after unarchive: %d %s", status, body)
	}
}

// TestArchiveRoutes: archive and unarchive are admin routes, idempotent,
// and answer the session with its state.
func TestArchiveRoutes(t *testing.T) {
	ts := newTestServer(t, Config{})
	tests := []struct {
		name, path string
		header     []string
		status     int
		want       string
	}{
		{"no token", "/api/v1/pads/main/archive", nil, 401, codeUnauthorized},
		{"archive", "/api/v1/pads/main/archive", bearer, 200, `"state":"archived"`},
		{"archive again", "/api/v1/pads/main/archive", bearer, 200, `"state":"archived"`},
		{"unarchive", "/api/v1/pads/main/unarchive", bearer, 200, `"state":"live"`},
		{"unknown", "/api/v1/pads/nope/archive", bearer, 404, codeNotFound},
	}
	for _, tt := range tests {
		status, body, _ := ts.do(t, "POST", tt.path, "", tt.header...)
		if status != tt.status || !strings.Contains(body, tt.want) {
			t.Errorf("%s: %d %s, want %d with %s", tt.name, status, body, tt.status, tt.want)
		}
	}
}
