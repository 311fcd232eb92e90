package testutil

import (
	"sync/atomic"
	"testing"
)

func TestEventuallyWaitsForTheCondition(t *testing.T) {
	var checks atomic.Int32
	Eventually(t, "the third check", func() bool { return checks.Add(1) == 3 })
	if n := checks.Load(); n != 3 {
		t.Errorf("cond checked %d times, want 3 (it returns once cond holds)", n)
	}
}
