package main

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestOnSignals(t *testing.T) {
	sigs := make(chan os.Signal, 2)
	forced := make(chan os.Signal, 1)
	ctx, cancel := onSignals(context.Background(), sigs, func(s os.Signal) { forced <- s })
	defer cancel()

	sigs <- syscall.SIGTERM
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the first signal did not cancel the context")
	}
	if got, want := context.Cause(ctx).Error(), "received terminated"; got != want {
		t.Errorf("cause = %q, want %q", got, want)
	}
	select {
	case s := <-forced:
		t.Fatalf("forced after one signal (%v)", s)
	default:
	}

	sigs <- os.Interrupt
	select {
	case s := <-forced:
		if s != os.Interrupt {
			t.Errorf("forced with %v, want interrupt", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the second signal did not force")
	}
}

func TestOnSignalsCancelStopsWatching(t *testing.T) {
	sigs := make(chan os.Signal, 2)
	ctx, cancel := onSignals(context.Background(), sigs, func(os.Signal) { t.Error("forced after cancel") })
	cancel()
	cancel() // twice is fine
	<-ctx.Done()
	sigs <- os.Interrupt
	if len(sigs) != 1 {
		t.Error("the watcher still reads signals after cancel returned")
	}
}
