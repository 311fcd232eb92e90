package redisbus

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/uuid"

	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/httpapi"
	"github.com/confpad/confpad/internal/testutil"
	"github.com/confpad/confpad/store/redisstore"
	"github.com/confpad/confpad/store/redisstore/redistest"
)

// replica is a confpad server in cluster mode over Redis, on a loopback
// port, as cmd/confpad wires one.
type replica struct {
	store *redisstore.Store
	api   *httpapi.Server
	http  *httptest.Server
}

// startReplica starts a replica on the Redis at url with key prefix.
func startReplica(t *testing.T, url, prefix string, cfg httpapi.Config) *replica {
	t.Helper()
	st := openStore(t, url, prefix)
	cfg.Catalog, cfg.Log, cfg.Feed, cfg.Bus = st, st, st, New(st)
	api, err := httpapi.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := &replica{store: st, api: api, http: httptest.NewServer(api.Handler())}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
		defer cancel()
		api.Shutdown(ctx)
		r.http.Close()
	})
	return r
}

// createSession creates a live session id on the replicas' Redis.
func createSession(t *testing.T, r *replica, id string) conference.Session {
	t.Helper()
	sess := conference.Session{ID: id, Title: "Session " + id, State: conference.StateLive, Created: time.Now()}
	if err := r.store.CreateSession(t.Context(), sess); err != nil {
		t.Fatal(err)
	}
	return sess
}

// editor is a raw websocket client of one pad.
type editor struct {
	t    *testing.T
	ctx  context.Context
	conn *websocket.Conn
}

// wsMsg is a server message, decoded loosely.
type wsMsg struct {
	Type     string `json:"type"`
	Rev      int    `json:"rev"`
	Seq      int    `json:"seq"`
	Code     string `json:"code"`
	ReadOnly bool   `json:"readOnly"`
}

// join connects to pad on r as client and returns the welcome.
func join(t *testing.T, r *replica, pad, client string) (*editor, wsMsg) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	t.Cleanup(cancel)
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(r.http.URL, "http")+"/pads/"+pad+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	e := &editor{t: t, ctx: ctx, conn: conn}
	// The client id is a secret of at least 16 characters; name is the label.
	e.send(`{"type":"join","client":"` + client + `-secret-0123456789","name":"` + client + `"}`)
	return e, e.until("welcome")
}

func (e *editor) send(msg string) {
	e.t.Helper()
	if err := e.conn.Write(e.ctx, websocket.MessageText, []byte(msg)); err != nil {
		e.t.Fatal(err)
	}
}

// until reads messages until one of one of the types.
func (e *editor) until(types ...string) wsMsg {
	e.t.Helper()
	for {
		_, data, err := e.conn.Read(e.ctx)
		if err != nil {
			e.t.Fatalf("reading until %v: %v", types, err)
		}
		var m wsMsg
		if err := json.Unmarshal(data, &m); err != nil {
			e.t.Fatal(err)
		}
		for _, typ := range types {
			if m.Type == typ {
				return m
			}
		}
	}
}

// op sends op based on rev with seq and returns the ack or error.
func (e *editor) op(rev, seq int, op string) wsMsg {
	e.t.Helper()
	b, _ := json.Marshal(map[string]any{"type": "op", "rev": rev, "seq": seq, "op": json.RawMessage(op)})
	e.send(string(b))
	return e.until("ack", "error")
}

// TestArchiveHoldsOnEveryReplica: a session archived in Redis behind the
// replicas' backs (no state message reaches them, as if it were lost)
// refuses the ops of an editor joined on any replica while it was live:
// the append script checks the state. The refusal makes the replica
// re-read the session, and new joins there are read-only.
func TestArchiveHoldsOnEveryReplica(t *testing.T) {
	srv := redistest.Start(t).URL()
	prefix := "t-" + uuid.NewString()[:8]
	cfg := httpapi.Config{PresenceInterval: time.Hour}
	r1, r2 := startReplica(t, srv, prefix, cfg), startReplica(t, srv, prefix, cfg)
	sess := createSession(t, r1, "tracing")
	a, w := join(t, r1, "tracing", "ada")
	b, _ := join(t, r2, "tracing", "bob")
	ack := a.op(w.Rev, 1, `["kept"]`)
	if ack.Type != "ack" {
		t.Fatalf("op while live: %+v", ack)
	}
	sess.State = conference.StateArchived
	if err := r1.store.UpdateSession(t.Context(), sess); err != nil {
		t.Fatal(err)
	}
	// Each op is refused by the store (read_only), unless its replica has
	// learnt of the archive first (the other's refusal makes it re-read
	// the session) and closed the editor with 1001 "session is now
	// archived". The log below shows that neither was committed.
	for i, e := range []*editor{a, b} {
		b, _ := json.Marshal(map[string]any{"type": "op", "rev": ack.Rev, "seq": 2, "op": []string{"late"}})
		e.send(string(b))
		for {
			_, data, err := e.conn.Read(e.ctx)
			if websocket.CloseStatus(err) == websocket.StatusGoingAway {
				break
			}
			if err != nil {
				t.Fatalf("editor %d: %v", i, err)
			}
			var m wsMsg
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatal(err)
			}
			if m.Type == "ack" || m.Type == "error" {
				if m.Code != "read_only" {
					t.Errorf("editor %d: op on the archived pad got %+v, want read_only", i, m)
				}
				break
			}
		}
	}
	_, w2 := join(t, r2, "tracing", "cyd")
	if !w2.ReadOnly {
		t.Errorf("join on replica 2 after the archive: readOnly false")
	}
	if recs, err := r2.store.Records(t.Context(), "tracing", 0, -1); err != nil || len(recs) != 1 {
		t.Errorf("log after the archive: %d records, %v; want 1", len(recs), err)
	}
}
