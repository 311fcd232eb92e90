// Package replicatest tests confpad's cluster mode with real processes:
// redis-server (one, or a three-master Redis Cluster), confpad replicas
// built from ./cmd/confpad with `go build`, nginx from scripts/replicas.sh,
// and websocket clients (package client) typing into them while the tests
// kill replicas, cut subscriptions and restart Redis.
//
// Without redis-server or nginx the tests skip, unless
// CONFPAD_REQUIRE_REDIS=1 (make test) makes that a failure.
package replicatest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// confpadBin is the confpad binary built once for the whole package.
var confpadBin string

// repoRoot is the repository's root directory.
var repoRoot = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}()

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "confpad-replicatest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	confpadBin = filepath.Join(dir, "confpad")
	build := exec.Command("go", "build", "-o", confpadBin, "./cmd/confpad")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build ./cmd/confpad: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}
