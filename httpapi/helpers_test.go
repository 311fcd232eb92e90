package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/protocol"
	"github.com/confpad/confpad/store/sqlitestore"
)

// testTimeout bounds every wait in these tests.
const testTimeout = 20 * time.Second

const testToken = "s3cret-admin-token"

// testServer is a real Server on a loopback port over a real SQLite file.
type testServer struct {
	srv   *Server
	http  *httptest.Server
	store *sqlitestore.Store
	path  string
}

// openStore opens (or reopens) the SQLite file at path with the test
// sessions "main" (live) and "old" (archived).
func openStore(t testing.TB, path string) *sqlitestore.Store {
	t.Helper()
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetTitle(ctx, "Test Conference"); err != nil {
		t.Fatal(err)
	}
	for _, sess := range []conference.Session{
		{ID: "main", Title: "Main track", Description: "Where it *happens*.", State: conference.StateLive},
		{ID: "old", Title: "Last year", State: conference.StateArchived},
	} {
		sess.Created = time.Now().UTC()
		if err := st.CreateSession(ctx, sess); err != nil && !errors.Is(err, conference.ErrExists) {
			t.Fatal(err)
		}
	}
	return st
}

// startServer starts a Server on st; cfg's Catalog and Log are filled in.
func startServer(t testing.TB, st *sqlitestore.Store, cfg Config) *testServer {
	t.Helper()
	cfg.Catalog, cfg.Log = st, st
	if cfg.AdminToken == "" {
		cfg.AdminToken = testToken
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{srv: srv, http: httptest.NewServer(srv.Handler()), store: st}
	t.Cleanup(ts.stop)
	return ts
}

// newTestServer starts a Server over a fresh SQLite file in t.TempDir().
func newTestServer(t testing.TB, cfg Config) *testServer {
	t.Helper()
	path := filepath.Join(t.TempDir(), "confpad.db")
	st := openStore(t, path)
	t.Cleanup(func() { st.Close() })
	ts := startServer(t, st, cfg)
	ts.path = path
	return ts
}

// stop shuts the server down; it may be called more than once.
func (ts *testServer) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	ts.srv.Shutdown(ctx)
	ts.http.Close()
}

func (ts *testServer) wsURL(pad string) string {
	return "ws" + strings.TrimPrefix(ts.http.URL, "http") + "/pads/" + pad + "/ws"
}

// do sends an HTTP request and returns the status and body.
func (ts *testServer) do(t testing.TB, method, path, body string, header ...string) (int, string, http.Header) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, ts.http.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b), res.Header
}

// text returns GET /api/v1/pads/:id/text.
func (ts *testServer) text(t testing.TB, pad string) string {
	t.Helper()
	status, body, _ := ts.do(t, "GET", "/api/v1/pads/"+pad+"/text", "")
	if status != http.StatusOK {
		t.Fatalf("GET text of %s: %d %s", pad, status, body)
	}
	return body
}

// serverMsg is any server message, decoded loosely.
type serverMsg struct {
	Type     string            `json:"type"`
	Pad      string            `json:"pad"`
	Rev      int               `json:"rev"`
	Seq      int               `json:"seq"`
	Op       json.RawMessage   `json:"op"`
	By       string            `json:"by"`
	Runs     []collab.Run      `json:"runs"`
	Author   string            `json:"author"`
	Text     *string           `json:"text"`
	Users    []protocol.User   `json:"users"`
	Links    []conference.Link `json:"links"`
	ReadOnly bool              `json:"readOnly"`
	Mode     string            `json:"mode"`
	People   int               `json:"people"`
	You      string            `json:"you"`
	Event    string            `json:"event"`
	User     protocol.User     `json:"user"`
	Code     string            `json:"code"`
	Message  string            `json:"message"`
	Ref      *int              `json:"ref"`
}

// wsClient is a raw protocol client for tests.
type wsClient struct {
	t    testing.TB
	conn *websocket.Conn
	ctx  context.Context
}

func dial(t testing.TB, ts *testServer, pad string) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	conn, _, err := websocket.Dial(ctx, ts.wsURL(pad), nil)
	if err != nil {
		t.Fatal(err)
	}
	conn.SetReadLimit(64 << 20)
	t.Cleanup(func() { conn.CloseNow() })
	return &wsClient{t: t, conn: conn, ctx: ctx}
}

func (c *wsClient) sendRaw(data string) {
	c.t.Helper()
	if err := c.conn.Write(c.ctx, websocket.MessageText, []byte(data)); err != nil {
		c.t.Fatal(err)
	}
}

func (c *wsClient) send(v any) {
	c.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	c.sendRaw(string(b))
}

func (c *wsClient) read() serverMsg {
	c.t.Helper()
	m, err := c.tryRead()
	if err != nil {
		c.t.Fatal(err)
	}
	return m
}

func (c *wsClient) tryRead() (serverMsg, error) {
	_, data, err := c.conn.Read(c.ctx)
	if err != nil {
		return serverMsg{}, err
	}
	var m serverMsg
	if err := json.Unmarshal(data, &m); err != nil {
		return m, err
	}
	return m, nil
}

// readUntilClosed reads and drops messages until the connection ends, and
// returns the error that ended it.
func (c *wsClient) readUntilClosed() error {
	for {
		if _, err := c.tryRead(); err != nil {
			return err
		}
	}
}

// readType reads messages until one of type typ, skipping others but
// failing on an unexpected error message.
func (c *wsClient) readType(typ string) serverMsg {
	c.t.Helper()
	for {
		m := c.read()
		if m.Type == typ {
			return m
		}
		if m.Type == "error" {
			c.t.Fatalf("want a %s message, got error %s: %s", typ, m.Code, m.Message)
		}
	}
}

// secretOf is the secret client id tests use for the client they call
// label.
func secretOf(label string) string { return label + "-secret-0123456789" }

// pub is the public id of the client tests call label: its author,
// presence and welcome id.
func pub(label string) string { return protocol.PublicID(protocol.DomainClient, secretOf(label)) }

// join sends a join as the client called label (secretOf) and returns the
// welcome.
func (c *wsClient) join(label string, since int) serverMsg {
	c.t.Helper()
	msg := map[string]any{"type": "join", "client": secretOf(label), "name": "T " + label, "color": "#336699"}
	if since >= 0 {
		msg["since"] = since
	}
	c.send(msg)
	return c.readType("welcome")
}

// op sends an op and returns the ack's revision.
func (c *wsClient) op(rev, seq int, op string) int {
	c.t.Helper()
	c.sendRaw(`{"type":"op","rev":` + itoa(rev) + `,"seq":` + itoa(seq) + `,"op":` + op + `}`)
	ack := c.readType("ack")
	if ack.Seq != seq {
		c.t.Fatalf("ack for seq %d, want %d", ack.Seq, seq)
	}
	return ack.Rev
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func mustParseOp(t testing.TB, raw json.RawMessage) collab.Op {
	t.Helper()
	op, err := collab.ParseOp(raw)
	if err != nil {
		t.Fatalf("server sent a bad op %s: %v", raw, err)
	}
	return op
}

// counterValue reads a Prometheus counter.
func counterValue(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}

// longPad stores n one-character inserts as pad "main"'s history, straight
// into the store, before any connection loads the pad; it returns the text.
func longPad(t testing.TB, ts *testServer, n int) string {
	t.Helper()
	recs := make([]collab.Record, n)
	for i := range recs {
		recs[i] = collab.Record{Rev: i + 1, Op: collab.NewOp(collab.Insert("x")), Client: pub("history"), Seq: i + 1}
	}
	if err := ts.store.Append(context.Background(), "main", 0, recs); err != nil {
		t.Fatal(err)
	}
	return strings.Repeat("x", n)
}
