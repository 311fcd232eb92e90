package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExportCommand(t *testing.T) {
	dir := t.TempDir()
	src, out := filepath.Join(dir, "src.db"), filepath.Join(dir, "site")
	fillSource(t, src)
	if err := run(t.Context(), []string{"export", "--from", "sqlite:" + src, "--out", out}, noEnv); err != nil {
		t.Fatal(err)
	}
	want := readContent(t, openSQLite(t, src))
	for _, s := range want.Sessions {
		md, err := os.ReadFile(filepath.Join(out, "sessions", s.ID+".md"))
		if err != nil {
			t.Fatal(err)
		}
		text, err := padText(t.Context(), openSQLite(t, src), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if string(md) != text.Text {
			t.Errorf("sessions/%s.md = %q, want the pad text %q", s.ID, md, text.Text)
		}
		page, err := os.ReadFile(filepath.Join(out, "sessions", s.ID+".html"))
		if err != nil || !strings.Contains(string(page), s.Title) || !strings.Contains(string(page), `href="../index.html"`) {
			t.Errorf("sessions/%s.html (%v) lacks its title or the way back:\n%s", s.ID, err, page)
		}
	}
	index, err := os.ReadFile(filepath.Join(out, "index.html"))
	if err != nil || !strings.Contains(string(index), `href="sessions/tracing.html"`) || !strings.Contains(string(index), "Hallway") {
		t.Errorf("index.html (%v):\n%s", err, index)
	}
	if _, err := os.Stat(filepath.Join(out, "conference.json")); err != nil {
		t.Error(err)
	}
}

func TestExportArguments(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"export"}, "want --out DIR"},
		{[]string{"export", "--out", dir, "extra"}, "want --out DIR"},
		{[]string{"export", "--out", dir, "--from", "sqlite:" + filepath.Join(dir, "none.db")}, "no database to copy"},
	} {
		err := run(t.Context(), tt.args, noEnv)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: err = %v, want %q", tt.args, err, tt.want)
		}
	}
}

// TestExportReadsTheServersStore checks that export, like serve, reads
// the database in --data or $CONFPAD_DATA by default.
func TestExportReadsTheServersStore(t *testing.T) {
	data := t.TempDir()
	fillSource(t, filepath.Join(data, "confpad.db"))
	env := func(name string) string {
		if name == "CONFPAD_DATA" {
			return data
		}
		return ""
	}
	for name, tt := range map[string]struct {
		args []string
		env  func(string) string
	}{
		"flag":        {[]string{"--data", data}, noEnv},
		"environment": {nil, env},
	} {
		out := filepath.Join(t.TempDir(), "site")
		if err := run(t.Context(), append([]string{"export", "--out", out}, tt.args...), tt.env); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := os.Stat(filepath.Join(out, "sessions", "tracing.md")); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestExportAgain checks that exporting into an earlier export removes
// the files of sessions deleted since, and nothing else; and that a
// directory holding other files is refused untouched.
func TestExportAgain(t *testing.T) {
	dir := t.TempDir()
	src, out := filepath.Join(dir, "src.db"), filepath.Join(dir, "site")
	fillSource(t, src)
	export := func() error {
		return run(t.Context(), []string{"export", "--from", "sqlite:" + src, "--out", out}, noEnv)
	}
	if err := export(); err != nil {
		t.Fatal(err)
	}
	// The publisher's own file, kept.
	if err := os.WriteFile(filepath.Join(out, "CNAME"), []byte("notes.example.org\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	db := openSQLite(t, src)
	if err := db.DeleteSession(t.Context(), "tracing"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := export(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"sessions/tracing.md", "sessions/tracing.html"} {
		if _, err := os.Stat(filepath.Join(out, name)); !os.IsNotExist(err) {
			t.Errorf("%s of the deleted session: %v, want it gone", name, err)
		}
	}
	for _, name := range []string{"CNAME", "index.html", "conference.json"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}

	other := filepath.Join(dir, "other")
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(other, "index.html"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := run(t.Context(), []string{"export", "--from", "sqlite:" + src, "--out", other}, noEnv)
	if err == nil || !strings.Contains(err.Error(), "holds no confpad export") {
		t.Errorf("export into a directory of other files: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(other, "index.html")); string(b) != "mine" {
		t.Errorf("the refused export changed index.html to %q", b)
	}
}
