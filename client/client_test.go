package client_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confpad/confpad/internal/testutil"

	"github.com/confpad/confpad/client"
	"github.com/confpad/confpad/collab"
)

// insertAt is the op inserting s at code point pos.
func insertAt(pos int, s string) collab.Op {
	return collab.Normalize(collab.NewOp(collab.Skip(pos), collab.Insert(s)))
}

// randomEdit is an insert of one to three characters (astral ones too) or
// a delete of up to three, at a random place in doc.
func randomEdit(rng *rand.Rand, doc *collab.Doc) (collab.Op, error) {
	alphabet := []string{"a", "b", " ", "é", "€", "😀", "𝄞", "\n"}
	n := doc.Len()
	pos := rng.IntN(n + 1)
	if n-pos > 0 && rng.IntN(3) == 0 {
		return collab.Normalize(collab.NewOp(collab.Skip(pos), collab.Delete(1+rng.IntN(min(3, n-pos))))), nil
	}
	var s strings.Builder
	for range 1 + rng.IntN(3) {
		s.WriteString(alphabet[rng.IntN(len(alphabet))])
	}
	return insertAt(pos, s.String()), nil
}

// TestConcurrentEditsConverge: several clients edit one pad at once,
// inserting and deleting at random places with random pauses; all end with
// the same text, which is the server's.
func TestConcurrentEditsConverge(t *testing.T) {
	srv := newTestServer(t)
	clients := make([]*client.Client, 6)
	for i := range clients {
		clients[i] = dial(t, srv.WSURL("pad"), client.Options{Name: fmt.Sprint("writer ", i)})
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(clients))
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 1))
			for range 60 {
				if err := c.EditFunc(func(doc *collab.Doc) (collab.Op, error) { return randomEdit(rng, doc) }); err != nil {
					errs <- err
					return
				}
				time.Sleep(time.Duration(rng.IntN(3)) * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	text := waitConverged(t, clients...)
	if got := srv.Text(t, "pad"); got != text {
		t.Fatalf("server has %q, clients %q", got, text)
	}
	if text == "" {
		t.Fatal("no edit survived")
	}
}

// uniqueChars hands out distinct characters, astral ones included, so a
// final text shows whether each insert landed exactly once.
type uniqueChars struct {
	mu   sync.Mutex
	next rune
}

func (u *uniqueChars) take() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.next++
	if u.next%3 == 0 {
		return string(0x20000 + u.next) // CJK Extension B: astral
	}
	return string(0x4E00 + u.next)
}

// checkOnce fails unless text consists of exactly the inserted characters,
// each once.
func checkOnce(t *testing.T, text string, inserted []string) {
	t.Helper()
	count := map[rune]int{}
	for _, r := range text {
		count[r]++
	}
	for _, s := range inserted {
		r := []rune(s)[0]
		if count[r] != 1 {
			t.Errorf("%q appears %d times, want once", s, count[r])
		}
		delete(count, r)
	}
	for r, n := range count {
		t.Errorf("%q appears %d times but was never inserted", r, n)
	}
}

// TestResume stages the two ways a connection can drop with an op in
// flight, through a proxy that holds back one direction and then cuts:
// the op never reached the server (it must be applied on resend), or it
// was committed but the ack was lost (it must not be applied again). In
// both cases another client keeps typing meanwhile.
func TestResume(t *testing.T) {
	tests := []struct {
		name string
		hold int
	}{
		{"op lost on the way to the server", toServer},
		{"ack lost on the way back", toClient},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t)
			proxy := newFaultProxy(t, srv.Addr)
			other := dial(t, srv.WSURL("pad"), client.Options{})
			seen := make(chan int, 100)
			flaky := dial(t, padURL(proxy.url(), "pad"), client.Options{OnEvent: func(e client.Event) {
				if e.Kind == client.EventWelcome {
					seen <- e.Rev
				}
			}})
			recv(t, seen)
			var chars uniqueChars
			var inserted []string
			edit := func(c *client.Client) {
				t.Helper()
				s := chars.take()
				inserted = append(inserted, s)
				if err := c.EditFunc(func(doc *collab.Doc) (collab.Op, error) { return insertAt(doc.Len()/2, s), nil }); err != nil {
					t.Fatal(err)
				}
			}
			for round := range 5 {
				edit(other)
				proxy.hold(tc.hold)
				before := flaky.Rev()
				edit(flaky)
				edit(flaky) // buffered behind the first
				edit(other)
				if tc.hold == toClient {
					// Wait until the server has committed flaky's op:
					// the other client sees it.
					testutil.Eventually(t, "the other client to hear of both edits", func() bool { return other.Rev() >= before+2 })
				}
				proxy.cut()
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				err := flaky.Reconnect(ctx)
				cancel()
				if err != nil {
					t.Fatalf("round %d: reconnect: %v", round, err)
				}
				if rev := recv(t, seen); rev < before {
					t.Fatalf("round %d: resumed at revision %d, before the drop it was %d", round, rev, before)
				}
			}
			text := waitConverged(t, flaky, other)
			checkOnce(t, text, inserted)
			if got := srv.Text(t, "pad"); got != text {
				t.Fatalf("server has %q, clients %q", got, text)
			}
		})
	}
}

// recv receives from ch, failing the test after ten seconds.
func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	var v T
	select {
	case v = <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal("nothing received in 10s")
	}
	return v
}

// TestAutoReconnect: with AutoReconnect the client resumes by itself after
// its connection is cut, and edits made while it was away go through.
func TestAutoReconnect(t *testing.T) {
	srv := newTestServer(t)
	proxy := newFaultProxy(t, srv.Addr)
	events := make(chan client.Event, 100)
	flaky := dial(t, padURL(proxy.url(), "pad"), client.Options{
		AutoReconnect: true,
		MinBackoff:    time.Millisecond,
		OnEvent: func(e client.Event) {
			if e.Kind == client.EventDisconnected || e.Kind == client.EventWelcome {
				events <- e
			}
		},
	})
	other := dial(t, srv.WSURL("pad"), client.Options{})
	recv(t, events) // the first welcome
	var chars uniqueChars
	var inserted []string
	for range 3 {
		proxy.cut()
		if e := recv(t, events); e.Kind != client.EventDisconnected {
			t.Fatalf("got %v, want disconnected", e.Kind)
		}
		for _, c := range []*client.Client{flaky, other} {
			s := chars.take()
			inserted = append(inserted, s)
			if err := c.Edit(insertAt(0, s)); err != nil {
				t.Fatal(err)
			}
		}
		if e := recv(t, events); e.Kind != client.EventWelcome || !e.Resumed {
			t.Fatalf("got %v (resumed %v), want a resumed welcome", e.Kind, e.Resumed)
		}
	}
	checkOnce(t, waitConverged(t, flaky, other), inserted)
}

// TestResumeRefusedWithRevAheadStops: after a drop, the client lands on a
// server whose log lacks the revision it has (here, another server whose
// pad is empty; in production, a store that lost acknowledged ops). The
// join is refused with rev_ahead, whose policy is resync: the client does
// not retry (it could resume on a history that is not its own) but stops
// with ErrNoResume, keeping its text and pending edit. Its owner may then
// reconnect it by hand to a server that has its revision, and nothing
// typed is lost.
func TestResumeRefusedWithRevAheadStops(t *testing.T) {
	ahead, behind := newTestServer(t), newTestServer(t)
	proxy := newFaultProxy(t, ahead.Addr)
	events := make(chan client.Event, 100)
	c := dial(t, padURL(proxy.url(), "pad"), client.Options{
		AutoReconnect: true,
		MinBackoff:    time.Millisecond,
		MaxBackoff:    10 * time.Millisecond,
		OnEvent: func(e client.Event) {
			switch e.Kind {
			case client.EventWelcome, client.EventDisconnected, client.EventError:
				events <- e
			}
		},
	})
	recv(t, events) // welcome
	for _, s := range []string{"a", "b", "c"} {
		if err := c.Edit(insertAt(0, s)); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.WaitSynced(context.Background()); err != nil {
		t.Fatal(err)
	}
	proxy.retarget(behind.Addr)
	proxy.cut()
	if err := c.Edit(insertAt(0, "d")); err != nil {
		t.Fatal(err)
	}
	if e := recv(t, events); e.Kind != client.EventDisconnected {
		t.Fatalf("got %v, want disconnected", e.Kind)
	}
	if e := recv(t, events); e.Kind != client.EventError || e.Code != "rev_ahead" {
		t.Fatalf("got %+v, want a rev_ahead error", e)
	}
	e := recv(t, events)
	var se *client.ServerError
	if e.Kind != client.EventDisconnected || !errors.Is(e.Err, client.ErrNoResume) || !errors.As(e.Err, &se) || se.Code != "rev_ahead" {
		t.Fatalf("got %+v, want a disconnect with ErrNoResume for rev_ahead", e)
	}
	if c.Pending() != 1 || c.Text() != "dcba" || ahead.Text(t, "pad") != "cba" {
		t.Fatalf("after giving up: client %q with %d pending, server %q", c.Text(), c.Pending(), ahead.Text(t, "pad"))
	}
	proxy.retarget(ahead.Addr)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Reconnect(ctx); err != nil {
		t.Fatal(err)
	}
	if got := waitConverged(t, c); got != "dcba" || ahead.Text(t, "pad") != "dcba" || behind.Text(t, "pad") != "" {
		t.Fatalf("client %q, server %q, lagging server %q", got, ahead.Text(t, "pad"), behind.Text(t, "pad"))
	}
}

// TestEvents checks what OnEvent reports: remote ops with author and
// revision, acks with seq, edit count and latency, presence with cursors.
func TestEvents(t *testing.T) {
	srv := newTestServer(t)
	events := make(chan client.Event, 100)
	people := make(chan client.Event, 10)
	reader := dial(t, srv.WSURL("pad"), client.Options{OnEvent: func(e client.Event) {
		if e.Kind == client.EventPeople {
			people <- e
		} else {
			events <- e
		}
	}})
	var acks []client.Event
	var ackMu sync.Mutex
	writer := dial(t, srv.WSURL("pad"), client.Options{Name: "Ada", Color: "#3366ff", OnEvent: func(e client.Event) {
		if e.Kind == client.EventAck {
			ackMu.Lock()
			acks = append(acks, e)
			ackMu.Unlock()
		}
	}})
	next := func(kind client.EventKind) client.Event {
		t.Helper()
		for {
			if e := recv(t, events); e.Kind == kind {
				return e
			}
		}
	}
	if e := next(client.EventWelcome); e.Resumed || e.Rev != 0 || e.People != 1 {
		t.Fatalf("welcome %+v", e)
	}
	// Ada is a reader until she types: then she is listed, before her op.
	if err := writer.Edit(insertAt(0, "hé😀")); err != nil {
		t.Fatal(err)
	}
	if e := next(client.EventPresence); e.Presence != "join" || e.User.Client != writer.ID() || e.User.Name != "Ada" {
		t.Fatalf("presence %+v, want Ada joining", e)
	}
	if err := writer.Edit(insertAt(3, "!")); err != nil {
		t.Fatal(err)
	}
	e := next(client.EventRemote)
	if e.Author != writer.ID() || e.Rev != 1 || e.Op.String() != `["hé😀"]` || e.Time.IsZero() {
		t.Fatalf("remote %+v", e)
	}
	if e := next(client.EventRemote); e.Rev != 2 || e.Op.String() != `[3,"!"]` {
		t.Fatalf("second remote %+v", e)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := writer.WaitSynced(ctx); err != nil {
		t.Fatal(err)
	}
	ackMu.Lock()
	if len(acks) != 2 || acks[0].Seq != 1 || acks[0].Rev != 1 || acks[0].Edits != 1 || acks[0].Latency <= 0 || acks[1].Seq != 2 {
		t.Fatalf("acks %+v", acks)
	}
	ackMu.Unlock()
	if err := writer.SetCursor(1, 4); err != nil {
		t.Fatal(err)
	}
	if e := next(client.EventPresence); e.User.Client != writer.ID() || e.User.Sel == nil || *e.User.Sel != [2]int{1, 4} {
		t.Fatalf("cursor presence %+v", e)
	}
	if got := reader.Text(); got != "hé😀!" {
		t.Fatalf("reader has %q", got)
	}
	if e := recv(t, people); e.People != 2 {
		t.Fatalf("people %+v, want a count of 2", e)
	}
}

// TestRefused covers what Dial and Edit refuse.
func TestRefused(t *testing.T) {
	srv := newTestServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	_, err := client.Dial(ctx, srv.WSURL("nope"), client.Options{})
	var se *client.ServerError
	if !errors.As(err, &se) || se.Code != "unknown_pad" {
		t.Fatalf("dial to an unknown pad: %v, want a server error unknown_pad", err)
	}

	archived := dial(t, srv.WSURL("old"), client.Options{})
	if !archived.ReadOnly() {
		t.Fatal("archived pad not read-only")
	}
	if err := archived.Edit(insertAt(0, "x")); !errors.Is(err, client.ErrReadOnly) {
		t.Fatalf("edit of an archived pad: %v", err)
	}

	c := dial(t, srv.WSURL("pad"), client.Options{})
	if err := c.Edit(insertAt(0, "abc")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		op   collab.Op
		want error
	}{
		{"skip past the end", collab.NewOp(collab.Skip(4), collab.Insert("x")), collab.ErrPastEnd},
		{"delete past the end", collab.NewOp(collab.Skip(2), collab.Delete(2)), collab.ErrPastEnd},
		{"empty insert", collab.NewOp(collab.Insert("")), collab.ErrInvalidOp},
		{"trailing skip", collab.NewOp(collab.Insert("x"), collab.Skip(1)), collab.ErrInvalidOp},
	}
	for _, tc := range tests {
		if err := c.Edit(tc.op); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if got := c.Text(); got != "abc" {
		t.Fatalf("refused edits changed the text to %q", got)
	}
	c.Close()
	if err := c.Edit(insertAt(0, "x")); !errors.Is(err, client.ErrClosed) {
		t.Fatalf("edit after close: %v", err)
	}
}

// TestServerRefusals: an op the server refuses for a while (its storage
// fails) is sent again until it commits, exactly once; an op it refuses
// for good (the pad would exceed its size limit) fails the client.
func TestServerRefusals(t *testing.T) {
	srv := newTestServer(t)
	errs := make(chan client.Event, 100)
	c := dial(t, srv.WSURL("pad"), client.Options{
		MinBackoff: time.Millisecond,
		MaxBackoff: 20 * time.Millisecond,
		OnEvent: func(e client.Event) {
			if e.Kind == client.EventError {
				errs <- e
			}
		},
	})
	srv.log.fail.Store(true)
	if err := c.Edit(insertAt(0, "once")); err != nil {
		t.Fatal(err)
	}
	for range 3 { // refused, sent again, refused...
		if e := recv(t, errs); e.Code != "unavailable" || e.Seq != 1 {
			t.Fatalf("error event %+v, want unavailable for seq 1", e)
		}
	}
	srv.log.fail.Store(false)
	if got := waitConverged(t, c); got != "once" || srv.Text(t, "pad") != "once" {
		t.Fatalf("client has %q, server %q; want \"once\"", got, srv.Text(t, "pad"))
	}

	if err := c.Edit(insertAt(0, strings.Repeat("x", maxDocLen))); err != nil {
		t.Fatal(err)
	}
	if e := recv(t, errs); e.Code != "too_large" || e.Seq != 2 {
		t.Fatalf("error event %+v, want too_large for seq 2", e)
	}
	err := c.Edit(insertAt(0, "y"))
	var se *client.ServerError
	if !errors.Is(err, client.ErrRejected) || !errors.As(err, &se) || se.Code != "too_large" {
		t.Fatalf("edit after a final refusal: %v, want ErrRejected with too_large", err)
	}
}
