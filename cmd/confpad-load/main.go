// Command confpad-load types into one confpad pad from many websocket
// clients and measures how long each edit takes to reach every other
// client. It checks that nothing was lost and that every client ends with
// the same text, and exits non-zero if not. With --floor it measures no
// server but the floor under one: what sending as many messages to as many
// loopback connections costs a bare program. docs/load.md explains how to
// run it and read its numbers.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	exitIfFloorSender()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runMain(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// runMain runs the command and returns its exit code: 0 when the run
// passed, 1 when it failed or could not run, 2 for bad flags.
func runMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case err != nil:
		fmt.Fprintln(stderr, "confpad-load:", err)
		return 2
	}
	rep, err := runMode(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "confpad-load:", err)
		return 1
	}
	ok := rep.check()
	if cfg.JSON {
		err = rep.writeJSON(stdout)
	} else {
		err = rep.writeText(stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "confpad-load:", err)
		return 1
	}
	if !ok {
		return 1
	}
	return 0
}

// outcome is the report of a load run or of a floor run.
type outcome interface {
	check() bool
	writeText(io.Writer) error
	writeJSON(io.Writer) error
}

// runMode carries out a floor run if cfg asks for one, else a load run.
func runMode(ctx context.Context, cfg config) (outcome, error) {
	if cfg.Floor {
		rep, err := runFloor(ctx, cfg)
		return &rep, err
	}
	rep, err := run(ctx, cfg)
	return &rep, err
}
