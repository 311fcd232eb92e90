package client_test

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain fails the run if goroutines outlive the tests: every client's
// reader, writer and reconnect loop must end with Close. Fuzzing is left
// out: the fuzzing engine keeps a signal goroutine of its own.
func TestMain(m *testing.M) {
	before := runtime.NumGoroutine()
	code := m.Run()
	if code == 0 && flag.Lookup("test.fuzz").Value.String() == "" {
		if err := waitGoroutines(before, 5*time.Second); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

// waitGoroutines waits until at most n goroutines run, or reports the
// stacks of the extra ones.
func waitGoroutines(n int, timeout time.Duration) error {
	http.DefaultClient.CloseIdleConnections()
	deadline := time.Now().Add(timeout)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			stacks := string(buf[:runtime.Stack(buf, true)])
			return fmt.Errorf("%d goroutines leaked (%d before the tests):\n%s",
				runtime.NumGoroutine()-n, n, strings.TrimSpace(stacks))
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}
