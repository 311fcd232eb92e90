// Package testutil holds what confpad's tests share: for now, waiting
// until something holds.
package testutil

import (
	"testing"
	"time"
)

const (
	// Timeout is how long Eventually waits before it fails the test: long
	// enough for the slowest wait (replicas restarting on a loaded CI
	// machine), since a passing test never waits for it.
	Timeout = 60 * time.Second
	// pollInterval is the pause between two checks of the condition.
	pollInterval = 10 * time.Millisecond
)

// Eventually checks cond until it holds, every pollInterval, and fails t
// with "timed out waiting for <what>" if it still does not after Timeout.
// Call it from the test's goroutine (it calls t.Fatalf).
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", Timeout, what)
		}
		time.Sleep(pollInterval)
	}
}
