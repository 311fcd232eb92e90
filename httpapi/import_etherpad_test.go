package httpapi

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/protocol"
)

// readEtherpad returns a file of etherpad/testdata.
func readEtherpad(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "etherpad", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// checkContributors fails t unless GET /api/v1/pads/main/authors lists
// exactly want (id, name, colour, characters and ops), in its order.
func (ts *testServer) checkContributors(t *testing.T, want []authorJSON) {
	t.Helper()
	var got authorsJSON
	body := ts.getJSON(t, "/api/v1/pads/main/authors", &got)
	if len(got.Authors) != len(want) {
		t.Fatalf("authors %s, want %d of them", body, len(want))
	}
	for i, w := range want {
		g := got.Authors[i]
		if g.ID != w.ID || g.Name != w.Name || g.Color != w.Color || g.Characters != w.Characters || g.Ops != w.Ops {
			t.Errorf("author %d: %+v, want %+v", i, g, w)
		}
	}
}

// TestImportEtherpadKeepsAttribution imports keynote.etherpad (four
// authors, with and without names, emoji, CJK and combining text, no
// final newline) by append onto a text without a final newline, then
// no-newline.etherpad and keynote.etherpad by replace: the attribution of
// each revision is the file's, in confpad's ids, the live editor gets the
// runs with the op, the contributors list has the file's names, colours
// and character counts, the stored records replay to the same
// attribution, and all of it holds after the store is closed and opened
// again.
func TestImportEtherpadKeepsAttribution(t *testing.T) {
	path := filepath.Join(t.TempDir(), "confpad.db")
	st := openStore(t, path)
	closeStore := sync.OnceValue(st.Close)
	t.Cleanup(func() { closeStore() })
	ts := startServer(t, st, Config{})
	editor := dial(t, ts, "main")
	rev := editor.join("typist", -1).Rev
	editor.op(rev, 1, `["ab"]`)
	typist := pub("typist")
	alice, bob := protocol.EtherpadAuthorID("a.alice7Qx"), protocol.EtherpadAuthorID("a.bob9Lm")
	carol, dave := protocol.EtherpadAuthorID("a.carolZZ"), protocol.EtherpadAuthorID("a.dave42")
	keynote := readEtherpad(t, "keynote.etherpad")
	file := []collab.Run{{Author: alice, Len: 12}, {Author: bob, Len: 10}, {Author: carol, Len: 17}, {Author: dave, Len: 6}, {Author: importAuthor, Len: 3}}

	// Append: the importer's newline, then the file's text.
	if status, body, _ := ts.do(t, "POST", "/api/v1/pads/main/import?mode=append", keynote, bearer...); status != 200 {
		t.Fatalf("append: %d %s", status, body)
	}
	appended := append([]collab.Run{{Author: typist, Len: 2}, {Author: importAuthor, Len: 1}}, file...)
	ts.checkRuns(t, "", appended)
	if m := editor.readType("op"); m.Rev != 2 || m.By != importAuthor || !slices.Equal(m.Runs, appended[1:]) {
		t.Errorf("the editor got op %d by %q with runs %v, want 2 by %s with %v", m.Rev, m.By, m.Runs, importAuthor, appended[1:])
	}
	contributors := []authorJSON{
		{ID: carol, Color: protocol.DefaultColor(carol), Characters: 17},
		{ID: alice, Name: "Alice Ö", Color: "#ff8800", Characters: 12},
		{ID: bob, Name: "Bob 漢", Color: protocol.DefaultColor(bob), Characters: 10},
		{ID: dave, Color: "#1a2b3c", Characters: 6},
		{ID: importAuthor, Name: importAuthor, Characters: 4, Ops: 1},
		{ID: typist, Name: "T typist", Color: "#336699", Characters: 2, Ops: 1},
	}
	ts.checkContributors(t, contributors)

	// Replace: the whole text is the file's, with its attribution.
	if status, body, _ := ts.do(t, "POST", "/api/v1/pads/main/import?mode=replace", readEtherpad(t, "no-newline.etherpad"), bearer...); status != 200 {
		t.Fatalf("replace: %d %s", status, body)
	}
	ts.checkRuns(t, "", []collab.Run{{Author: protocol.EtherpadAuthorID("a.carol"), Len: 3}})
	if status, body, _ := ts.do(t, "POST", "/api/v1/pads/main/import?mode=replace", keynote, bearer...); status != 200 {
		t.Fatalf("replace: %d %s", status, body)
	}
	ts.checkRuns(t, "", file)
	ts.checkRuns(t, "?rev=2", appended)
	// The notes page names the file's authors as its contributors.
	status, page, _ := ts.do(t, "GET", "/p/main/notes", "")
	_, aside, _ := strings.Cut(page, `<aside class="contributors"`)
	aside, _, _ = strings.Cut(aside, "</aside>")
	for _, name := range []string{"Alice Ö", "Bob 漢", "an unknown author"} {
		if status != 200 || !strings.Contains(aside, "<li>"+name+" ") {
			t.Errorf("the notes page (%d) does not list %q among the contributors: %s", status, name, aside)
		}
	}
	if got := ts.text(t, "main"); got != "# Keynote 🎤\n漢字とかな、日本語\ncafé e\u0301 👩\u200d👩\u200d👧 ok\nnotes end" {
		t.Errorf("the pad holds %q", got)
	}
	recs, err := st.Records(t.Context(), "main", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	replayed, err := collab.ReplayAttribution(nil, recs)
	if err != nil || !slices.Equal(replayed.Runs(), file) {
		t.Errorf("the stored records replay to %v (%v), want %v", replayed.Runs(), err, file)
	}

	editor.conn.CloseNow()
	ts.stop()
	if err := closeStore(); err != nil {
		t.Fatal(err)
	}
	reopened := openStore(t, path)
	t.Cleanup(func() { reopened.Close() })
	restarted := startServer(t, reopened, Config{})
	restarted.checkRuns(t, "", file)
	restarted.checkRuns(t, "?rev=2", appended)
	restarted.checkRuns(t, "?rev=3", []collab.Run{{Author: protocol.EtherpadAuthorID("a.carol"), Len: 3}})
	restarted.checkContributors(t, []authorJSON{
		{ID: carol, Color: protocol.DefaultColor(carol), Characters: 17},
		{ID: alice, Name: "Alice Ö", Color: "#ff8800", Characters: 12},
		{ID: bob, Name: "Bob 漢", Color: protocol.DefaultColor(bob), Characters: 10},
		{ID: dave, Color: "#1a2b3c", Characters: 6},
		{ID: importAuthor, Name: importAuthor, Characters: 3, Ops: 3},
		{ID: typist, Name: "T typist", Color: "#336699", Ops: 1},
	})
}

// FuzzEtherpadRuns: whatever .etherpad file the importer accepts gives
// runs that fit the op that inserts its text after prefix characters of
// the importer's (collab.CheckRuns), in confpad's author ids.
func FuzzEtherpadRuns(f *testing.F) {
	for _, name := range []string{"meeting.etherpad", "no-newline.etherpad", "pool-base36.etherpad", "keynote.etherpad"} {
		data, err := os.ReadFile(filepath.Join("..", "etherpad", "testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, false)
	}
	f.Fuzz(func(t *testing.T, data []byte, newline bool) {
		text, ep, err := importedText(data, "etherpad")
		if err != nil {
			return
		}
		prefix := 0
		if newline {
			prefix = 1
		}
		runs := ep.runs(prefix)
		if err := collab.CheckRuns(runs, prefix+len([]rune(text))); err != nil {
			t.Fatalf("runs %v: %v", runs, err)
		}
		for i := 1; i < len(runs); i++ {
			if runs[i-1].Author == runs[i].Author {
				t.Fatalf("runs %v are not merged", runs)
			}
		}
	})
}
