package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// clockTicks is Linux's USER_HZ, the unit of the CPU times in
// /proc/<pid>/stat: 100 on every architecture Go supports.
const clockTicks = 100

// maxTicks bounds each CPU time read (about 21 years), so the sum stays far
// from overflowing a time.Duration.
const maxTicks = 1 << 36

// sample is one reading of the machine during a run.
type sample struct {
	at time.Time
	// servers is the CPU time of the --pid processes, tool this process's.
	servers, tool time.Duration
	// stall is the kernel's total time some runnable task waited for a
	// CPU (/proc/pressure/cpu); noStall if the kernel does not say.
	stall time.Duration
}

const noStall = -1

// takeSample reads the CPU times of pids and of this process, and the CPU
// pressure.
func takeSample(pids []int) (sample, error) {
	s := sample{at: time.Now(), stall: noStall}
	var err error
	if s.servers, err = cpuTime(pids); err != nil {
		return s, err
	}
	if s.tool, err = cpuTime([]int{os.Getpid()}); err != nil {
		return s, err
	}
	if data, err := os.ReadFile("/proc/pressure/cpu"); err == nil {
		if s.stall, err = parsePressure(data); err != nil {
			return s, fmt.Errorf("read /proc/pressure/cpu: %w", err)
		}
	}
	return s, nil
}

// machineReport is what the machine did during the measured window.
type machineReport struct {
	// CPU is the --pid servers' CPU time, ToolCPU this process's: if the
	// tool is near a core, it is the bottleneck, not the server.
	CPU     cpuReport `json:"cpu"`
	ToolCPU cpuReport `json:"tool_cpu"`
	// Stall is the share of the window in which some runnable task waited
	// for a CPU, in [0, 1]; -1 if unknown. High values mean the machine
	// was busy with other work and latencies are inflated.
	Stall float64 `json:"cpu_stall"`
}

// measure takes a sample at from and at to (or when ctx ends, if
// earlier); the returned function waits for both and returns the
// difference.
func measure(ctx context.Context, pids []int, from, to time.Time) func() (machineReport, error) {
	type result struct {
		s   [2]sample
		err error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		for i, at := range []time.Time{from, to} {
			t := time.NewTimer(time.Until(at))
			select {
			case <-ctx.Done():
			case <-t.C:
			}
			t.Stop()
			var err error
			r.s[i], err = takeSample(pids)
			r.err = errors.Join(r.err, err)
		}
		done <- r
	}()
	return func() (machineReport, error) {
		r := <-done
		if r.err != nil {
			return machineReport{}, r.err
		}
		a, b := r.s[0], r.s[1]
		over := b.at.Sub(a.at)
		m := machineReport{
			CPU:     cpuReport{PIDs: pids, Used: b.servers - a.servers, Over: over},
			ToolCPU: cpuReport{PIDs: []int{os.Getpid()}, Used: b.tool - a.tool, Over: over},
			Stall:   noStall,
		}
		if a.stall != noStall && b.stall != noStall && over > 0 {
			m.Stall = min(1, float64(b.stall-a.stall)/float64(over))
		}
		return m, nil
	}
}

// cpuTime returns the CPU time (user plus system) that processes pids have
// used so far, summed.
func cpuTime(pids []int) (time.Duration, error) {
	return sumProc(pids, "stat", "CPU time", parseStat)
}

// sumProc reads /proc/<pid>/<file> of every pid, parses each with parse
// and returns the sum; what names the figure in errors.
func sumProc[T time.Duration | int64](pids []int, file, what string, parse func([]byte) (T, error)) (T, error) {
	var total T
	for _, pid := range pids {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", pid, file))
		if err == nil {
			var n T
			n, err = parse(data)
			total += n
		}
		if err != nil {
			return 0, fmt.Errorf("read %s of process %d: %w", what, pid, err)
		}
	}
	return total, nil
}

// parseStat reads utime and stime (fields 14 and 15) from the contents of
// a /proc/<pid>/stat file. The second field, the command name in
// parentheses, may itself hold spaces and parentheses, so fields are
// counted from the last ')'.
func parseStat(data []byte) (time.Duration, error) {
	end := bytes.LastIndexByte(data, ')')
	if end < 0 {
		return 0, errors.New("malformed stat: no command name")
	}
	// After ") " come field 3 (state) onwards: utime is field 14.
	fields := bytes.Fields(data[end+1:])
	const utime = 14 - 3
	if len(fields) < utime+2 {
		return 0, fmt.Errorf("malformed stat: %d fields after the command name, want at least %d", len(fields), utime+2)
	}
	var ticks int64
	for _, f := range fields[utime : utime+2] {
		n, err := strconv.ParseInt(string(f), 10, 64)
		if err != nil || n < 0 || n > maxTicks {
			return 0, fmt.Errorf("malformed stat: CPU time %q", f)
		}
		ticks += n
	}
	return time.Duration(ticks) * (time.Second / clockTicks), nil
}

// parsePressure reads the "some" total (microseconds) from the contents of
// /proc/pressure/cpu, whose first line reads
// "some avg10=0.00 avg60=0.00 avg300=0.00 total=12345".
func parsePressure(data []byte) (time.Duration, error) {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	fields := bytes.Fields(line)
	if len(fields) == 0 || string(fields[0]) != "some" {
		return 0, errors.New(`malformed pressure: no "some" line first`)
	}
	for _, f := range fields[1:] {
		v, ok := bytes.CutPrefix(f, []byte("total="))
		if !ok {
			continue
		}
		us, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil || us < 0 || us > int64(time.Duration(1<<62)/time.Microsecond) {
			return 0, fmt.Errorf("malformed pressure: total %q", v)
		}
		return time.Duration(us) * time.Microsecond, nil
	}
	return 0, errors.New("malformed pressure: no total")
}
