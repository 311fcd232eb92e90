package redistest

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Cluster is a Redis Cluster of masters without replicas, each a Server.
type Cluster struct {
	Nodes []*Server
}

// StartCluster starts n redis-server processes with cluster mode on (each on
// a free loopback port whose cluster bus port, +10000, is free too), joins
// them with `redis-cli --cluster create --cluster-yes`, and waits until every
// node reports cluster_state:ok. The servers stop when the test ends.
func StartCluster(t testing.TB, n int) *Cluster {
	t.Helper()
	cli := CLIBinary(t)
	c := &Cluster{}
	for i := 0; i < n; i++ {
		c.Nodes = append(c.Nodes, startClusterNode(t))
	}
	args := []string{"--cluster", "create"}
	for _, s := range c.Nodes {
		args = append(args, s.Addr)
	}
	args = append(args, "--cluster-yes")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, s := range c.Nodes {
		for {
			info, err := s.Do(ctx, "CLUSTER", "INFO")
			if err == nil && strings.Contains(info, "cluster_state:ok") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("cluster node %s not ok: %v %q", s.Addr, err, info)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return c
}

func startClusterNode(t testing.TB) *Server {
	t.Helper()
	for attempt := 0; attempt < 20; attempt++ {
		port, err := FreePort()
		if err != nil || port > 55535 {
			continue
		}
		if bus, err := portFree(port + 10000); err != nil || !bus {
			continue
		}
		s := &Server{bin: Binary(t), Dir: t.TempDir(), Addr: fmt.Sprintf("127.0.0.1:%d", port),
			extra: []string{"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
				"--cluster-node-timeout", "5000"}}
		if err := s.start(); err != nil {
			continue
		}
		t.Cleanup(s.Stop)
		return s
	}
	t.Fatal("could not start a cluster node on a free port")
	return nil
}

// URL returns the redis-cluster:// URL listing every node.
func (c *Cluster) URL() string {
	addrs := make([]string, len(c.Nodes))
	for i, s := range c.Nodes {
		addrs[i] = s.Addr
	}
	return "redis-cluster://" + strings.Join(addrs, ",")
}

// NodeFor returns the node that owns the hash slot of key: the one that
// answers a GET of it instead of redirecting with MOVED.
func (c *Cluster) NodeFor(t testing.TB, key string) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, s := range c.Nodes {
		_, err := s.Do(ctx, "GET", key)
		if err == nil || !strings.HasPrefix(err.Error(), "MOVED") {
			return s
		}
	}
	t.Fatalf("no node owns the slot of %q", key)
	return nil
}
