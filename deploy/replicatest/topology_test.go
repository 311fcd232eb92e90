package replicatest

import (
	"context"
	"errors"
	"fmt"
	"io"
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

// replica is one confpad process in cluster mode (or, with dataDir set,
// embedded mode) on a fixed loopback port; it can be killed and started
// again on the same port.
type replica struct {
	n        int
	port     int
	redisURL string
	dataDir  string
	token    string
	logPath  string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	// logFrom is the size of the log when the running process started:
	// what it wrote begins there.
	logFrom int64
}

// errPortTaken reports that a replica could not listen because another
// process took its port after FreePort had found it free.
var errPortTaken = errors.New("its port was taken by another process")

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
		r := &replica{n: i, redisURL: redisURL, token: top.token,
			logPath: filepath.Join(dir, fmt.Sprintf("confpad-%d.log", i))}
		top.replicas = append(top.replicas, r)
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
		r.startOnFreePort(t)
	}
	for _, r := range top.replicas {
		// A port found free can be taken by another test's server before
		// the replica listens on it: then start it again on another.
		err := r.awaitReady()
		for attempt := 1; errors.Is(err, errPortTaken) && attempt < 3; attempt++ {
			t.Logf("replica %d: %v; trying another port", r.n, err)
			r.startOnFreePort(t)
			err = r.awaitReady()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return top
}

// startOnFreePort picks a free loopback port for the replica and starts it.
func (r *replica) startOnFreePort(t testing.TB) {
	t.Helper()
	port, err := redistest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	r.port = port
	r.start(t)
}

// start runs the replica's process (appending to its log).
func (r *replica) start(t testing.TB) {
	t.Helper()
	logf, err := os.OpenFile(r.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	logFrom, err := logf.Seek(0, io.SeekEnd)
	if err != nil {
		logf.Close()
		t.Fatal(err)
	}
	store := []string{"--redis", r.redisURL}
	if r.dataDir != "" {
		store = []string{"--data", r.dataDir}
	}
	cmd := exec.Command(confpadBin, append([]string{"serve",
		"--addr", "127.0.0.1:" + strconv.Itoa(r.port),
		"--admin-token", r.token,
		"--log-level", "info", "--access-log", "off"}, store...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	cmd.Stdout, cmd.Stderr = logf, logf
	redistest.DieWithParent(cmd, syscall.SIGKILL)
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("start replica %d: %v", r.n, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(done) }()
	r.mu.Lock()
	r.cmd, r.done, r.logFrom = cmd, done, logFrom
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

// waitReady waits until the replica's process is ready (see awaitReady).
func (r *replica) waitReady(t testing.TB) {
	t.Helper()
	if err := r.awaitReady(); err != nil {
		t.Fatal(err)
	}
}

// awaitReady waits, at most waitLimit, until the running process answers
// /readyz with 200. A 200 counts only once the process has logged that it
// serves: before it listens, another process may answer on its port. It
// fails as soon as the process exits, with errPortTaken if it could not
// listen.
func (r *replica) awaitReady() error {
	r.mu.Lock()
	done, from := r.done, r.logFrom
	r.mu.Unlock()
	deadline := time.Now().Add(waitLimit)
	for {
		select {
		case <-done:
			if strings.Contains(r.logSince(from), "address already in use") {
				return fmt.Errorf("replica %d on port %d: %w", r.n, r.port, errPortTaken)
			}
			return fmt.Errorf("replica %d exited before it was ready; its log:\n%s", r.n, r.logSince(from))
		default:
		}
		if r.readyStatus() == http.StatusOK && strings.Contains(r.logSince(from), "confpad is serving") {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("replica %d not ready after %v", r.n, waitLimit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// logSince returns what the replica's log holds from offset from on.
func (r *replica) logSince(from int64) string {
	f, err := os.Open(r.logPath)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	b, err := io.ReadAll(io.NewSectionReader(f, from, 1<<30))
	if err != nil {
		return err.Error()
	}
	return string(b)
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

// redisName returns the name confpad gives the Redis connections of the
// process pid (confpad-<host>-<pid>), which CLIENT LIST shows.
func redisName(pid int) string {
	host, _ := os.Hostname()
	return fmt.Sprintf("confpad-%s-%d", host, pid)
}

// TestReplicaOnATakenPort: when another server took a replica's port
// before it listened, awaitReady says so instead of taking the other
// server's 200 on /readyz for the replica's.
func TestReplicaOnATakenPort(t *testing.T) {
	srv := redistest.Start(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	other := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {})}
	go func() { _ = other.Serve(ln) }()
	t.Cleanup(func() { other.Close() })

	r := &replica{port: ln.Addr().(*net.TCPAddr).Port, redisURL: srv.URL(), token: "t",
		logPath: filepath.Join(t.TempDir(), "confpad.log")}
	r.start(t)
	t.Cleanup(r.kill)
	if err := r.awaitReady(); !errors.Is(err, errPortTaken) {
		t.Fatalf("awaitReady = %v, want %v", err, errPortTaken)
	}
}
