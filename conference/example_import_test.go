package conference_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/store/sqlitestore"
)

func ExampleImport() {
	dir, err := os.MkdirTemp("", "confpad-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	store, err := sqlitestore.Open(ctx, filepath.Join(dir, "confpad.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	first := conference.Program{Title: "Plumbers", Sessions: []conference.Session{
		{ID: "tracing", Title: "Tracing"},
		{ID: "audio", Title: "Audio"},
	}}
	if err := conference.Import(ctx, store, first); err != nil {
		log.Fatal(err)
	}
	// A speaker adds slides while the conference runs.
	if _, err := store.AddLink(ctx, "tracing", conference.Link{Title: "Slides", URL: "https://example.org/t.pdf"}); err != nil {
		log.Fatal(err)
	}

	// The next program renames a session and adds one; the session it no
	// longer lists stays, and the slide link is kept.
	second := conference.Program{Title: "Plumbers 2011", Sessions: []conference.Session{
		{ID: "tracing", Title: "Tracing and Profiling", Room: "Salon C"},
		{ID: "scaling", Title: "Scaling"},
	}}
	if err := conference.Import(ctx, store, second); err != nil {
		log.Fatal(err)
	}
	title, _ := store.Title(ctx)
	sessions, _ := store.Sessions(ctx)
	fmt.Println(title)
	for _, s := range sessions {
		fmt.Printf("%s: %q %s, %d link(s)\n", s.ID, s.Title, s.State, len(s.Links))
	}

	// A program that does not validate changes nothing.
	err = conference.Import(ctx, store, conference.Program{Title: "Plumbers"})
	fmt.Println(err)
	// Output:
	// Plumbers 2011
	// audio: "Audio" live, 0 link(s)
	// scaling: "Scaling" live, 0 link(s)
	// tracing: "Tracing and Profiling" live, 1 link(s)
	// import program: sessions is empty: a program needs at least one session
}
