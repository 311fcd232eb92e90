package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/store/sqlitestore"
)

// storeFlags are the flags by which backup and check find the store a
// server uses: its data directory, or its Redis URL in cluster mode. They
// default to the server's variables, CONFPAD_DATA and CONFPAD_REDIS.
type storeFlags struct {
	data, redis string
}

func (sf *storeFlags) register(fs *flag.FlagSet, env func(string) string) {
	data := env("CONFPAD_DATA")
	if data == "" {
		data = "./data"
	}
	fs.StringVar(&sf.data, "data", data, "the server's data `directory` (holding confpad.db) [$CONFPAD_DATA]")
	fs.StringVar(&sf.redis, "redis", env("CONFPAD_REDIS"), "cluster mode: the servers' Redis `URL` [$CONFPAD_REDIS]")
}

// open opens the store the flags name; an embedded database must exist.
func (sf *storeFlags) open(ctx context.Context) (migrationStore, error) {
	if sf.redis != "" {
		return openMigrationStore(ctx, sf.redis, true)
	}
	return openMigrationStore(ctx, "sqlite:"+filepath.Join(sf.data, "confpad.db"), true)
}

// backup is the backup command: a consistent copy of the store in a new
// SQLite file, taken while the servers run.
//
//	confpad backup --out confpad-backup.db [--data ./data | --redis URL]
//
// In embedded mode it is SQLite's VACUUM INTO: one moment's state of the
// whole database. In cluster mode it copies every session and pad from
// Redis (as migrate does) and checks each copied pad against Redis; a pad
// edited during its copy fails that check, and the command says so. To
// restore: stop the server and put the file in place as
// <data>/confpad.db (embedded), or `confpad migrate --from sqlite:FILE
// --to REDIS-URL` into an empty Redis (cluster).
func backup(ctx context.Context, args []string, env func(string) string) error {
	fs := flag.NewFlagSet("confpad backup", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	var sf storeFlags
	sf.register(fs, env)
	out := fs.String("out", "", "the backup `file` to write (a new SQLite database)")
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "Usage: confpad backup --out FILE [--data DIR | --redis URL]\n\nWrites a consistent copy of the store into a new SQLite file while the servers run.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("backup: want --out FILE and nothing else")
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("backup: %s exists; choose a new file", *out)
	}
	src, err := sf.open(ctx)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer src.Close()
	if db, ok := src.(*sqlitestore.Store); ok {
		if err := db.Backup(ctx, *out); err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		fmt.Fprintf(os.Stderr, "confpad: backed up %s to %s\n", filepath.Join(sf.data, "confpad.db"), *out)
		return nil
	}
	dst, err := sqlitestore.Open(ctx, *out)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	stats, err := copyStore(ctx, src, dst)
	if err := errors.Join(err, dst.Close()); err != nil {
		return fmt.Errorf("backup: %w (a pad edited during its copy fails its check: run backup again)", err)
	}
	fmt.Fprintf(os.Stderr, "confpad: backed up %s to %s\n", stats, *out)
	return nil
}

// check is the check command: SQLite's integrity check (embedded mode),
// then every pad's records replayed from revision 0, checking that
// revisions run 1, 2, 3, ... without a gap, that every op applies, and that
// the text at every stored snapshot is the snapshot's. It prints one line
// per pad and fails, after checking everything, if anything is wrong.
func check(ctx context.Context, args []string, env func(string) string) error {
	fs := flag.NewFlagSet("confpad check", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	var sf storeFlags
	sf.register(fs, env)
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "Usage: confpad check [--data DIR | --redis URL]\n\nChecks the database and that every pad replays to its stored snapshots.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("check: unexpected argument %q", fs.Arg(0))
	}
	st, err := sf.open(ctx)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	defer st.Close()
	return checkStore(ctx, st, os.Stdout)
}

// checkStore checks st (see check), reporting to w.
func checkStore(ctx context.Context, st migrationStore, w io.Writer) error {
	var problems []string
	if db, ok := st.(*sqlitestore.Store); ok {
		if err := db.IntegrityCheck(ctx); err != nil {
			problems = append(problems, err.Error())
		} else {
			fmt.Fprintln(w, "database: integrity ok")
		}
	}
	pads, err := st.Pads(ctx)
	if err != nil {
		problems = append(problems, err.Error())
	}
	for _, pad := range pads {
		head, snaps, err := checkPad(ctx, st, pad)
		if err != nil {
			problems = append(problems, fmt.Sprintf("pad %q: %v", pad, err))
			fmt.Fprintf(w, "pad %q: FAILED: %v\n", pad, err)
			continue
		}
		fmt.Fprintf(w, "pad %q: ok, %d revisions, %d snapshots\n", pad, head, snaps)
	}
	if len(problems) > 0 {
		return fmt.Errorf("check: %d problems:\n%s", len(problems), strings.Join(problems, "\n"))
	}
	fmt.Fprintf(w, "all %d pads ok\n", len(pads))
	return nil
}

// checkPad replays one pad from revision 0 and compares the text at each
// stored snapshot with the snapshot's text and that with its sum; it
// returns the head and the number of snapshots.
func checkPad(ctx context.Context, st migrationStore, pad string) (head, snapshots int, err error) {
	snaps, err := st.Snapshots(ctx, pad)
	if err != nil {
		return 0, 0, err
	}
	doc := collab.NewDoc("")
	next := 0 // the next snapshot to compare
	compare := func() error {
		for ; next < len(snaps) && snaps[next].Rev == head; next++ {
			s := snaps[next]
			if text := doc.String(); s.Text != text {
				return fmt.Errorf("the snapshot at revision %d differs from its replayed records (%d against %d characters)",
					head, len([]rune(s.Text)), len([]rune(text)))
			}
			if s.Sum != 0 && s.Sum != collab.TextSum(s.Text) {
				return fmt.Errorf("the snapshot at revision %d does not match its sum", head)
			}
		}
		return nil
	}
	if err := compare(); err != nil {
		return 0, 0, err
	}
	for {
		recs, err := st.Records(ctx, pad, head, head+migrateChunk)
		if err != nil {
			return 0, 0, err
		}
		if len(recs) == 0 {
			break
		}
		for _, r := range recs {
			if r.Rev != head+1 {
				return 0, 0, fmt.Errorf("revision %d where %d belongs", r.Rev, head+1)
			}
			if err := doc.Apply(r.Op); err != nil {
				return 0, 0, fmt.Errorf("revision %d does not apply: %w", r.Rev, err)
			}
			head = r.Rev
			if err := compare(); err != nil {
				return 0, 0, err
			}
		}
	}
	if next < len(snaps) {
		return 0, 0, fmt.Errorf("a snapshot at revision %d, beyond the last record (%d)", snaps[next].Rev, head)
	}
	return head, len(snaps), nil
}
