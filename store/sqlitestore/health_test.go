package sqlitestore

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/internal/testsink"
	"github.com/confpad/confpad/internal/tmpfs"
)

// openLogged opens a store at path that logs to the returned buffer.
func openLogged(t *testing.T, path string) (*Store, *testsink.Buffer) {
	t.Helper()
	logs := &testsink.Buffer{}
	s, err := Open(t.Context(), path, WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, logs
}

// appendText appends one record inserting text at the pad's head.
func appendText(ctx context.Context, s *Store, pad string, head int, text string) error {
	return s.Append(ctx, pad, head, []collab.Record{{Client: "c", Seq: head + 1, Time: time.Now(), Op: collab.NewOp(collab.Insert(text))}})
}

// TestCheckWritableAtPageLimit fills the database up to SQLite's page
// limit (max_page_count, as on a full disk): appends fail with SQLITE_FULL,
// CheckWritable fails, the failure is logged once for the whole episode
// with its cause, and raising the limit makes writes and CheckWritable
// succeed again, logged once as a recovery.
func TestCheckWritableAtPageLimit(t *testing.T) {
	ctx := t.Context()
	s, logs := openLogged(t, filepath.Join(t.TempDir(), "confpad.db"))
	if err := s.CheckWritable(ctx); err != nil {
		t.Fatalf("CheckWritable on a fresh store: %v", err)
	}
	var pages int
	if err := s.write.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	// The write pool has one connection: the limit holds for every write.
	if _, err := s.write.ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages+2)); err != nil {
		t.Fatal(err)
	}
	// Fill it with ever smaller appends until even one character fails.
	head := 0
	for _, size := range []int{4096, 256, 1} {
		for i := 0; ; i++ {
			err := appendText(ctx, s, "p", head, strings.Repeat("x", size))
			if err != nil {
				if !strings.Contains(err.Error(), "full") {
					t.Fatalf("append: %v, want a database-full error", err)
				}
				break
			}
			if i > 10000 {
				t.Fatal("the page limit does not hold")
			}
			head++
		}
	}
	episodes := strings.Count(logs.String(), "writes are failing")
	if episodes == 0 || !strings.Contains(logs.String(), "full") {
		t.Fatalf("the failure is not logged with its cause:\n%s", logs)
	}
	for range 3 {
		if err := s.CheckWritable(ctx); err == nil || !strings.Contains(err.Error(), "full") {
			t.Fatalf("CheckWritable at the page limit: %v, want a database-full error", err)
		}
		if err := appendText(ctx, s, "p", head, "z"); err == nil {
			t.Fatal("an append succeeded at the page limit")
		}
	}
	if n := strings.Count(logs.String(), "writes are failing"); n != episodes {
		t.Fatalf("one failure episode logged %d times:\n%s", n-episodes+1, logs)
	}
	recoveries := strings.Count(logs.String(), "writes succeed again")

	if _, err := s.write.ExecContext(ctx, `PRAGMA max_page_count = 1073741823`); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckWritable(ctx); err != nil {
		t.Fatalf("CheckWritable after raising the limit: %v", err)
	}
	if err := appendText(ctx, s, "p", head, strings.Repeat("x", 64<<10)); err != nil {
		t.Fatalf("append after raising the limit: %v", err)
	}
	if n := strings.Count(logs.String(), "writes succeed again"); n != recoveries+1 {
		t.Fatalf("recovery logged %d times, want once:\n%s", n-recoveries, logs)
	}
}

// TestCheckWritableOnFullDisk fills a real (small tmpfs) disk.
func TestCheckWritableOnFullDisk(t *testing.T) {
	ctx := t.Context()
	dir := tmpfs.Mount(t, 2<<20)
	s, logs := openLogged(t, filepath.Join(dir, "confpad.db"))
	if err := s.CheckWritable(ctx); err != nil {
		t.Fatalf("CheckWritable on an empty disk: %v", err)
	}
	// Fill the disk around the database with a file.
	filler := make([]byte, 64<<10)
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := f.Write(filler); err != nil {
			break
		}
	}
	f.Close()
	big := strings.Repeat("y", 64<<10)
	for i := 0; i < 8; i++ {
		_ = appendText(ctx, s, "p", 0, big) // the WAL may still take some
	}
	if err := s.CheckWritable(ctx); err == nil {
		t.Fatal("CheckWritable succeeds on a full disk")
	}
	if n := strings.Count(logs.String(), "writes are failing"); n != 1 {
		t.Fatalf("failure logged %d times, want once:\n%s", n, logs)
	}
	if err := os.Remove(filepath.Join(dir, "filler")); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckWritable(ctx); err != nil {
		t.Fatalf("CheckWritable after freeing the disk: %v", err)
	}
	if !strings.Contains(logs.String(), "writes succeed again") {
		t.Fatalf("recovery not logged:\n%s", logs)
	}
}

// TestCheckWritableReadOnlyAtStart opens a database left with its -wal and
// -shm files (as after kill -9) on a disk that has become read-only: the
// store either refuses to open or opens and reports that it refuses
// writes; it never claims to be writable.
func TestCheckWritableReadOnlyAtStart(t *testing.T) {
	ctx := t.Context()
	dir := tmpfs.Mount(t, 16<<20)
	path := filepath.Join(dir, "confpad.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := appendText(ctx, s, "p", 0, "kept"); err != nil {
		t.Fatal(err)
	}
	// Copy the files while the store is open: the copy keeps -wal and -shm.
	left := filepath.Join(dir, "left")
	if err := os.Mkdir(left, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		data, err := os.ReadFile(path + suffix)
		if err != nil {
			t.Fatalf("read %s: %v", path+suffix, err)
		}
		if err := os.WriteFile(filepath.Join(left, "confpad.db"+suffix), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	tmpfs.ReadOnly(t, dir)
	ro := &testsink.Buffer{}
	s2, err := Open(ctx, filepath.Join(left, "confpad.db"), WithLogger(slog.New(slog.NewTextHandler(ro, nil))))
	if err != nil {
		t.Logf("Open refuses the read-only database: %v", err)
		return
	}
	defer s2.Close()
	if err := s2.CheckWritable(ctx); err == nil {
		t.Fatal("CheckWritable succeeds on a read-only disk")
	}
	if !strings.Contains(ro.String(), "writes are failing") {
		t.Fatalf("failure not logged:\n%s", ro)
	}
}
