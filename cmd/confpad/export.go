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
//	confpad export --out site/
//	confpad export --from redis://127.0.0.1:6379/0 --out site/
func export(ctx context.Context, args []string, _ func(string) string) error {
	fs := flag.NewFlagSet("confpad export", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	from := fs.String("from", "sqlite:./data/confpad.db", "`store` to read: sqlite:PATH or a Redis URL (redis://host:port/db, redis-cluster://h1:p1,h2:p2)")
	out := fs.String("out", "", "`directory` to write the site into (created if missing; files of the same names are replaced)")
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "Usage: confpad export --out DIR [--from STORE]\n\nWrites the conference's notes as a static site.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("export: want --out DIR and nothing else")
	}
	st, err := openMigrationStore(ctx, *from, true)
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
	dst, err := site.NewDirDest(*out)
	if err != nil {
		return err
	}
	conf := site.Conference{Title: title, Sessions: sessions, Text: func(ctx context.Context, id string) (string, int, error) {
		snap, err := padText(ctx, st, id)
		return snap.Text, snap.Rev, err
	}}
	err = pages.Export(ctx, dst, conf)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(os.Stderr, "confpad: exported %d sessions to %s\n", len(sessions), *out)
	return nil
}
