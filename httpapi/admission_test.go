package httpapi

import (
	"testing"
	"time"
)

func TestAdmissionReserve(t *testing.T) {
	t0 := time.Unix(1000, 0)
	a := newAdmission(10, 3) // one join per 100 ms, three at once
	steps := []struct {
		at   time.Duration // arrival after t0
		want time.Duration // admitted after t0
	}{
		{0, 0}, {0, 0}, {0, 0}, // the burst
		{0, 100 * time.Millisecond}, // then one per interval
		{0, 200 * time.Millisecond},
		{50 * time.Millisecond, 300 * time.Millisecond},
		// After a quiet second the burst is available again.
		{1500 * time.Millisecond, 1500 * time.Millisecond},
		{1500 * time.Millisecond, 1500 * time.Millisecond},
		{1500 * time.Millisecond, 1500 * time.Millisecond},
		{1500 * time.Millisecond, 1600 * time.Millisecond},
	}
	for i, s := range steps {
		if got := a.reserve(t0.Add(s.at)).Sub(t0); got != s.want {
			t.Errorf("join %d arriving at %v: admitted at %v, want %v", i, s.at, got, s.want)
		}
	}
}
