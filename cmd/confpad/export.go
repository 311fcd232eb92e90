package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/confpad/confpad/site"
)

// export is the export command: it writes the whole conference as a
// static site (index.html, a page and the Markdown text of every session,
// conference.json) into a directory, from the same templates as the live
// pages. The pages link to each other relatively, so the directory opens
// from file:// and can be published on any static host:
//
// It reads the store the server uses (--data or --redis, defaulting to
// CONFPAD_DATA and CONFPAD_REDIS as serve does), or the one --from names:
//
//	confpad export --out site/
//	confpad export --redis redis://127.0.0.1:6379/0 --out site/
//	confpad export --from sqlite:backup.db --out site/
//
// Exporting again into the same directory removes the files of sessions
// deleted since (see site.Pages.ExportDir).
func export(ctx context.Context, args []string, env func(string) string) error {
	fs := flag.NewFlagSet("confpad export", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	var sf storeFlags
	sf.register(fs, env)
	from := fs.String("from", "", "`store` to read instead of the server's: sqlite:PATH or a Redis URL (redis://host:port/db, redis-cluster://h1:p1,h2:p2)")
	out := fs.String("out", "", "`directory` to write the site into: new, empty, or an earlier export (whose files of deleted sessions are removed)")
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "Usage: confpad export --out DIR [--data DIR | --redis URL | --from STORE]\n\nWrites the conference's notes as a static site.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("export: want --out DIR and nothing else")
	}
	var st migrationStore
	var err error
	if *from != "" {
		st, err = openMigrationStore(ctx, *from, true)
	} else {
		st, err = sf.open(ctx)
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer st.Close()
	title, err := st.Title(ctx)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	sessions, err := st.Sessions(ctx)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	pages, err := site.NewPages()
	if err != nil {
		return err
	}
	conf := site.Conference{Title: title, Sessions: sessions, Text: func(ctx context.Context, id string) (string, int, error) {
		snap, err := padText(ctx, st, id)
		return snap.Text, snap.Rev, err
	}}
	if err := pages.ExportDir(ctx, *out, conf); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(os.Stderr, "confpad: exported %d sessions to %s\n", len(sessions), *out)
	return nil
}
