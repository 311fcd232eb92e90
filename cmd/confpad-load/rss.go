package main

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
)

// residentBytes sums the resident set size (VmRSS) of pids, read from
// /proc/<pid>/status.
func residentBytes(pids []int) (int64, error) {
	return sumProc(pids, "status", "RSS", parseVmRSS)
}

// parseVmRSS reads the VmRSS line ("VmRSS:	  123456 kB") of a
// /proc/<pid>/status file, in bytes.
func parseVmRSS(status []byte) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmRSS:"))
		if !ok {
			continue
		}
		fields := bytes.Fields(rest)
		if len(fields) != 2 || string(fields[1]) != "kB" {
			return 0, fmt.Errorf("malformed VmRSS line %q", sc.Bytes())
		}
		kb, err := strconv.ParseInt(string(fields[0]), 10, 64)
		if err != nil || kb < 0 || kb > 1<<40 {
			return 0, fmt.Errorf("malformed VmRSS line %q", sc.Bytes())
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("no VmRSS line")
}
