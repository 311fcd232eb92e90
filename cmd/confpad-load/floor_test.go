package main

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary be the floor sender too: runFloor starts
// os.Executable(), which in a test is this binary.
func TestMain(m *testing.M) {
	exitIfFloorSender()
	os.Exit(m.Run())
}

// TestFloor runs the floor mode briefly and checks the message count, that
// the sender's CPU time was read and that the sender is gone afterwards.
func TestFloor(t *testing.T) {
	cfg := config{
		URLs: []string{"http://127.0.0.1:9001"}, Pad: "unused", Pads: 1, ConnectParallel: 1, Drain: time.Second,
		// Enough sending for a few 10 ms CPU ticks, with 20 ms between one
		// writer's ticks so that a busy machine rarely makes a ticker drop
		// one.
		Writers: 8, Readers: 5, Rate: 50,
		Warmup: 200 * time.Millisecond, Duration: time.Second,
		Floor: true,
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep, err := runFloor(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	conns := cfg.Writers + cfg.Readers
	if want := 8 * 50 * conns; rep.Expected != want {
		t.Fatalf("expected %d messages, want %d", rep.Expected, want)
	}
	// Each ticker may tick once more in the window, and a tick's messages
	// may be partly received at either end of it; a busy machine makes
	// tickers drop ticks, which the report accepts down to 90 %.
	if most := rep.Expected + 2*cfg.Writers*conns; rep.Messages < rep.Expected*9/10 || rep.Messages > most {
		t.Errorf("received %d messages, want %d to %d", rep.Messages, rep.Expected*9/10, most)
	}
	if m := rep.Machine; m.CPU.Used <= 0 || m.CPU.Over <= 0 || rep.CPUPerMessage <= 0 || m.CPU.PIDs[0] != rep.SenderPID {
		t.Errorf("sender not measured: %+v, %g µs per message", m.CPU, rep.CPUPerMessage)
	}
	if err := syscall.Kill(rep.SenderPID, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("sender %d still there after the run (kill 0: %v)", rep.SenderPID, err)
	}
	var out strings.Builder
	if err := rep.writeText(&out); err != nil || !rep.check() || !strings.Contains(out.String(), "result: OK") {
		t.Fatalf("text report (%v):\n%s", err, out.String())
	}
}

// TestFloorSenderStops checks that the sender stops by itself when the
// tool closes its stdin (or dies), and when its lifetime passes.
func TestFloorSenderStops(t *testing.T) {
	never, w := io.Pipe() // a stdin that never closes
	t.Cleanup(func() { w.Close() })
	tests := []struct {
		name     string
		stdin    io.Reader
		lifetime time.Duration
		wantErr  bool
	}{
		{"stdin closed", strings.NewReader(""), time.Hour, false},
		{"lifetime passed", never, 100 * time.Millisecond, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := floorSpec{Conns: 3, Writers: 1, Rate: 10, Lifetime: tc.lifetime}
			err := runFloorSender(spec, tc.stdin, io.Discard)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
		})
	}
}

// TestFloorSenderProcessStops starts the sender process and stops it
// before anyone connects: closing its stdin must end it (stop kills it
// only after floorWait, which shows as an error).
func TestFloorSenderProcessStops(t *testing.T) {
	s, addr, err := startFloorSender(context.Background(), floorSpec{Conns: 3, Writers: 1, Rate: 10, Lifetime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Errorf("sender listens on %q, want loopback", addr)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
}
