package main

import (
	"os"
	"testing"
)

func TestParseVmRSS(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"Name:\tconfpad\nVmRSS:\t   47104 kB\nThreads:\t9\n", 47104 << 10, true},
		{"VmRSS:\t0 kB\n", 0, true},
		{"Name:\tconfpad\n", 0, false},
		{"VmRSS:\t12 MB\n", 0, false},
		{"VmRSS:\t-5 kB\n", 0, false},
		{"VmRSS:\t99999999999999999999 kB\n", 0, false},
		{"VmRSS:\n", 0, false},
	}
	for _, tc := range tests {
		got, err := parseVmRSS([]byte(tc.in))
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseVmRSS(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	if n, err := residentBytes([]int{os.Getpid()}); err != nil || n <= 0 {
		t.Errorf("this process's RSS: %d, %v", n, err)
	}
}
