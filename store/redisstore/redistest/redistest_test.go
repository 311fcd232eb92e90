package redistest

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStartOnATakenPort: a server whose port another server holds does not
// pass for ready because the other one answers there.
func TestStartOnATakenPort(t *testing.T) {
	taken := Start(t)
	s := &Server{bin: Binary(t), Dir: t.TempDir(), Addr: taken.Addr}
	if err := s.start(); err == nil {
		s.Stop()
		t.Fatalf("a second redis-server started on %s, which another one holds", taken.Addr)
	}
}

// childEnv marks the test process that TestServerDiesWithTheTestProcess
// starts and kills.
const childEnv = "REDISTEST_CHILD"

// TestServerDiesWithTheTestProcess: when a test process dies without
// running its cleanups (killed by go test's -timeout, say), the
// redis-server it started goes too.
func TestServerDiesWithTheTestProcess(t *testing.T) {
	if os.Getenv(childEnv) == "1" {
		s := Start(t)
		fmt.Printf("PID %d\n", s.cmd.Process.Pid)
		time.Sleep(time.Minute) // until killed; bounded all the same
		return
	}
	if runtime.GOOS != "linux" {
		// DieWithParent does nothing there, and alive, which reads /proc,
		// would report the server gone whatever became of it.
		t.Skip("parent-death signal and /proc are Linux only")
	}
	Binary(t)
	child := exec.Command(os.Args[0], "-test.run=^TestServerDiesWithTheTestProcess$")
	child.Env = append(os.Environ(), childEnv+"=1")
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = child.Process.Kill(); _ = child.Wait() }()
	pid := make(chan int, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if n, ok := strings.CutPrefix(sc.Text(), "PID "); ok {
				p, _ := strconv.Atoi(n)
				pid <- p
			}
		}
	}()
	var server int
	select {
	case server = <-pid:
	case <-time.After(startTimeout):
		t.Fatal("the child test started no server")
	}
	_ = child.Process.Kill()
	_ = child.Wait()
	deadline := time.Now().Add(startTimeout)
	for alive(server) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(server, syscall.SIGKILL)
			t.Fatalf("redis-server %d outlived the test process that started it", server)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// alive reports whether process pid exists and is not a zombie.
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the command name, which is in parentheses.
	_, rest, _ := strings.Cut(string(stat), ") ")
	return !strings.HasPrefix(rest, "Z")
}
