// Package httpapitest runs a real confpad server for tests of other
// packages: httpapi over an SQLite store in a temporary directory, served
// by httptest on a loopback port (127.0.0.1).
package httpapitest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/httpapi"
	"github.com/confpad/confpad/store/sqlitestore"
)

// DefaultAdminToken is the admin token of a server whose Options set none.
const DefaultAdminToken = "test-admin-token"

// shutdownTimeout bounds Close's graceful shutdown.
const shutdownTimeout = 5 * time.Second

// Options configure a test server. The zero value gives one live pad,
// "pad", the admin token DefaultAdminToken, and no logs.
type Options struct {
	// Config is the server's configuration. Catalog and Log are set to
	// the store (Log through WrapLog); an empty AdminToken becomes
	// DefaultAdminToken; a nil Logger discards.
	Config httpapi.Config
	// Title, if set, is the conference title.
	Title string
	// Sessions are created at start; nil means one live session "pad".
	// A zero Created becomes the current time.
	Sessions []conference.Session
	// WrapLog, if set, wraps the store before it becomes the server's
	// Log, for example to make appends fail.
	WrapLog func(collab.Log) collab.Log
}

// Server is a running test server.
type Server struct {
	// URL is the HTTP base URL, http://127.0.0.1:port.
	URL string
	// Addr is the listening address, 127.0.0.1:port.
	Addr string
	// AdminToken is what admin requests send as "Authorization: Bearer".
	AdminToken string
	// Store is the SQLite store, the server's Catalog and (unwrapped) Log.
	Store *sqlitestore.Store
	// API is the httpapi server.
	API *httpapi.Server

	web *httptest.Server
}

// Start starts a server with its database in t.TempDir(); it is closed
// when the test ends, and a failing Close fails the test.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := Open(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("closing the test server: %v", err)
		}
	})
	return s
}

// Open starts a server with its database confpad.db in dir, for code
// without a testing.TB (examples); Close stops it.
func Open(dir string, opts Options) (*Server, error) {
	ctx := context.Background()
	store, err := sqlitestore.Open(ctx, filepath.Join(dir, "confpad.db"))
	if err != nil {
		return nil, fmt.Errorf("httpapitest: %w", err)
	}
	if err := seed(ctx, store, opts); err != nil {
		store.Close()
		return nil, fmt.Errorf("httpapitest: %w", err)
	}
	cfg := opts.Config
	cfg.Catalog, cfg.Log = store, store
	if opts.WrapLog != nil {
		cfg.Log = opts.WrapLog(store)
	}
	if cfg.AdminToken == "" {
		cfg.AdminToken = DefaultAdminToken
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	api, err := httpapi.New(cfg)
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("httpapitest: %w", err)
	}
	web := httptest.NewServer(api.Handler())
	return &Server{
		URL:        web.URL,
		Addr:       web.Listener.Addr().String(),
		AdminToken: cfg.AdminToken,
		Store:      store,
		API:        api,
		web:        web,
	}, nil
}

func seed(ctx context.Context, store *sqlitestore.Store, opts Options) error {
	if opts.Title != "" {
		if err := store.SetTitle(ctx, opts.Title); err != nil {
			return err
		}
	}
	sessions := opts.Sessions
	if sessions == nil {
		sessions = []conference.Session{{ID: "pad", Title: "Test pad", State: conference.StateLive}}
	}
	for _, sess := range sessions {
		if sess.Created.IsZero() {
			sess.Created = time.Now().UTC()
		}
		if err := store.CreateSession(ctx, sess); err != nil {
			return err
		}
	}
	return nil
}

// WSURL returns the websocket URL of a pad, ws://127.0.0.1:port/pads/{pad}/ws.
func (s *Server) WSURL(pad string) string {
	return "ws" + strings.TrimPrefix(s.URL, "http") + "/pads/" + pad + "/ws"
}

// Text returns a pad's current text from GET /api/v1/pads/{pad}/text; any
// other answer than 200 fails the test.
func (s *Server) Text(t testing.TB, pad string) string {
	t.Helper()
	res, err := http.Get(s.URL + "/api/v1/pads/" + pad + "/text")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET text of %s: %d %q %v", pad, res.StatusCode, body, err)
	}
	return string(body)
}

// Close shuts the server down gracefully (websockets are closed with
// "going away" and commits in flight finish), stops listening, and closes
// the store. Call it once.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err := s.API.Shutdown(ctx)
	s.web.Close()
	return errors.Join(err, s.Store.Close())
}
