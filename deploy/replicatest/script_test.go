package replicatest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/confpad/confpad/store/redisstore/redistest"
)

// TestReplicasScript runs scripts/replicas.sh as a developer would: Redis,
// three replicas and nginx. Typists edit one pad through nginx; a replica
// is killed and its typists come back through nginx on the others; all
// converge. Then SIGINT (Ctrl-C) stops every process the script started.
func TestReplicasScript(t *testing.T) {
	redistest.Program(t, "bash")
	redistest.Program(t, "nginx")
	redistest.Binary(t)
	redistest.CLIBinary(t)
	ports := make([]string, 5)
	for i := range ports {
		p, err := redistest.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		ports[i] = strconv.Itoa(p)
	}
	dir := t.TempDir()
	token := "script-test-token"
	cmd := exec.Command("bash", filepath.Join(repoRoot, "scripts", "replicas.sh"))
	cmd.Env = append(os.Environ(),
		"CONFPAD_BIN="+confpadBin,
		"CONFPAD_LB_PORT="+ports[0],
		"CONFPAD_REDIS_PORT="+ports[1],
		"CONFPAD_REPLICA_PORTS="+strings.Join(ports[2:], " "),
		"CONFPAD_REPLICAS_DIR="+dir,
		"CONFPAD_ADMIN_TOKEN="+token,
	)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// If this test process dies, the script still stops what it started.
	redistest.DieWithParent(cmd, syscall.SIGTERM)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if url, ok := strings.CutPrefix(sc.Text(), "READY "); ok {
				ready <- url
			}
		}
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // whatever is left of the group
		if t.Failed() {
			t.Logf("replicas.sh stderr:\n%s", stderr.String())
		}
	})

	var base string
	select {
	case base = <-ready:
	case err := <-exited:
		t.Fatalf("replicas.sh exited before READY: %v\n%s", err, stderr.String())
	case <-time.After(waitLimit):
		t.Fatalf("replicas.sh not READY after %v\n%s", waitLimit, stderr.String())
	}
	if want := "http://127.0.0.1:" + ports[0]; base != want {
		t.Fatalf("READY %s, want %s", base, want)
	}
	createPadAt(t, base, token, "through-nginx")

	s := seed(t)
	wsURL := "ws" + strings.TrimPrefix(base, "http") + "/pads/through-nginx/ws"
	var tys []*typist
	for i := range 6 {
		tys = append(tys, newTypist(t, wsURL, nil, fmt.Sprintf("nginx-typist-%d", i), -1, s+uint64(i)))
	}
	cr := startTyping("redis://127.0.0.1:"+ports[1]+"/0", "through-nginx", tys)
	cr.waitAcked(t, 5)
	pid := readPid(t, filepath.Join(dir, "confpad-2.pid"))
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cr.waitAcked(t, 5)
	cr.stopAndSync(t)
	checkConverged(t, "redis://127.0.0.1:"+ports[1]+"/0", "through-nginx", tys)
	disconnects := 0
	for _, ty := range tys {
		_, _, d, _ := ty.counts()
		disconnects += d
	}
	if disconnects == 0 {
		t.Error("no typist was connected to the killed replica (nginx round robin should have put two there)")
	}

	// Ctrl-C: the script stops Redis, the replicas and nginx, and exits.
	pids := []int{readPid(t, filepath.Join(dir, "redis.pid")), readPid(t, filepath.Join(dir, "nginx.pid")),
		readPid(t, filepath.Join(dir, "confpad-1.pid")), readPid(t, filepath.Join(dir, "confpad-3.pid"))}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(waitLimit):
		t.Fatalf("replicas.sh still running %v after SIGINT", waitLimit)
	}
	for _, pid := range pids {
		if syscall.Kill(pid, 0) == nil {
			t.Errorf("process %d still runs after the script stopped", pid)
		}
	}
	for _, port := range ports {
		if conn, err := net.DialTimeout("tcp", "127.0.0.1:"+port, time.Second); err == nil {
			conn.Close()
			t.Errorf("port %s still accepts connections after the script stopped", port)
		}
	}
}

// createPadAt creates a session through the admin API at base.
func createPadAt(t *testing.T, base, token, id string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/pads",
		strings.NewReader(fmt.Sprintf(`{"id":%q,"title":"Through nginx"}`, id)))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("create pad %s: %v", id, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create pad %s: status %d", id, resp.StatusCode)
	}
}

// readPid reads a pid file the script wrote.
func readPid(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("pid file %s: %v", path, err)
	}
	return pid
}
