// Package redistest starts real redis-server processes for tests: a single
// server with AOF on a free 127.0.0.1 port and a temporary directory, or a
// three-master Redis Cluster on loopback ports.
//
// When redis-server is not installed the tests that need it are skipped,
// unless the environment sets CONFPAD_REQUIRE_REDIS=1 (as `make test` does),
// in which case they fail: in CI a missing Redis must not pass silently.
// Under go test -short (make check) they are skipped too, unless
// CONFPAD_REQUIRE_REDIS=1, so that the quick check starts no service.
package redistest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// RequireEnv is the environment variable that turns a missing redis-server
// from a skip into a failure.
const RequireEnv = "CONFPAD_REQUIRE_REDIS"

// startTimeout bounds how long a server may take to accept connections.
const startTimeout = 15 * time.Second

// Binary returns the path of redis-server, or skips (or fails, when
// CONFPAD_REQUIRE_REDIS=1) the test when it is not installed.
func Binary(t testing.TB) string {
	t.Helper()
	return Program(t, "redis-server")
}

// CLIBinary returns the path of redis-cli, with the same skip rule as Binary.
func CLIBinary(t testing.TB) string {
	t.Helper()
	return Program(t, "redis-cli")
}

// Program returns the path of a program a test needs besides Redis (nginx,
// bash) found in PATH, with the same skip rule as Binary: a skip, or a
// failure when CONFPAD_REQUIRE_REDIS=1. Under -short it skips without
// looking, unless CONFPAD_REQUIRE_REDIS=1.
func Program(t testing.TB, name string) string {
	t.Helper()
	if testing.Short() && os.Getenv(RequireEnv) != "1" {
		t.Skipf("-short: the tests that need %s are skipped", name)
	}
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("%s is required (%s=1) but not found: %v", name, RequireEnv, err)
	}
	t.Skipf("%s not installed; set %s=1 to make this a failure", name, RequireEnv)
	return ""
}

// Server is one redis-server process owned by a test. Its data directory and
// port survive Restart, so a restarted server reloads its AOF.
type Server struct {
	// Addr is host:port of the server (always on 127.0.0.1).
	Addr string
	// Dir is the server's working directory (AOF and logs).
	Dir string

	bin   string
	extra []string
	mu    sync.Mutex
	cmd   *exec.Cmd
	done  chan struct{}
}

// Start starts a redis-server with AOF (appendonly yes, appendfsync always so
// that a restart in a test never loses an acknowledged write) on a free
// loopback port, and stops it when the test ends. extra arguments are passed
// to redis-server (for example "--cluster-enabled", "yes").
func Start(t testing.TB, extra ...string) *Server {
	t.Helper()
	s := &Server{bin: Binary(t), Dir: t.TempDir(), extra: extra}
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		var port int
		if port, err = FreePort(); err != nil {
			continue
		}
		s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if err = s.start(); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	t.Cleanup(s.Stop)
	return s
}

// URL returns the redis:// URL of database 0 on this server.
func (s *Server) URL() string { return "redis://" + s.Addr + "/0" }

func (s *Server) start() error {
	_, port, _ := net.SplitHostPort(s.Addr)
	args := append([]string{
		"--bind", "127.0.0.1",
		"--port", port,
		"--dir", s.Dir,
		"--appendonly", "yes",
		"--appendfsync", "always",
		"--save", "",
		"--protected-mode", "no",
		"--logfile", "redis.log",
	}, s.extra...)
	cmd := exec.Command(s.bin, args...)
	cmd.Dir = s.Dir
	DieWithParent(cmd, syscall.SIGKILL)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("exec %s: %w", s.bin, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()
	if err := waitReady(s.Addr, cmd.Process.Pid, done, startTimeout); err != nil {
		s.Stop()
		return fmt.Errorf("redis-server on %s: %w (log: %s)", s.Addr, err, s.logTail())
	}
	return nil
}

// Stop kills the server (SIGKILL) and waits for it to exit. Stop on a
// stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	select {
	case <-done:
	case <-time.After(startTimeout):
	}
}

// Restart kills the server and starts it again on the same port and
// directory; with AOF it comes back with every acknowledged write.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop()
	if err := s.StartAgain(); err != nil {
		t.Fatalf("restart redis-server: %v", err)
	}
}

// StartAgain starts a stopped server on its old port and directory.
func (s *Server) StartAgain() error {
	var err error
	for attempt := 0; attempt < 20; attempt++ {
		if err = s.start(); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond) // the old socket may linger briefly
	}
	return err
}

func (s *Server) logTail() string {
	b, err := os.ReadFile(filepath.Join(s.Dir, "redis.log"))
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return strings.Join(lines, " | ")
}

// Do sends one command to the server over a fresh connection and returns
// the reply as text (RESP parsed loosely: simple strings, errors, integers,
// bulk strings and flat arrays). It is for test setup and fault injection
// (CLIENT KILL, DEBUG), not for the code under test.
func (s *Server) Do(ctx context.Context, args ...string) (string, error) {
	return Do(ctx, s.Addr, args...)
}

// Do sends one command to the Redis server at addr; see Server.Do.
func Do(ctx context.Context, addr string, args ...string) (string, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return "", fmt.Errorf("dial %s: %w", addr, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	} else {
		_ = conn.SetDeadline(time.Now().Add(startTimeout))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := conn.Write([]byte(b.String())); err != nil {
		return "", fmt.Errorf("write to %s: %w", addr, err)
	}
	return readReply(bufio.NewReader(conn))
}

// subscriberTimeout bounds ShardSubscriber's wait.
const subscriberTimeout = 30 * time.Second

// ShardSubscriber waits until the server has a connection named name
// (CLIENT SETNAME) that holds shard-channel subscriptions and returns its
// CLIENT LIST id; it fails the test after 30 s. It is how tests find a
// Store's subscription connection to cut it with CLIENT KILL.
func (s *Server) ShardSubscriber(t testing.TB, name string) string {
	t.Helper()
	deadline := time.Now().Add(subscriberTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		list, err := s.Do(ctx, "CLIENT", "LIST")
		cancel()
		if err == nil {
			if id := shardSubscriber(list, name); id != "" {
				return id
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no connection named %s with shard subscriptions on %s after %v (last error: %v)", name, s.Addr, subscriberTimeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// shardSubscriber returns the id of the connection named name with shard
// subscriptions in a CLIENT LIST reply, or "".
func shardSubscriber(list, name string) string {
	for _, line := range strings.Split(list, "\n") {
		fields := make(map[string]string)
		for _, kv := range strings.Fields(line) {
			k, v, _ := strings.Cut(kv, "=")
			fields[k] = v
		}
		if fields["name"] == name && fields["ssub"] != "" && fields["ssub"] != "0" {
			return fields["id"]
		}
	}
	return ""
}

func readReply(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("read reply: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("empty reply")
	}
	switch line[0] {
	case '+', ':':
		return line[1:], nil
	case '-':
		return "", errors.New(line[1:])
	case '$':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return "", err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	case '*':
		n, err := strconv.Atoi(line[1:])
		if err != nil {
			return "", err
		}
		parts := make([]string, 0, max(n, 0))
		for i := 0; i < n; i++ {
			p, err := readReply(r)
			if err != nil {
				return "", err
			}
			parts = append(parts, p)
		}
		return strings.Join(parts, "\n"), nil
	}
	return "", fmt.Errorf("unexpected reply %q", line)
}

// waitReady polls addr until the redis-server with process id pid answers
// there, the process exits (exited is closed) or the timeout passes. The
// process id is checked because until the server listens, another test's
// server may have taken the port and answer in its place.
func waitReady(addr string, pid int, exited <-chan struct{}, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	want := "process_id:" + strconv.Itoa(pid)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		info, err := Do(ctx, addr, "INFO", "server")
		cancel()
		if err == nil && slices.Contains(strings.Split(info, "\r\n"), want) {
			return nil
		}
		select {
		case <-exited:
			return errors.New("process exited")
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %v: %v", timeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func portFree(port int) (bool, error) {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false, nil
	}
	return true, l.Close()
}
