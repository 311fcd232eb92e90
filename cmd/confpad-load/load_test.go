package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/confpad/confpad/httpapi/httpapitest"
)

// TestRun runs the tool's core for about two seconds against an
// in-process server, with clients spread over two spellings of its URL,
// on one existing pad and on two pads it creates, and checks it measured
// ops and the join, lost none, and every client ended with the server's
// text.
func TestRun(t *testing.T) {
	for _, tc := range []struct {
		name, pad, token string
		pads             int
	}{
		{"one pad", "pad", "", 1},
		{"two pads", "w", httpapitest.DefaultAdminToken, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httpapitest.Start(t, httpapitest.Options{}) // one live pad, "pad"
			base := srv.URL
			cfg := config{
				URLs:            []string{base, "ws" + strings.TrimPrefix(base, "http") + "/"},
				Pad:             tc.pad,
				Pads:            tc.pads,
				AdminToken:      tc.token,
				ConnectParallel: 4,
				Writers:         3,
				Readers:         5,
				Rate:            10,
				Warmup:          300 * time.Millisecond,
				Duration:        1700 * time.Millisecond,
				Drain:           10 * time.Second,
				PIDs:            []int{os.Getpid()}, // the server runs in this process
			}
			checkRun(t, srv, cfg)
		})
	}
}

func checkRun(t *testing.T, srv *httpapitest.Server, cfg config) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep, err := run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.check() {
		t.Fatalf("run failed: %q", rep.Problems)
	}
	if rep.Lost.Ops != 0 || rep.Unacked != 0 || rep.Texts != 1 || rep.Mismatches != 0 {
		t.Fatalf("lost %+v, unacked %d, %d texts, %d mismatches", rep.Lost, rep.Unacked, rep.Texts, rep.Mismatches)
	}
	if rep.Complete != rep.Acked || (cfg.Pads == 1 && rep.Acked != rep.FinalRev) || rep.Fanout.Count == 0 || rep.Ack.Count == 0 {
		t.Fatalf("%d ops acked, %d complete, final revision %d, %d edits and %d acks measured",
			rep.Acked, rep.Complete, rep.FinalRev, rep.Fanout.Count, rep.Ack.Count)
	}
	if rep.Fanout.P50 > rep.Fanout.P99 || rep.Fanout.P99 > rep.Fanout.Max {
		t.Fatalf("percentiles out of order: %+v", rep.Fanout)
	}
	if m := rep.Machine; m.CPU.Over <= 0 || len(m.CPU.PIDs) != 1 || m.Stall > 1 {
		t.Fatalf("machine report %+v", m)
	}
	if j := rep.Join; j.Connect <= 0 || j.ReaderBytesMax <= 0 || j.ReaderBytesMean > float64(j.ReaderBytesMax) || j.RSSJoined <= 0 {
		t.Fatalf("join report %+v", j)
	}
	if n := utf8.RuneCountInString(srv.Text(t, cfg.padNames()[0])); n != rep.FinalLen {
		t.Fatalf("server text has %d code points, clients %d", n, rep.FinalLen)
	}
	var out strings.Builder
	if err := rep.writeText(&out); err != nil || !strings.Contains(out.String(), "result: OK") {
		t.Fatalf("text report (%v):\n%s", err, out.String())
	}
}

// TestRunMain checks the command's exit codes for bad flags, help and a
// pad that does not exist.
func TestRunMain(t *testing.T) {
	base := httpapitest.Start(t, httpapitest.Options{}).URL
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"help", []string{"-h"}, 0},
		{"bad flag", []string{"--writers", "0"}, 2},
		{"stray argument", []string{"now"}, 2},
		{"unknown pad", []string{"--url", base, "--pad", "nope", "--duration", "1s"}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			if got := runMain(context.Background(), tc.args, &stdout, &stderr); got != tc.want {
				t.Fatalf("exit %d, want %d; stderr:\n%s", got, tc.want, stderr.String())
			}
		})
	}
}
