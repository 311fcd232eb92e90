package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/store/redisstore/redistest"
)

// TestBackupWhileWriting backs up a database that another connection keeps
// appending to: the backup is a consistent database (check passes on it)
// holding every pad as of one moment between the first and the last
// append.
func TestBackupWhileWriting(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	data := t.TempDir()
	fillSource(t, filepath.Join(data, "confpad.db"))
	live := openSQLite(t, filepath.Join(data, "confpad.db"))

	var appended atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // a typist in a new pad, all through the backup
		defer wg.Done()
		for head := 0; ; head++ {
			select {
			case <-stop:
				return
			default:
			}
			op := collab.NewOp(collab.Insert("x"))
			if head > 0 {
				op = collab.NewOp(collab.Skip(head), collab.Insert("x"))
			}
			if err := live.Append(ctx, "typing", head, []collab.Record{{Op: op, Client: "c", Seq: head + 1, Time: time.Now()}}); err != nil {
				t.Errorf("append: %v", err)
				return
			}
			appended.Store(int64(head + 1))
		}
	}()
	for appended.Load() < 20 {
		time.Sleep(time.Millisecond)
	}
	out := filepath.Join(t.TempDir(), "backup.db")
	err := backup(ctx, []string{"--data", data, "--out", out}, noEnv)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	copyDB := openSQLite(t, out)
	var report strings.Builder
	if err := checkStore(ctx, copyDB, &report); err != nil {
		t.Fatalf("check of the backup: %v\n%s", err, report.String())
	}
	text, err := padText(ctx, copyDB, "typing")
	if err != nil {
		t.Fatal(err)
	}
	if text.Rev < 20 || int64(text.Rev) > appended.Load() || text.Text != strings.Repeat("x", text.Rev) {
		t.Fatalf("the backup has pad typing at revision %d (%d characters); %d were appended", text.Rev, len(text.Text), appended.Load())
	}
	checkContent(t, "backup", withoutPad(readContent(t, copyDB), "typing"), withoutPad(readContent(t, openSQLite(t, filepath.Join(data, "confpad.db"))), "typing"), 1<<30)

	if err := backup(ctx, []string{"--data", data, "--out", out}, noEnv); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("backup over an existing file: %v, want a refusal", err)
	}
}

// withoutPad drops one pad from c.
func withoutPad(c storeContent, pad string) storeContent {
	delete(c.Records, pad)
	delete(c.Snapshots, pad)
	return c
}

// TestBackupFromRedis copies cluster-mode data into a SQLite file that
// check accepts.
func TestBackupFromRedis(t *testing.T) {
	srv := redistest.Start(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	src := filepath.Join(t.TempDir(), "src.db")
	fillSource(t, src)
	if err := migrate(ctx, []string{"--from", "sqlite:" + src, "--to", srv.URL()}, noEnv); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "backup.db")
	if err := backup(ctx, []string{"--out", out}, func(k string) string {
		return map[string]string{"CONFPAD_REDIS": srv.URL()}[k]
	}); err != nil {
		t.Fatalf("backup: %v", err)
	}
	var report strings.Builder
	if err := checkStore(ctx, openSQLite(t, out), &report); err != nil {
		t.Fatalf("check: %v\n%s", err, report.String())
	}
	if err := check(ctx, []string{"--redis", srv.URL()}, noEnv); err != nil {
		t.Fatalf("check of Redis: %v", err)
	}
}

func TestCheckFindsProblems(t *testing.T) {
	ctx := t.Context()
	cases := []struct {
		name   string
		spoil  func(t *testing.T, path string)
		report string
	}{
		{"sound", func(*testing.T, string) {}, ""},
		{"a snapshot that differs from its records", func(t *testing.T, path string) {
			db := openSQLite(t, path)
			if err := db.SaveSnapshot(ctx, "tracing", collab.Snapshot{Rev: 14, Text: "not what was typed"}); err != nil {
				t.Fatal(err)
			}
		}, `pad "tracing": the snapshot at revision 14 differs from its replayed records`},
		{"a snapshot whose sum is not its text's", func(t *testing.T, path string) {
			db := openSQLite(t, path)
			snap, err := db.SnapshotAt(ctx, "tracing", 14)
			if err != nil || snap.Rev != 14 {
				t.Fatalf("SnapshotAt(14) = %d, %v", snap.Rev, err)
			}
			snap.Sum = collab.TextSum(snap.Text) + 1
			if err := db.SaveSnapshot(ctx, "tracing", snap); err != nil {
				t.Fatal(err)
			}
		}, `pad "tracing": the snapshot at revision 14 does not match its sum`},
		{"a snapshot beyond the head", func(t *testing.T, path string) {
			// The store refuses to save one: write it behind its back.
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.ExecContext(ctx, `INSERT INTO snapshots (pad, rev, text) VALUES ('tracing', 99, 'future')`); err != nil {
				t.Fatal(err)
			}
		}, `pad "tracing": a snapshot at revision 99, beyond the last record (30)`},
		{"a damaged file", func(t *testing.T, path string) {
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			// Pages 2 onwards hold tables and indexes: scribble over
			// the headers of a few.
			for page := int64(2); page < 8; page++ {
				if _, err := f.WriteAt([]byte(strings.Repeat("\xff", 16)), page*4096); err != nil {
					t.Fatal(err)
				}
			}
		}, "integrity"},
	}
	// One filled database, compacted into a file without a WAL so that
	// damage to the file is seen, copied for each case.
	filled := filepath.Join(t.TempDir(), "filled.db")
	fillSource(t, filled)
	compact := filepath.Join(t.TempDir(), "compact.db")
	if err := openSQLite(t, filled).Backup(ctx, compact); err != nil {
		t.Fatal(err)
	}
	image, err := os.ReadFile(compact)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := t.TempDir()
			path := filepath.Join(data, "confpad.db")
			if err := os.WriteFile(path, image, 0o644); err != nil {
				t.Fatal(err)
			}
			tc.spoil(t, path)
			err := check(ctx, []string{"--data", data}, noEnv)
			if tc.report == "" {
				if err != nil {
					t.Fatalf("check of a sound database: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.report) {
				t.Fatalf("check: %v, want a report with %q", err, tc.report)
			}
		})
	}
}

func TestCheckMissingDatabase(t *testing.T) {
	err := check(t.Context(), []string{"--data", filepath.Join(t.TempDir(), "nowhere")}, noEnv)
	if err == nil || !strings.Contains(err.Error(), "no database") {
		t.Fatalf("check without a database: %v", err)
	}
}
