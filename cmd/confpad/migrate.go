package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/store/redisstore"
	"github.com/confpad/confpad/store/sqlitestore"
)

// migrateChunk is how many records one Append copies.
const migrateChunk = 1000

// migrationStore is what confpad migrate reads from and writes to: a full
// store (catalog and pad log) that can also list its pads and snapshots.
// sqlitestore.Store and redisstore.Store are both.
type migrationStore interface {
	conference.Catalog
	collab.Log
	Pads(ctx context.Context) ([]string, error)
	Snapshots(ctx context.Context, pad string) ([]collab.Snapshot, error)
	Close() error
}

var (
	_ migrationStore = (*sqlitestore.Store)(nil)
	_ migrationStore = (*redisstore.Store)(nil)
)

// migrate is the migrate command: it copies every session (metadata,
// kind, programme order and slide links), the conference title and BoF
// setting, and every pad's full history and
// snapshots from one store to another, empty one:
//
//	confpad migrate --from sqlite:./data/confpad.db --to redis://127.0.0.1:6379/0
//	confpad migrate --from redis://127.0.0.1:6379/0 --to sqlite:./data/confpad.db
//
// Stop the servers that write the source first: ops committed during the
// copy may be missed.
func migrate(ctx context.Context, args []string, _ func(string) string) error {
	fs := flag.NewFlagSet("confpad migrate", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	from := fs.String("from", "", "source `store`: sqlite:PATH or a Redis URL (redis://host:port/db, redis-cluster://h1:p1,h2:p2)")
	to := fs.String("to", "", "destination `store`, which must be empty: sqlite:PATH or a Redis URL")
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "Usage: confpad migrate --from STORE --to STORE\n\nCopies every session, slide link, pad history and snapshot into an empty store.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("migrate: want --from STORE --to STORE and nothing else")
	}
	src, err := openMigrationStore(ctx, *from, true)
	if err != nil {
		return fmt.Errorf("migrate: source: %w", err)
	}
	defer src.Close()
	dst, err := openMigrationStore(ctx, *to, false)
	if err != nil {
		return fmt.Errorf("migrate: destination: %w", err)
	}
	defer dst.Close()
	stats, err := copyStore(ctx, src, dst)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	fmt.Fprintf(os.Stderr, "confpad: migrated %s from %s to %s\n", stats, *from, *to)
	return nil
}

// openMigrationStore opens "sqlite:PATH" or a Redis URL. A source SQLite
// file must exist (opening would create an empty one).
func openMigrationStore(ctx context.Context, spec string, source bool) (migrationStore, error) {
	if path, ok := strings.CutPrefix(spec, "sqlite:"); ok {
		if path == "" {
			return nil, errors.New("sqlite: wants a file path, as in sqlite:./data/confpad.db")
		}
		if source {
			if _, err := os.Stat(path); err != nil {
				return nil, fmt.Errorf("no database to copy: %w", err)
			}
		}
		return sqlitestore.Open(ctx, path)
	}
	return redisstore.Open(ctx, spec, redisstore.Options{ClientName: "confpad-migrate"})
}

// migrationStats counts what copyStore copied.
type migrationStats struct {
	sessions, links, pads, records, snapshots int
}

func (s migrationStats) String() string {
	return fmt.Sprintf("%d sessions, %d slide links, %d pads, %d ops, %d snapshots",
		s.sessions, s.links, s.pads, s.records, s.snapshots)
}

// copyStore copies everything in src to dst, which must hold no session
// and no pad, and then checks that every pad's head and text agree. Link
// ids and times, creation times and commit times are kept (to the
// millisecond, what every store keeps).
func copyStore(ctx context.Context, src, dst migrationStore) (migrationStats, error) {
	var st migrationStats
	if err := checkEmpty(ctx, dst); err != nil {
		return st, err
	}
	title, err := src.Title(ctx)
	if err != nil {
		return st, err
	}
	if err := dst.SetTitle(ctx, title); err != nil {
		return st, err
	}
	bofs, err := src.BoFs(ctx)
	if err != nil {
		return st, err
	}
	if err := dst.SetBoFs(ctx, bofs); err != nil {
		return st, err
	}
	sessions, err := src.Sessions(ctx)
	if err != nil {
		return st, err
	}
	// Sessions are created live and archived after their pads are
	// copied: a store refuses appends to an archived session's pad.
	var archived []conference.Session
	for _, s := range sessions {
		if s.State == conference.StateArchived {
			archived = append(archived, s)
			s.State = conference.StateLive
		}
		if err := dst.CreateSession(ctx, s); err != nil {
			return st, fmt.Errorf("copy session %q: %w", s.ID, err)
		}
		st.sessions++
		st.links += len(s.Links)
	}
	pads, err := src.Pads(ctx)
	if err != nil {
		return st, err
	}
	for _, pad := range pads {
		n, snaps, err := copyPad(ctx, src, dst, pad)
		if err != nil {
			return st, fmt.Errorf("copy pad %q: %w", pad, err)
		}
		st.pads++
		st.records += n
		st.snapshots += snaps
	}
	for _, s := range archived {
		if err := dst.UpdateSession(ctx, s); err != nil {
			return st, fmt.Errorf("archive session %q: %w", s.ID, err)
		}
	}
	return st, nil
}

// checkEmpty refuses a destination that has sessions or pads: merging two
// histories of one pad is not a copy.
func checkEmpty(ctx context.Context, dst migrationStore) error {
	sessions, err := dst.Sessions(ctx)
	if err != nil {
		return err
	}
	pads, err := dst.Pads(ctx)
	if err != nil {
		return err
	}
	if len(sessions) > 0 || len(pads) > 0 {
		return fmt.Errorf("the destination is not empty (%d sessions, %d pads); migrate only into an empty store", len(sessions), len(pads))
	}
	return nil
}

// copyPad copies one pad's records in chunks, then its snapshots, and
// checks that the copy loads to the same text at the same head.
func copyPad(ctx context.Context, src, dst migrationStore, pad string) (records, snapshots int, err error) {
	for {
		recs, err := src.Records(ctx, pad, records, records+migrateChunk)
		if err != nil {
			return 0, 0, err
		}
		if len(recs) == 0 {
			break
		}
		for i, r := range recs {
			if r.Rev != records+i+1 {
				return 0, 0, fmt.Errorf("source has revision %d where %d belongs", r.Rev, records+i+1)
			}
		}
		if err := dst.Append(ctx, pad, records, recs); err != nil {
			return 0, 0, err
		}
		records += len(recs)
	}
	snaps, err := src.Snapshots(ctx, pad)
	if err != nil {
		return 0, 0, err
	}
	for _, s := range snaps {
		if err := dst.SaveSnapshot(ctx, pad, s); err != nil {
			return 0, 0, err
		}
	}
	want, err := padText(ctx, src, pad)
	if err != nil {
		return 0, 0, fmt.Errorf("read the source back: %w", err)
	}
	got, err := padText(ctx, dst, pad)
	if err != nil {
		return 0, 0, fmt.Errorf("read the copy back: %w", err)
	}
	if !got.Equal(want) {
		return 0, 0, fmt.Errorf("the copy loads as %d characters at revision %d, the source as %d at revision %d",
			len([]rune(got.Text)), got.Rev, len([]rune(want.Text)), want.Rev)
	}
	return records, len(snaps), nil
}

// padText loads a pad and replays its records onto the snapshot, the way
// the pad engine opens it (collab.LoadIntact), and returns its head and
// text.
func padText(ctx context.Context, log collab.Log, pad string) (collab.Snapshot, error) {
	snap, recs, err := collab.LoadIntact(ctx, log, pad)
	if err != nil {
		return collab.Snapshot{}, err
	}
	doc, err := collab.Replay(snap, recs)
	if err != nil {
		return collab.Snapshot{}, err
	}
	return collab.Snapshot{Rev: snap.Rev + len(recs), Text: doc.String()}, nil
}
