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
