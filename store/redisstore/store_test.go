package redisstore

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/confpad/confpad/internal/testutil"

	"github.com/google/uuid"

	"github.com/confpad/confpad/authors"
	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/store/redisstore/redistest"
	"github.com/confpad/confpad/store/storetest"
)

// waitTimeout bounds every wait in these tests.
const waitTimeout = 20 * time.Second

// testPrefix returns a key prefix no other test uses.
func testPrefix(t testing.TB) string {
	name := strings.NewReplacer("/", ".", " ", "_", "{", "(", "}", ")").Replace(t.Name())
	return "t:" + name + ":" + uuid.NewString()[:8]
}

// openStore opens a Store on url with a key prefix (testPrefix if empty)
// and closes it when the test ends.
func openStore(t testing.TB, url, prefix string) *Store {
	t.Helper()
	return openNamedStore(t, url, prefix, "test-"+uuid.NewString()[:8])
}

// openNamedStore is openStore with the connections' client name.
func openNamedStore(t testing.TB, url, prefix, name string) *Store {
	t.Helper()
	if prefix == "" {
		prefix = testPrefix(t)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	s, err := Open(ctx, url, Options{Prefix: prefix, SnapshotsKept: 3, ClientName: name})
	if err != nil {
		t.Fatalf("Open(%s): %v", url, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestLogConformance(t *testing.T) {
	srv := redistest.Start(t)
	storetest.TestLog(t, func(t *testing.T) collab.Log { return openStore(t, srv.URL(), "") })
}

func TestRevisionReaderConformance(t *testing.T) {
	srv := redistest.Start(t)
	storetest.TestRevisionReader(t, func(t *testing.T) storetest.RevisionLog { return openStore(t, srv.URL(), "") })
}

func TestCatalogConformance(t *testing.T) {
	srv := redistest.Start(t)
	storetest.TestCatalog(t, func(t *testing.T) conference.Catalog { return openStore(t, srv.URL(), "") })
	storetest.TestAuthors(t, func(t *testing.T) authors.Table { return openStore(t, srv.URL(), "") })
}

func TestArchiveConformance(t *testing.T) {
	srv := redistest.Start(t)
	storetest.TestArchive(t, func(t *testing.T) storetest.Store { return openStore(t, srv.URL(), "") })
}

func TestOpenErrors(t *testing.T) {
	srv := redistest.Start(t)
	free, err := redistest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, url string
		opts      Options
		want      string
	}{
		{"BadScheme", "http://127.0.0.1:1/", Options{}, "unknown Redis URL scheme"},
		{"NotAURL", "127.0.0.1:6379", Options{}, "is not a Redis URL"},
		{"BadDB", "redis://127.0.0.1:1/x", Options{}, "invalid database number"},
		{"Unreachable", "redis://127.0.0.1:" + itoa(free) + "/0?dial_timeout=1s&max_retries=-1", Options{}, "connect"},
		{"PasswordNotShown", "redis://u:sekrit@127.0.0.1:" + itoa(free) + "/0?dial_timeout=1s&max_retries=-1", Options{}, "u:xxxxx@"},
		{"BracesInPrefix", srv.URL(), Options{Prefix: "a{b}"}, "must not contain braces"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
			defer cancel()
			s, err := Open(ctx, tt.url, tt.opts)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded", tt.url)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open(%q) error %q does not mention %q", tt.url, err, tt.want)
			}
			if strings.Contains(err.Error(), "sekrit") {
				t.Errorf("Open error shows the password: %v", err)
			}
		})
	}
}

func TestPing(t *testing.T) {
	srv := redistest.Start(t)
	s := openStore(t, srv.URL(), "")
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping with Redis up: %v", err)
	}
	srv.Stop()
	if err := s.Ping(ctx); err == nil {
		t.Fatal("Ping with Redis down succeeded")
	}
	if err := srv.StartAgain(); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, "Ping to succeed after Redis returned", func() bool { return s.Ping(ctx) == nil })
}

func TestPadIDsThatCannotBeHashTags(t *testing.T) {
	srv := redistest.Start(t)
	s := openStore(t, srv.URL(), "")
	ctx := t.Context()
	for _, pad := range []string{"", "}x"} {
		if err := s.Append(ctx, pad, 0, []collab.Record{{Op: collab.NewOp(collab.Insert("x"))}}); err == nil {
			t.Errorf("Append to pad %q succeeded", pad)
		}
		if _, _, err := s.Load(ctx, pad); err == nil {
			t.Errorf("Load of pad %q succeeded", pad)
		}
		if err := s.CreateSession(ctx, conference.Session{ID: pad}); err == nil {
			t.Errorf("CreateSession %q succeeded", pad)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestStateBackfill: a session stored before the meta hash had a "state"
// field (its state only inside the session JSON) gets the field when a
// Store opens, so that an archived one refuses appends.
func TestStateBackfill(t *testing.T) {
	srv := redistest.Start(t)
	prefix := testPrefix(t)
	old := openStore(t, srv.URL(), prefix)
	ctx := t.Context()
	for _, st := range []string{conference.StateLive, conference.StateArchived} {
		meta := old.padKey(st, "meta")
		err := old.rdb.HSet(ctx, meta, "session", `{"title":"Old `+st+`","state":"`+st+`"}`, "created", "1000").Err()
		if err == nil {
			err = old.rdb.SAdd(ctx, old.catalogKey("sessions"), st).Err()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	s := openStore(t, srv.URL(), prefix)
	for _, st := range []string{conference.StateLive, conference.StateArchived} {
		sess, err := s.Session(ctx, st)
		if err != nil {
			t.Fatalf("Session(%q) after backfill: %v", st, err)
		}
		if sess.State != st || sess.Title != "Old "+st {
			t.Errorf("Session(%q) = state %q title %q, want state %q title %q", st, sess.State, sess.Title, st, "Old "+st)
		}
	}
	rec := []collab.Record{{Op: collab.NewOp(collab.Insert("x")), Client: "c", Seq: 1}}
	if err := s.Append(ctx, conference.StateLive, 0, rec); err != nil {
		t.Errorf("Append to the old live session: %v", err)
	}
	if err := s.Append(ctx, conference.StateArchived, 0, rec); !errors.Is(err, collab.ErrReadOnly) {
		t.Errorf("Append to the old archived session: err = %v, want ErrReadOnly", err)
	}
}
