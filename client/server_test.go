package client_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confpad/confpad/client"
	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/httpapi"
	"github.com/confpad/confpad/httpapi/httpapitest"
	"github.com/confpad/confpad/protocol"
)

// testServer is a real confpad server (httpapi over SQLite in a temp dir)
// on a loopback port, with a live pad "pad" and an archived pad "old".
// Pads are limited to maxDocLen code points.
type testServer struct {
	*httpapitest.Server
	log *flakyLog
}

const maxDocLen = 5000

// flakyLog is the server's Log, whose appends can be made to fail.
type flakyLog struct {
	collab.Log
	fail atomic.Bool
}

// Append fails while fail is set, else appends.
func (l *flakyLog) Append(ctx context.Context, pad string, head int, recs []collab.Record) error {
	if l.fail.Load() {
		return errors.New("disk on fire")
	}
	return l.Log.Append(ctx, pad, head, recs)
}

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	log := &flakyLog{}
	srv := httpapitest.Start(t, httpapitest.Options{
		Config: httpapi.Config{MaxDocLen: maxDocLen},
		Sessions: []conference.Session{
			{ID: "pad", Title: "Live pad", State: conference.StateLive},
			{ID: "old", Title: "Archived pad", State: conference.StateArchived},
		},
		WrapLog: func(l collab.Log) collab.Log { log.Log = l; return log },
	})
	return &testServer{Server: srv, log: log}
}

// padURL is the websocket URL of a pad on base (a ws:// URL).
func padURL(base, pad string) string { return base + "/pads/" + pad + "/ws" }

// dial joins a pad and closes the client at the end of the test.
func dial(t *testing.T, url string, opts client.Options) *client.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, url, opts)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// waitConverged waits until every client has all its edits acknowledged
// and has reached the same revision, then returns their common text; it
// fails the test if their texts differ.
func waitConverged(t *testing.T, clients ...*client.Client) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, c := range clients {
		if err := c.WaitSynced(ctx); err != nil {
			t.Fatalf("client %s: %v (%d edits pending)", c.ID(), err, c.Pending())
		}
	}
	for {
		head := 0
		for _, c := range clients {
			head = max(head, c.Rev())
		}
		behind := 0
		for _, c := range clients {
			if c.Rev() < head {
				behind++
			}
		}
		if behind == 0 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%d clients still behind revision %d", behind, head)
		case <-time.After(5 * time.Millisecond):
		}
	}
	want := clients[0].Text()
	for _, c := range clients[1:] {
		if got := c.Text(); got != want {
			t.Fatalf("client %s has %q, client %s has %q", c.ID(), got, clients[0].ID(), want)
		}
	}
	return want
}

// faultProxy forwards TCP connections to a target and can hold back what
// flows in one direction, or cut every connection, to stage lost messages
// and dropped connections.
type faultProxy struct {
	ln net.Listener

	mu       sync.Mutex
	target   string
	held     [2]bool // [toServer, toClient]
	released *sync.Cond
	conns    []net.Conn
	wg       sync.WaitGroup
}

const (
	toServer = 0
	toClient = 1
)

// newFaultProxy proxies to target (host:port) from a loopback port.
func newFaultProxy(t *testing.T, target string) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{ln: ln, target: target}
	p.released = sync.NewCond(&p.mu)
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() {
		ln.Close()
		p.cut()
		p.wg.Wait()
	})
	return p
}

// url is the proxy's ws:// base URL.
func (p *faultProxy) url() string { return "ws://" + p.ln.Addr().String() }

func (p *faultProxy) accept() {
	defer p.wg.Done()
	for {
		down, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		target := p.target
		p.mu.Unlock()
		up, err := net.Dial("tcp", target)
		if err != nil {
			down.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, down, up)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(up, down, toServer)
		go p.pipe(down, up, toClient)
	}
}

// pipe copies src to dst; while the direction is held, what it reads
// waits, and is lost if the connection is cut meanwhile.
func (p *faultProxy) pipe(dst, src net.Conn, dir int) {
	defer p.wg.Done()
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			return
		}
		p.mu.Lock()
		for p.held[dir] {
			p.released.Wait()
		}
		p.mu.Unlock()
		if _, err := dst.Write(buf[:n]); err != nil {
			return
		}
	}
}

// retarget sends new connections to another server.
func (p *faultProxy) retarget(target string) {
	p.mu.Lock()
	p.target = target
	p.mu.Unlock()
}

// hold stops forwarding in direction dir (bytes already read wait).
func (p *faultProxy) hold(dir int) {
	p.mu.Lock()
	p.held[dir] = true
	p.mu.Unlock()
}

// cut closes every proxied connection, losing held bytes, and stops
// holding.
func (p *faultProxy) cut() {
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
	p.held = [2]bool{}
	p.released.Broadcast()
	p.mu.Unlock()
}

// TestServerFramesTakeFastPath: the op broadcasts and acks a real server
// sends are exactly what protocol.EncodeOp and EncodeAck write, whose
// output the protocol's tests show decodes on the fast path; so a change of
// the server's encoding cannot quietly send every message back to
// encoding/json.
func TestServerFramesTakeFastPath(t *testing.T) {
	srv := newTestServer(t)
	url := srv.WSURL("pad")
	var mu sync.Mutex
	seen := map[client.EventKind][]client.Event{}
	record := func(e client.Event) {
		mu.Lock()
		defer mu.Unlock()
		seen[e.Kind] = append(seen[e.Kind], e)
	}
	a := dial(t, url, client.Options{Client: "client-a-secret-0001", OnEvent: record})
	b := dial(t, url, client.Options{Client: "client-b-secret-0002", OnEvent: record})
	for _, c := range []*client.Client{a, b} {
		if err := c.Edit(collab.NewOp(collab.Insert("é😀\"x\\"))); err != nil {
			t.Fatal(err)
		}
	}
	waitConverged(t, a, b)
	mu.Lock()
	defer mu.Unlock()
	for _, kind := range []client.EventKind{client.EventRemote, client.EventAck} {
		if len(seen[kind]) == 0 {
			t.Fatalf("no %v events", kind)
		}
		for _, e := range seen[kind] {
			want := protocol.EncodeAck(e.Seq, e.Rev)
			if kind == client.EventRemote {
				if e.By != e.Author {
					t.Errorf("op %d by %q from %s, want its client (no author secret)", e.Rev, e.By, e.Author)
				}
				want = protocol.EncodeOp(collab.Record{Rev: e.Rev, Op: e.Op, Client: e.Author, Author: e.By})
			}
			if !bytes.Equal(e.Raw, want) {
				t.Errorf("the server sent %s, protocol encodes %s", e.Raw, want)
			}
		}
	}
}
