package httpapi

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/confpad/confpad/cluster"
	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/protocol"
)

// joinEdit joins as the client called label with the edit secret edit
// ("" for none) and returns the welcome.
func (c *wsClient) joinEdit(label, edit string) serverMsg {
	c.t.Helper()
	msg := map[string]any{"type": "join", "client": secretOf(label), "name": "T " + label}
	if edit != "" {
		msg["edit"] = edit
	}
	c.send(msg)
	return c.readType("welcome")
}

// refusedAs sends raw and fails t unless it gets the error code.
func refusedAs(t *testing.T, c *wsClient, raw, code string) {
	t.Helper()
	c.sendRaw(raw)
	for {
		m := c.read()
		if m.Type == "error" {
			if m.Code != code {
				t.Fatalf("%s: error %s (%s), want %s", raw, m.Code, m.Message, code)
			}
			return
		}
	}
}

// editLink reads the edit link of pad as an admin.
func editLink(t *testing.T, ts *testServer, method, path string) editLinkJSON {
	t.Helper()
	status, body, _ := ts.do(t, method, path, "", bearer...)
	if status != 200 {
		t.Fatalf("%s %s: %d %s", method, path, status, body)
	}
	var l editLinkJSON
	if err := json.Unmarshal([]byte(body), &l); err != nil {
		t.Fatal(err)
	}
	return l
}

// TestEditLinkPolicy: under the link policy, a join without the edit
// secret is view-only and its ops, cursors and renames are refused (and
// nothing of them reaches the editors), as are its HTTP writes (slide
// links, restore); the secret's holders edit. Rotating the secret closes
// the editors that held the old one on both replicas (they come back
// view-only) and leaves readers alone; back to the open policy, everyone
// edits.
func TestEditLinkPolicy(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "confpad.db"))
	t.Cleanup(func() { st.Close() })
	cfg := Config{Bus: cluster.NewMemoryBus(), PresenceInterval: 20 * time.Millisecond}
	s1, s2 := startServer(t, st, cfg), startServer(t, st, cfg)

	if status, body, _ := s1.do(t, "PATCH", "/api/v1/pads/main", `{"policy":"link"}`, bearer...); status != 200 || !strings.Contains(body, `"policy":"link"`) {
		t.Fatalf("PATCH policy: %d %s", status, body)
	}
	if status, body, _ := s1.do(t, "PATCH", "/api/v1/pads/main", `{"policy":"closed"}`, bearer...); status != 400 {
		t.Fatalf("PATCH an unknown policy: %d %s, want 400", status, body)
	}
	if status, _, _ := s1.do(t, "GET", "/api/v1/pads/main/edit-link", ""); status != 401 {
		t.Fatalf("GET edit-link without the admin token: %d, want 401", status)
	}
	link := editLink(t, s1, "GET", "/api/v1/pads/main/edit-link")
	if link.Policy != "link" || len(link.Secret) != 43 || link.Link != "/p/main?edit="+link.Secret {
		t.Fatalf("edit link = %+v", link)
	}
	if again := editLink(t, s2, "GET", "/api/v1/pads/main/edit-link"); again != link {
		t.Fatalf("edit link read again = %+v, want %+v", again, link)
	}

	editor := dial(t, s1, "main")
	if w := editor.joinEdit("editor", link.Secret); w.Mode != protocol.ModeEdit || w.ReadOnly {
		t.Fatalf("editor's welcome: mode %q readOnly %v", w.Mode, w.ReadOnly)
	}
	reader := dial(t, s1, "main") // ops reach the editor's replica only: SQLite has no feed
	if w := reader.joinEdit("reader", ""); w.Mode != protocol.ModeView || !w.ReadOnly {
		t.Fatalf("reader's welcome: mode %q readOnly %v", w.Mode, w.ReadOnly)
	}
	wrong := dial(t, s2, "main")
	if w := wrong.joinEdit("wrong", strings.Repeat("x", 43)); w.Mode != protocol.ModeView {
		t.Fatalf("welcome with a wrong secret: mode %q", w.Mode)
	}
	editor2 := dial(t, s2, "main")
	if w := editor2.joinEdit("editor2", link.Secret); w.Mode != protocol.ModeEdit {
		t.Fatalf("second editor's welcome: mode %q", w.Mode)
	}

	t.Run("readers refused", func(t *testing.T) {
		refusedAs(t, reader, `{"type":"op","rev":0,"seq":1,"op":["x"]}`, protocol.ReadOnly)
		refusedAs(t, reader, `{"type":"cursor","rev":0,"sel":[0,0]}`, protocol.ReadOnly)
		refusedAs(t, reader, `{"type":"rename","name":"Mallory"}`, protocol.ReadOnly)
		refusedAs(t, wrong, `{"type":"op","rev":0,"seq":1,"op":["y"]}`, protocol.ReadOnly)
		for _, h := range [][]string{nil, {headerEditSecret, "not-the-secret-0123456789"}} {
			if status, body, _ := s2.do(t, "POST", "/api/v1/pads/main/links", `{"title":"Spam","url":"https://example.org/spam"}`, h...); status != 403 || !strings.Contains(body, codeViewOnly) {
				t.Errorf("POST link with %q: %d %s, want 403 view_only", h, status, body)
			}
			if status, body, _ := s2.do(t, "POST", "/api/v1/pads/main/restore", `{"rev":0}`, h...); status != 403 || !strings.Contains(body, codeViewOnly) {
				t.Errorf("POST restore with %q: %d %s, want 403 view_only", h, status, body)
			}
		}
	})
	t.Run("editors edit", func(t *testing.T) {
		rev := editor.op(0, 1, `["hello"]`)
		editor.send(map[string]any{"type": "cursor", "rev": rev, "sel": []int{1, 1}})
		if m := reader.readType("op"); m.Author != pub("editor") {
			t.Fatalf("reader got an op by %q", m.Author)
		}
		if m := reader.readType("presence"); m.User.Client != pub("editor") {
			t.Fatalf("reader got presence of %q", m.User.Client)
		}
		// Nothing of the readers reached the editor: the next message
		// about another user it gets is editor2's.
		editor2.send(map[string]any{"type": "rename", "name": "Second"})
		for {
			m := editor.read()
			if m.Type == "presence" {
				if m.User.Client != pub("editor2") {
					t.Fatalf("editor got presence of %q, want only editor2's", m.User.Client)
				}
				break
			}
		}
		status, body, _ := s2.do(t, "POST", "/api/v1/pads/main/links", `{"title":"Slides","url":"https://example.org/s"}`, headerEditSecret, link.Secret)
		if status != 201 || !strings.Contains(body, `"token"`) {
			t.Fatalf("POST link with the secret: %d %s", status, body)
		}
		if status, body, _ := s1.do(t, "POST", "/api/v1/pads/main/restore", `{"rev":0}`, headerEditSecret, link.Secret); status != 200 {
			t.Fatalf("POST restore with the secret: %d %s", status, body)
		}
		if got := s1.text(t, "main"); got != "" {
			t.Fatalf("text after restoring revision 0 = %q", got)
		}
	})
	t.Run("rotation demotes", func(t *testing.T) {
		fresh := editLink(t, s1, "POST", "/api/v1/pads/main/edit-link/rotate")
		if fresh.Secret == link.Secret {
			t.Fatal("rotation kept the secret")
		}
		for i, c := range []*wsClient{editor, editor2} {
			if ce := closeError(t, c); ce.Code != websocket.StatusGoingAway || ce.Reason != protocol.CloseAccessChanged.Reason {
				t.Fatalf("editor %d closed with %v, want %v", i+1, ce, protocol.CloseAccessChanged)
			}
		}
		old := dial(t, s2, "main")
		if w := old.joinEdit("editor2", link.Secret); w.Mode != protocol.ModeView {
			t.Fatalf("rejoin with the old secret: mode %q", w.Mode)
		}
		refusedAs(t, old, `{"type":"op","rev":0,"seq":2,"op":["z"]}`, protocol.ReadOnly)
		again := dial(t, s1, "main")
		w := again.joinEdit("editor", fresh.Secret)
		if w.Mode != protocol.ModeEdit {
			t.Fatalf("join with the new secret: mode %q", w.Mode)
		}
		again.op(w.Rev, 2, `["new"]`)
		// The reader was not disconnected: it still gets ops (after the
		// restore's).
		if m := reader.readType("op"); !strings.HasPrefix(m.Author, editorRestoreAuthor+"-") {
			t.Fatalf("the editor's restore is by %q, want %q", m.Author, editorRestoreAuthor)
		}
		if m := reader.readType("op"); m.Author != pub("editor") {
			t.Fatalf("reader got an op by %q", m.Author)
		}
	})
	t.Run("open again", func(t *testing.T) {
		if status, body, _ := s1.do(t, "PATCH", "/api/v1/pads/main", `{"policy":"open"}`, bearer...); status != 200 {
			t.Fatalf("PATCH policy open: %d %s", status, body)
		}
		for i, c := range []*wsClient{reader, wrong} {
			if ce := closeError(t, c); ce.Reason != protocol.CloseAccessChanged.Reason {
				t.Fatalf("reader on replica %d closed with %v, want %v", i+1, ce, protocol.CloseAccessChanged)
			}
		}
		c := dial(t, s2, "main")
		w := c.joinEdit("reader", "")
		if w.Mode != protocol.ModeEdit {
			t.Fatalf("join under the open policy: mode %q", w.Mode)
		}
		rev := c.op(w.Rev, 1, `["open "]`)
		if status, body, _ := s2.do(t, "POST", "/api/v1/pads/main/restore", `{"rev":`+itoa(rev-1)+`}`); status != 200 {
			t.Fatalf("restore by anyone under the open policy: %d %s", status, body)
		}
	})
}

// TestLinkCapability: whoever adds a slide link gets a token that lets
// them change or remove that link and no other; admins may change any.
func TestLinkCapability(t *testing.T) {
	ts := newTestServer(t, Config{})
	add := func(title string) addedLinkJSON {
		t.Helper()
		status, body, _ := ts.do(t, "POST", "/api/v1/pads/main/links", `{"title":"`+title+`","url":"https://example.org/`+title+`"}`)
		if status != 201 {
			t.Fatalf("POST link: %d %s", status, body)
		}
		var l addedLinkJSON
		if err := json.Unmarshal([]byte(body), &l); err != nil {
			t.Fatal(err)
		}
		if len(l.Token) != 43 || strings.Contains(body, "okenHash") || strings.Contains(body, conference.HashToken(l.Token)) {
			t.Fatalf("added link %s: want a token and no hash", body)
		}
		return l
	}
	mine, theirs := add("mine"), add("theirs")
	path := "/api/v1/pads/main/links/" + mine.ID
	for _, tt := range []struct {
		name, method, path, body string
		header                   []string
		status                   int
	}{
		{"no token", "DELETE", path, "", nil, 401},
		{"another link's token", "DELETE", path, "", []string{headerLinkToken, theirs.Token}, 403},
		{"a made-up token", "PATCH", path, `{"title":"x"}`, []string{headerLinkToken, "made-up"}, 403},
		{"an unknown link", "DELETE", "/api/v1/pads/main/links/nope", "", []string{headerLinkToken, mine.Token}, 404},
		{"a bad URL", "PATCH", path, `{"url":"javascript:alert(1)"}`, []string{headerLinkToken, mine.Token}, 400},
		{"edit own", "PATCH", path, `{"title":"Mine v2"}`, []string{headerLinkToken, mine.Token}, 200},
		{"remove own", "DELETE", path, "", []string{headerLinkToken, mine.Token}, 204},
		{"removed already", "DELETE", path, "", []string{headerLinkToken, mine.Token}, 404},
		{"admin edits any", "PATCH", "/api/v1/pads/main/links/" + theirs.ID, `{"url":"https://example.org/v3"}`, bearer, 200},
	} {
		status, body, _ := ts.do(t, tt.method, tt.path, tt.body, tt.header...)
		if status != tt.status {
			t.Errorf("%s: %s %s: %d %s, want %d", tt.name, tt.method, tt.path, status, body, tt.status)
		}
	}
	c := dial(t, ts, "main")
	w := c.join("viewer", -1)
	if len(w.Links) != 1 || w.Links[0].ID != theirs.ID || w.Links[0].URL != "https://example.org/v3" || w.Links[0].Title != "theirs" {
		t.Fatalf("links after the edits: %+v", w.Links)
	}
	if status, body, _ := ts.do(t, "DELETE", "/api/v1/pads/main/links/"+theirs.ID, "", bearer...); status != 204 {
		t.Fatalf("admin DELETE: %d %s", status, body)
	}
	if m := c.readType("links"); len(m.Links) != 0 {
		t.Fatalf("links pushed after the admin's delete: %+v", m.Links)
	}
}
