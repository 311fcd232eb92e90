package replicatest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/confpad/confpad/client"
	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/internal/testutil"
	"github.com/confpad/confpad/protocol"
	"github.com/confpad/confpad/store/redisstore/redistest"
)

// crowdReaders is how many readers TestCrowd joins to one pad.
const crowdReaders = 300

// presenceByteRate bounds the presence bytes a reader may receive per
// second of the crowd joining, beyond its welcome: at most one count of
// people (about 30 bytes) a second, whatever the size of the crowd.
const presenceByteRate = 64

// reader is a client that watches a pad and tallies the presence bytes it
// receives.
type reader struct {
	c  *client.Client
	id string // the client secret

	mu       sync.Mutex
	welcome  int // bytes of the welcome
	presence int // bytes of presence events and counts of people
	events   int // presence events
	people   int // the latest count of people
	joined   map[string]bool
}

func (r *reader) event(e client.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch e.Kind {
	case client.EventWelcome:
		r.welcome, r.people = len(e.Raw), e.People
	case client.EventPeople:
		r.presence += len(e.Raw)
		r.people = e.People
	case client.EventPresence:
		r.presence += len(e.Raw)
		r.events++
		if e.Presence == "join" {
			r.joined[e.User.Client] = true
		}
	}
}

func (r *reader) snapshot() (welcome, presence, events, people int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.welcome, r.presence, r.events, r.people
}

func (r *reader) saw(client string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.joined[client]
}

// TestCrowd: a few hundred readers join one pad, half on each of two
// replicas over a real Redis. Joining readers cost the others no presence
// events and at most one count of people a second; the count settles to
// the right number on every replica and every reader; a reader who starts
// typing appears in everyone's list; everyone ends on the same text.
func TestCrowd(t *testing.T) {
	srv := redistest.Start(t)
	top := startTopology(t, srv.URL(), 2)
	top.createPad(t, "crowd")

	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	dialTo := func(n int, id string, onEvent func(client.Event)) *client.Client {
		url := fmt.Sprintf("ws://127.0.0.1:%d/pads/crowd/ws", top.replicas[n].port)
		c, err := client.Dial(ctx, url, client.Options{Client: id, Name: id, Color: "#3366ff", OnEvent: onEvent})
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	writer := dialTo(0, "writer-secret-0123456789", nil)
	if err := writer.Edit(collab.NewOp(collab.Insert("# Keynote\n"))); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	readers := make([]*reader, crowdReaders)
	var wg sync.WaitGroup
	errs := make(chan error, crowdReaders)
	for i := range readers {
		r := &reader{id: fmt.Sprintf("reader-%03d-secret-0123", i), joined: map[string]bool{}}
		readers[i] = r
		wg.Add(1)
		go func() {
			defer wg.Done()
			url := fmt.Sprintf("ws://127.0.0.1:%d/pads/crowd/ws", top.replicas[i%2].port)
			c, err := client.Dial(ctx, url, client.Options{Client: r.id, OnEvent: r.event})
			if err != nil {
				errs <- fmt.Errorf("%s: %w", r.id, err)
				return
			}
			r.c = c
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, r := range readers {
		t.Cleanup(func() { r.c.Close() })
	}
	total := crowdReaders + 1
	for n := range top.replicas {
		testutil.Eventually(t, fmt.Sprintf("replica %d to count %d people", n, total), func() bool { return peopleAt(t, top.replicas[n].url(), "crowd") == total })
	}
	for _, r := range readers {
		testutil.Eventually(t, r.id+" to be told the count", func() bool { _, _, _, people := r.snapshot(); return people == total })
	}
	seconds := time.Since(start).Seconds()
	bound := int(presenceByteRate * (seconds + 2))
	for _, r := range readers {
		welcome, presence, events, _ := r.snapshot()
		if events != 0 {
			t.Errorf("%s got %d presence events while only readers joined", r.id, events)
		}
		if presence > bound {
			t.Errorf("%s got %d presence bytes in %.1f s of the crowd joining, over %d", r.id, presence, seconds, bound)
		}
		if welcome > 1024 {
			t.Errorf("%s got a welcome of %d bytes", r.id, welcome)
		}
	}
	t.Logf("%d readers joined in %.1f s", crowdReaders, seconds)

	// A reader on replica 1 starts typing: everyone lists it.
	typist := readers[7]
	if err := typist.c.Edit(collab.NewOp(collab.Skip(10), collab.Insert("Questions welcome.\n"))); err != nil {
		t.Fatal(err)
	}
	for _, r := range readers {
		if r != typist {
			testutil.Eventually(t, r.id+" to list "+typist.id, func() bool { return r.saw(protocol.PublicID(protocol.DomainClient, typist.id)) })
		}
	}
	if err := writer.Edit(collab.NewOp(collab.Skip(10), collab.Insert("Slides: soon\n"))); err != nil {
		t.Fatal(err)
	}
	if err := writer.WaitSynced(ctx); err != nil {
		t.Fatal(err)
	}
	if err := typist.c.WaitSynced(ctx); err != nil {
		t.Fatal(err)
	}
	head := max(writer.Rev(), typist.c.Rev())
	testutil.Eventually(t, "the writer at the head", func() bool { return writer.Rev() == head })
	want := writer.Text()
	for _, r := range readers {
		testutil.Eventually(t, r.id+" at the head", func() bool { return r.c.Rev() == head })
		if got := r.c.Text(); got != want {
			t.Errorf("%s has %q, the writer %q", r.id, got, want)
		}
	}
}

// peopleAt returns the count of people the replica at base reports for
// pad.
func peopleAt(t testing.TB, base, pad string) int {
	t.Helper()
	resp, err := http.Get(base + "/api/v1/pads/" + pad)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		People int `json:"people"`
	}
	if err := json.Unmarshal(body, &p); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET pad: %d %s", resp.StatusCode, body)
	}
	return p.People
}
