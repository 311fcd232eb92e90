package replicatest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/confpad/confpad/store/redisstore/redistest"
)

// waitLimit bounds every wait in these tests.
const waitLimit = 60 * time.Second

// replica is one confpad process in cluster mode on a fixed loopback port;
// it can be killed and started again on the same port.
type replica struct {
	n        int
	port     int
	redisURL string
	token    string
	logPath  string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// topology is a set of replicas sharing one Redis (or Redis Cluster).
type topology struct {
	t        testing.TB
	redisURL string
	token    string
	replicas []*replica
}

// startTopology starts n replicas on redisURL and waits until each is
// ready. Their logs are printed if the test fails.
func startTopology(t *testing.T, redisURL string, n int) *topology {
	t.Helper()
	top := &topology{t: t, redisURL: redisURL, token: uuid.NewString()}
	dir := t.TempDir()
	for i := range n {
		port, err := redistest.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		r := &replica{n: i, port: port, redisURL: redisURL, token: top.token,
			logPath: filepath.Join(dir, fmt.Sprintf("confpad-%d.log", i))}
		top.replicas = append(top.replicas, r)
		r.start(t)
	}
	t.Cleanup(func() {
		for _, r := range top.replicas {
			r.kill()
		}
		if t.Failed() {
			for _, r := range top.replicas {
				r.dumpLog(t)
			}
		}
	})
	for _, r := range top.replicas {
		r.waitReady(t)
	}
	return top
}

// start runs the replica's process (appending to its log).
func (r *replica) start(t testing.TB) {
	t.Helper()
	logf, err := os.OpenFile(r.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(confpadBin, "serve",
		"--addr", "127.0.0.1:"+strconv.Itoa(r.port),
		"--redis", r.redisURL,
		"--admin-token", r.token,
		"--log-level", "info")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("start replica %d: %v", r.n, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(done) }()
	r.mu.Lock()
	r.cmd, r.done = cmd, done
	r.mu.Unlock()
}

// pid returns the process id of the running process.
func (r *replica) pid() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cmd.Process.Pid
}

// kill sends SIGKILL and waits for the process to be gone.
func (r *replica) kill() { r.signal(syscall.SIGKILL) }

// stop sends SIGTERM (graceful drain) and waits for the process to exit.
func (r *replica) stop() { r.signal(syscall.SIGTERM) }

func (r *replica) signal(sig syscall.Signal) {
	r.mu.Lock()
	cmd, done := r.cmd, r.done
	r.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(waitLimit):
		_ = cmd.Process.Kill()
		<-done
	}
}

// url returns the replica's base URL.
func (r *replica) url() string { return "http://127.0.0.1:" + strconv.Itoa(r.port) }

// readyStatus returns the status of GET /readyz, or 0 if it cannot connect.
func (r *replica) readyStatus() int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, r.url()+"/readyz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// waitReady waits until /readyz answers 200.
func (r *replica) waitReady(t testing.TB) {
	t.Helper()
	waitUntil(t, fmt.Sprintf("replica %d ready", r.n), func() bool { return r.readyStatus() == http.StatusOK })
}

// dumpLog writes the tail of the replica's log to the test log.
func (r *replica) dumpLog(t testing.TB) {
	b, err := os.ReadFile(r.logPath)
	if err != nil {
		return
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	t.Logf("replica %d log (last %d lines):\n%s", r.n, len(lines), strings.Join(lines, "\n"))
}

// ports returns the replicas' ports, in order.
func (top *topology) ports() []int {
	ports := make([]int, len(top.replicas))
	for i, r := range top.replicas {
		ports[i] = r.port
	}
	return ports
}

// createPad creates a session through replica 0's admin API.
func (top *topology) createPad(t *testing.T, id string) {
	t.Helper()
	createPadAt(t, top.replicas[0].url(), top.token, id)
}

// failoverHTTPClient dials the replica at home first and, while that one
// refuses connections, the next ones in turn: what a load balancer does
// for the clients of a dead replica, without one.
func failoverHTTPClient(ports []int, home int) *http.Client {
	var d net.Dialer
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var firstErr error
			for i := range ports {
				addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[(home+i)%len(ports)]))
				dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
				conn, err := d.DialContext(dctx, network, addr)
				cancel()
				if err == nil {
					return conn, nil
				}
				if firstErr == nil {
					firstErr = err
				}
			}
			return nil, firstErr
		},
		DisableKeepAlives: true,
	}}
}

// subscriptionConn returns the CLIENT LIST id of the replica's connection
// that holds shard-channel subscriptions, found by the connection name
// confpad gives its Redis connections (confpad-<host>-<pid>).
func subscriptionConn(t testing.TB, addr string, pid int) string {
	t.Helper()
	host, _ := os.Hostname()
	name := fmt.Sprintf("confpad-%s-%d", host, pid)
	var id string
	waitUntil(t, "the replica's subscription connection", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		list, err := redistest.Do(ctx, addr, "CLIENT", "LIST")
		if err != nil {
			return false
		}
		for _, line := range strings.Split(list, "\n") {
			f := map[string]string{}
			for _, kv := range strings.Fields(line) {
				k, v, _ := strings.Cut(kv, "=")
				f[k] = v
			}
			if f["name"] == name && f["ssub"] != "" && f["ssub"] != "0" {
				id = f["id"]
				return true
			}
		}
		return false
	})
	return id
}

// waitUntil polls cond every 20 ms until it holds, failing the test after
// waitLimit.
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", waitLimit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
