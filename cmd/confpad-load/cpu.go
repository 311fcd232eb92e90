package main

import (
	"bytes"
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

// cpuTime returns the CPU time (user plus system) that processes pids have
// used so far, summed.
func cpuTime(pids []int) (time.Duration, error) {
	var total time.Duration
	for _, pid := range pids {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return 0, fmt.Errorf("read CPU time of process %d: %w", pid, err)
		}
		d, err := parseStat(data)
		if err != nil {
			return 0, fmt.Errorf("read CPU time of process %d: %w", pid, err)
		}
		total += d
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
