package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// forceExitCode is the exit status after a second signal.
const forceExitCode = 2

// withSignals returns a context that is cancelled on the first SIGINT or
// SIGTERM, which makes the server drain and stop; its cause names the
// signal. A second signal writes a note to w and calls exit at once. stop
// releases the signals and cancels the context.
func withSignals(parent context.Context, w io.Writer, exit func(code int)) (ctx context.Context, stop func()) {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := onSignals(parent, sigs, func(sig os.Signal) {
		fmt.Fprintf(w, "confpad: %v again: exiting without draining\n", sig)
		exit(forceExitCode)
	})
	return ctx, func() {
		signal.Stop(sigs)
		cancel()
	}
}

// onSignals cancels the returned context, with cause "received <signal>",
// when the first signal arrives on sigs, and calls force with the second.
// cancel stops watching sigs and returns once the watcher has stopped.
func onSignals(parent context.Context, sigs <-chan os.Signal, force func(os.Signal)) (ctx context.Context, cancel func()) {
	ctx, cancelCause := context.WithCancelCause(parent)
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		select {
		case sig := <-sigs:
			cancelCause(fmt.Errorf("received %v", sig))
		case <-done:
			return
		}
		select {
		case sig := <-sigs:
			force(sig)
		case <-done:
		}
	}()
	var once sync.Once
	return ctx, func() {
		once.Do(func() { close(done) })
		<-stopped
		cancelCause(context.Canceled)
	}
}
