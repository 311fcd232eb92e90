package replicatest

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/confpad/confpad/internal/testutil"

	"github.com/confpad/confpad/store/redisstore/redistest"
)

const (
	replicas = 3
	typists  = 12
)

// seed makes each run's edits different; it is logged so that a failing
// run can be reasoned about.
func seed(t *testing.T) uint64 {
	s := uint64(time.Now().UnixNano())
	t.Logf("seed %d", s)
	return s
}

// padOnReplicas starts Redis and three replicas, creates pad, and joins
// twelve typists to it, spread over the replicas.
func padOnReplicas(t *testing.T, pad string) (*redistest.Server, *topology, []*typist) {
	t.Helper()
	srv := redistest.Start(t)
	top := startTopology(t, srv.URL(), replicas)
	top.createPad(t, pad)
	return srv, top, spreadTypists(t, top, pad, typists, seed(t))
}

// TestConvergence: three replicas, twelve typists spread over them, random
// concurrent edits on one pad; all converge on the text in Redis, and no
// op is lost or doubled.
func TestConvergence(t *testing.T) {
	srv, _, tys := padOnReplicas(t, "converge")
	cr := startTyping(srv.URL(), "converge", tys)
	cr.waitAcked(t, 25)
	cr.stopAndSync(t)
	checkConverged(t, srv.URL(), "converge", tys)
}

// TestReplicaKilled: a replica is killed with SIGKILL while its typists
// type; they reconnect to another replica, resend, and converge, with
// every acknowledged op in the log exactly once. A user of the dead
// replica who does not come back disappears from the others' presence
// within seconds (three missed heartbeats).
func TestReplicaKilled(t *testing.T) {
	srv, top, tys := padOnReplicas(t, "kill")
	// A reader on replica 0 only (no failover, no reconnect), to watch
	// from replica 1 whether it is dropped when replica 0 dies.
	lurker := newTypist(t, "ws://confpad.test/pads/kill/ws", failoverHTTPClient(top.ports()[:1], 0), "lurker", 0, 1)
	// A reader is only counted; pointing a cursor lists the lurker.
	if err := lurker.c.SetCursor(0, 0); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, "the lurker in presence on replica 1", func() bool {
		joined, _ := tys[1].saw("lurker")
		return joined
	})

	cr := startTyping(srv.URL(), "kill", tys)
	cr.waitAcked(t, 10)
	top.replicas[0].kill()
	killed := time.Now()
	cr.waitAcked(t, 10)
	cr.stopAndSync(t)
	checkConverged(t, srv.URL(), "kill", tys)

	for _, ty := range tys {
		_, _, disconnects, resumes := ty.counts()
		if ty.home == 0 && (disconnects == 0 || resumes == 0) {
			t.Errorf("typist %s of the killed replica: %d disconnects, %d resumes", ty.id, disconnects, resumes)
		}
	}
	testutil.Eventually(t, "the dead replica's lurker to leave presence on replica 1", func() bool {
		_, left := tys[1].saw("lurker")
		return left
	})
	t.Logf("lurker dropped from presence %v after the kill", time.Since(killed).Round(100*time.Millisecond))
	_ = lurker
}

// TestSubscriptionKilled: a replica's Redis subscription connection is cut
// (CLIENT KILL) again and again while everyone types; the replica detects
// the gap and reads it from the log. Its reader, who never types, ends on
// the final text although some ops were published while the replica was
// not subscribed.
func TestSubscriptionKilled(t *testing.T) {
	srv, top, tys := padOnReplicas(t, "cut")
	reader := newTypist(t, "ws://confpad.test/pads/cut/ws", failoverHTTPClient(top.ports()[1:2], 0), "reader", 1, 2)

	cr := startTyping(srv.URL(), "cut", tys)
	cr.waitAcked(t, 5)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	victim := top.replicas[1]
	for range 5 {
		id := srv.ShardSubscriber(t, redisName(victim.pid()))
		if _, err := srv.Do(ctx, "CLIENT", "KILL", "ID", id); err != nil {
			t.Fatalf("CLIENT KILL: %v", err)
		}
		cr.waitAcked(t, 2)
	}
	cr.stopAndSync(t)
	checkConverged(t, srv.URL(), "cut", append(tys, reader))
	if _, _, disconnects, _ := reader.counts(); disconnects != 0 {
		t.Errorf("the reader's websocket dropped %d times; only Redis's connection was cut", disconnects)
	}
}

// TestRedisRestart: Redis is killed and started again on its AOF while
// everyone types. Meanwhile every replica reports not ready (/readyz 503)
// and refuses ops as unavailable; then all recover by themselves and no
// acknowledged op is lost.
func TestRedisRestart(t *testing.T) {
	srv, top, tys := padOnReplicas(t, "restart")
	cr := startTyping(srv.URL(), "restart", tys)
	cr.waitAcked(t, 10)

	srv.Stop()
	for _, r := range top.replicas {
		testutil.Eventually(t, fmt.Sprintf("replica %d to report not ready", r.n), func() bool {
			return r.readyStatus() == http.StatusServiceUnavailable
		})
	}
	testutil.Eventually(t, "an op refused as unavailable", func() bool {
		for _, ty := range tys {
			if ty.errorCount("unavailable") > 0 {
				return true
			}
		}
		return false
	})
	if err := srv.StartAgain(); err != nil {
		t.Fatal(err)
	}
	for _, r := range top.replicas {
		r.waitReady(t)
	}
	cr.waitAcked(t, 10)
	cr.stopAndSync(t)
	checkConverged(t, srv.URL(), "restart", tys)
}

// TestRollingRestart: each replica in turn is stopped gracefully (SIGTERM)
// and started again while everyone types; nothing is lost.
func TestRollingRestart(t *testing.T) {
	srv, top, tys := padOnReplicas(t, "rolling")
	cr := startTyping(srv.URL(), "rolling", tys)
	cr.waitAcked(t, 5)
	for _, r := range top.replicas {
		r.stop()
		cr.waitAcked(t, 3) // typing goes on through the other two
		r.start(t)
		r.waitReady(t)
		cr.waitAcked(t, 3)
	}
	cr.stopAndSync(t)
	checkConverged(t, srv.URL(), "rolling", tys)
	for _, ty := range tys {
		if _, _, disconnects, _ := ty.counts(); disconnects == 0 {
			t.Errorf("typist %s was never disconnected by the rolling restart", ty.id)
		}
	}
}

// TestClusterConvergence: the convergence test on a three-master Redis
// Cluster, with three pads whose keys live on three different shards and
// typists on every replica in every pad.
func TestClusterConvergence(t *testing.T) {
	rc := redistest.StartCluster(t, 3)
	top := startTopology(t, rc.URL(), replicas)
	var pads []string
	shards := map[string]bool{}
	for i := 0; len(pads) < 3; i++ {
		pad := fmt.Sprintf("shard-%d", i)
		node := rc.NodeFor(t, "confpad:{"+pad+"}:log").Addr
		if !shards[node] {
			shards[node] = true
			pads = append(pads, pad)
			top.createPad(t, pad)
		}
		if i > 200 {
			t.Fatal("no three pads on three shards among 200")
		}
	}
	s := seed(t)
	ports := top.ports()
	byPad := map[string][]*typist{}
	var all []*typist
	for i := range typists {
		pad, home := pads[i%len(pads)], (i/len(pads))%len(ports)
		ty := newTypist(t, "ws://confpad.test/pads/"+pad+"/ws", failoverHTTPClient(ports, home),
			fmt.Sprintf("typist-%02d", i), home, s+uint64(i))
		byPad[pad] = append(byPad[pad], ty)
		all = append(all, ty)
	}
	cr := startTyping(rc.URL(), "", all) // several pads: no single log to show
	cr.waitAcked(t, 20)
	cr.stopAndSync(t)
	for _, pad := range pads {
		checkConverged(t, rc.URL(), pad, byPad[pad])
	}
}
