package replicatest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confpad/confpad/internal/testutil"

	"github.com/confpad/confpad/client"
	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/protocol"
	"github.com/confpad/confpad/store/redisstore"
)

// typist is one websocket client typing random edits into a pad, and what
// it was told: every ack (seq -> revision) and how many edits those acks
// carry.
type typist struct {
	id   string // a label for messages; its client id is secretOf(id)
	home int    // the replica it dials first (-1: through a balancer URL)
	c    *client.Client
	rng  *rand.Rand

	mu          sync.Mutex
	edits       int         // Edit calls that succeeded
	acks        map[int]int // seq -> revision
	ackedEdits  int
	disconnects int
	resumes     int
	errors      map[string]int  // error messages from the server, by code
	recent      []string        // the last events, for failure messages
	leaves      map[string]bool // client ids seen leaving (presence)
	joins       map[string]bool // client ids seen joining (presence)
}

// secretOf is the secret client id of the typist labelled id.
func secretOf(id string) string { return "replicatest-secret-" + id }

// newTypist dials wsURL (with httpClient, if not nil) and joins.
func newTypist(t *testing.T, wsURL string, httpClient *http.Client, id string, home int, seed uint64) *typist {
	t.Helper()
	ty := &typist{id: id, home: home, rng: rand.New(rand.NewPCG(seed, uint64(home+7))),
		acks: map[int]int{}, errors: map[string]int{}, leaves: map[string]bool{}, joins: map[string]bool{}}
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	c, err := client.Dial(ctx, wsURL, client.Options{
		Client:        secretOf(id),
		Name:          "typist " + id,
		Color:         "#3366ff",
		AutoReconnect: true,
		MinBackoff:    20 * time.Millisecond,
		MaxBackoff:    500 * time.Millisecond,
		HTTPClient:    httpClient,
		OnEvent:       ty.event,
	})
	if err != nil {
		t.Fatalf("typist %s: dial %s: %v", id, wsURL, err)
	}
	ty.c = c
	t.Cleanup(func() { c.Close() })
	return ty
}

func (ty *typist) event(e client.Event) {
	ty.mu.Lock()
	defer ty.mu.Unlock()
	if e.Kind != client.EventPresence {
		ty.recent = append(ty.recent, fmt.Sprintf("%s %s rev %d seq %d %s%s",
			e.Time.Format("15:04:05.000"), e.Kind, e.Rev, e.Seq, e.Code, e.Message))
		if len(ty.recent) > 12 {
			ty.recent = ty.recent[1:]
		}
	}
	switch e.Kind {
	case client.EventAck:
		ty.acks[e.Seq] = e.Rev
		ty.ackedEdits += e.Edits
	case client.EventDisconnected:
		ty.disconnects++
	case client.EventError:
		ty.errors[e.Code]++
	case client.EventWelcome:
		if e.Resumed {
			ty.resumes++
		}
	case client.EventPresence:
		switch e.Presence {
		case "join":
			ty.joins[e.User.Client] = true
			delete(ty.leaves, e.User.Client)
		case "leave":
			ty.leaves[e.User.Client] = true
		}
	}
}

// counts returns how many edits were made and acknowledged, and how often
// the connection dropped and was resumed.
func (ty *typist) counts() (edits, ackedEdits, disconnects, resumes int) {
	ty.mu.Lock()
	defer ty.mu.Unlock()
	return ty.edits, ty.ackedEdits, ty.disconnects, ty.resumes
}

// errorCount returns how many error messages with code the server sent.
func (ty *typist) errorCount(code string) int {
	ty.mu.Lock()
	defer ty.mu.Unlock()
	return ty.errors[code]
}

// saw reports whether the typist has seen the typist labelled id join
// (and not leave) or leave, by presence.
func (ty *typist) saw(id string) (joined, left bool) {
	ty.mu.Lock()
	defer ty.mu.Unlock()
	public := protocol.PublicID(protocol.DomainClient, secretOf(id))
	return ty.joins[public], ty.leaves[public]
}

// alphabet has ASCII, a combining-free Latin letter, CJK and astral
// characters, so positions in code points are exercised end to end.
var alphabet = []string{"a", "b", "c", "d", " ", "\n", "é", "中", "😀", "𝄞"}

// randomEdit returns an insert of 1 to 3 characters or a delete of 1 to 3
// at a random place of doc.
func (ty *typist) randomEdit(doc *collab.Doc) (collab.Op, error) {
	n := doc.Len()
	pos := ty.rng.IntN(n + 1)
	if pos < n && ty.rng.IntN(10) < 3 {
		return collab.Normalize(collab.NewOp(collab.Skip(pos), collab.Delete(1+ty.rng.IntN(min(3, n-pos))))), nil
	}
	var b strings.Builder
	for range 1 + ty.rng.IntN(3) {
		b.WriteString(alphabet[ty.rng.IntN(len(alphabet))])
	}
	return collab.Normalize(collab.NewOp(collab.Skip(pos), collab.Insert(b.String()))), nil
}

// typeOne makes one random edit.
func (ty *typist) typeOne() error {
	if err := ty.c.EditFunc(ty.randomEdit); err != nil {
		return fmt.Errorf("typist %s: %w", ty.id, err)
	}
	ty.mu.Lock()
	ty.edits++
	ty.mu.Unlock()
	return nil
}

// crowd is typists typing concurrently into a pad until stopped.
type crowd struct {
	redisURL, pad string
	typists       []*typist
	stop          chan struct{}
	wg            sync.WaitGroup
	errs          chan error
}

// startTyping makes every typist edit every 5 to 25 ms until stopAndSync.
// redisURL and pad are for failure messages.
func startTyping(redisURL, pad string, typists []*typist) *crowd {
	cr := &crowd{redisURL: redisURL, pad: pad, typists: typists, stop: make(chan struct{}), errs: make(chan error, len(typists))}
	for _, ty := range typists {
		cr.wg.Go(func() {
			for {
				select {
				case <-cr.stop:
					return
				case <-time.After(time.Duration(5+ty.rng.IntN(20)) * time.Millisecond):
				}
				if err := ty.typeOne(); err != nil {
					cr.errs <- err
					return
				}
			}
		})
	}
	return cr
}

// waitAcked waits until every typist has at least n more acknowledged
// edits than when called.
func (cr *crowd) waitAcked(t *testing.T, n int) {
	t.Helper()
	base := make([]int, len(cr.typists))
	for i, ty := range cr.typists {
		_, base[i], _, _ = ty.counts()
	}
	deadline := time.Now().Add(waitLimit)
	for i := 0; i < len(cr.typists); {
		ty := cr.typists[i]
		if _, acked, _, _ := ty.counts(); acked >= base[i]+n {
			i++
			continue
		}
		if time.Now().After(deadline) {
			for j, ty := range cr.typists {
				ty.mu.Lock()
				t.Logf("typist %s (home %d): %d acknowledged edits, wanted %d; %d pending, at revision %d, %d disconnects, errors %v",
					ty.id, ty.home, ty.ackedEdits, base[j]+n, ty.c.Pending(), ty.c.Rev(), ty.disconnects, ty.errors)
				if ty.ackedEdits < base[j]+n {
					t.Logf("typist %s: last events:\n  %s\n%s", ty.id, strings.Join(ty.recent, "\n  "), cr.logOf(ty.c.ID()))
				}
				ty.mu.Unlock()
			}
			t.Fatalf("typist %s: not %d more acknowledged edits after %v", ty.id, n, waitLimit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// logOf describes the last records of client (a public id) in the pad's log in Redis.
func (cr *crowd) logOf(client string) string {
	if cr.pad == "" {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rs, err := redisstore.Open(ctx, cr.redisURL, redisstore.Options{})
	if err != nil {
		return err.Error()
	}
	defer rs.Close()
	recs, err := rs.Records(ctx, cr.pad, 0, -1)
	if err != nil {
		return err.Error()
	}
	var mine []string
	for _, r := range recs {
		if r.Client == client {
			mine = append(mine, fmt.Sprintf("rev %d seq %d at %s", r.Rev, r.Seq, r.Time.Format("15:04:05.000")))
		}
	}
	if len(mine) > 5 {
		mine = mine[len(mine)-5:]
	}
	return fmt.Sprintf("  log head %d; its last records: %s", len(recs), strings.Join(mine, ", "))
}

// stopAndSync stops typing and waits until every edit is acknowledged.
func (cr *crowd) stopAndSync(t *testing.T) {
	t.Helper()
	close(cr.stop)
	cr.wg.Wait()
	close(cr.errs)
	for err := range cr.errs {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	for _, ty := range cr.typists {
		if err := ty.c.WaitSynced(ctx); err != nil {
			t.Fatalf("typist %s: %d edits still unacknowledged: %v", ty.id, ty.c.Pending(), err)
		}
	}
}

// checkConverged checks, once typing has stopped and synced, that every
// typist of pad holds the pad's text as Redis has it (the log replayed),
// and that the log holds every acknowledged op exactly once and in order:
// each ack's revision is that client's (client, seq) in the log, no
// (client, seq) is in the log twice, a client's ops follow its seq order,
// and the acks carry every edit the typist made.
func checkConverged(t *testing.T, redisURL, pad string, typists []*typist) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	rs, err := redisstore.Open(ctx, redisURL, redisstore.Options{ClientName: "replicatest-check"})
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	checkLog(t, rs, pad, typists)
}

// recordLog is what checkLog reads: a store's records of a pad.
type recordLog interface {
	Records(ctx context.Context, pad string, from, to int) ([]collab.Record, error)
}

// checkLog is checkConverged against any store's log of pad.
func checkLog(t *testing.T, store recordLog, pad string, typists []*typist) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	log, err := store.Records(ctx, pad, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	head := len(log)
	doc := collab.NewDoc("")
	type key struct {
		client string
		seq    int
	}
	at := make(map[key]int, head)
	lastSeq := map[string]int{} // each client's ops must be in seq order
	for i, r := range log {
		if r.Rev != i+1 {
			t.Fatalf("log element %d has revision %d", i, r.Rev)
		}
		if err := doc.Apply(r.Op); err != nil {
			t.Fatalf("log revision %d does not apply: %v", r.Rev, err)
		}
		if r.Seq <= lastSeq[r.Client] {
			t.Fatalf("client %s seq %d at revision %d comes after its seq %d: out of order", r.Client, r.Seq, r.Rev, lastSeq[r.Client])
		}
		lastSeq[r.Client] = r.Seq
		k := key{r.Client, r.Seq}
		if prev, dup := at[k]; dup {
			t.Fatalf("client %s seq %d is in the log twice: revisions %d and %d", r.Client, r.Seq, prev, r.Rev)
		}
		at[k] = r.Rev
	}
	text := doc.String()
	for _, ty := range typists {
		testutil.Eventually(t, fmt.Sprintf("typist %s at revision %d", ty.id, head), func() bool { return ty.c.Rev() >= head })
		if got := ty.c.Text(); got != text {
			t.Errorf("typist %s text (%d code points) differs from Redis's (%d)", ty.id, len([]rune(got)), doc.Len())
		}
		ty.mu.Lock()
		for seq, rev := range ty.acks {
			if at[key{ty.c.ID(), seq}] != rev {
				t.Errorf("typist %s seq %d acknowledged as revision %d, log has it at %d", ty.id, seq, rev, at[key{ty.c.ID(), seq}])
			}
		}
		inLog := 0
		for k := range at {
			if k.client == ty.c.ID() {
				inLog++
			}
		}
		if inLog != len(ty.acks) {
			t.Errorf("typist %s: %d ops in the log, %d acknowledged", ty.id, inLog, len(ty.acks))
		}
		if ty.ackedEdits != ty.edits {
			t.Errorf("typist %s made %d edits, acks carry %d", ty.id, ty.edits, ty.ackedEdits)
		}
		ty.mu.Unlock()
	}
	if head == 0 {
		t.Fatal("nothing was typed")
	}
	t.Logf("pad %s: %d typists converged at revision %d, %d code points", pad, len(typists), head, doc.Len())
}

// spreadTypists joins n typists to pad, typist i dialing replica i%len
// first (with failover to the others).
func spreadTypists(t *testing.T, top *topology, pad string, n int, seed uint64) []*typist {
	t.Helper()
	ports := top.ports()
	typists := make([]*typist, n)
	for i := range typists {
		home := i % len(ports)
		typists[i] = newTypist(t, "ws://confpad.test/pads/"+pad+"/ws", failoverHTTPClient(ports, home),
			fmt.Sprintf("typist-%02d", i), home, seed+uint64(i))
	}
	return typists
}
