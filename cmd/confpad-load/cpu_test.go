package main

import (
	"os"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		name    string
		stat    string
		want    time.Duration
		wantErr bool
	}{
		{
			name: "plain",
			stat: "1234 (confpad) S 1 1234 1234 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 12 0 100 0 0\n",
			want: 3 * time.Second,
		},
		{
			name: "name with spaces and parentheses",
			stat: "7 (a) b (c)) R 1 7 7 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 5 0 0",
			want: 30 * time.Millisecond,
		},
		{name: "no name", stat: "1234 confpad S 1", wantErr: true},
		{name: "too short", stat: "1 (x) S 1 2 3", wantErr: true},
		{name: "not a number", stat: "1 (x) S 1 1 1 0 -1 0 0 0 0 0 ten 5 0", wantErr: true},
		{name: "negative", stat: "1 (x) S 1 1 1 0 -1 0 0 0 0 0 -10 5 0", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStat([]byte(tc.stat))
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("parseStat = %v, %v; want %v, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestCPUTimeOfThisProcess(t *testing.T) {
	if _, err := cpuTime([]int{os.Getpid()}); err != nil {
		t.Fatal(err)
	}
	if _, err := cpuTime([]int{1 << 30}); err == nil {
		t.Fatal("no error for a process that does not exist")
	}
}

// FuzzParseStat: parseStat reads a file from outside; it must never panic
// and never return a negative time.
func FuzzParseStat(f *testing.F) {
	f.Add([]byte("1234 (confpad) S 1 1234 1234 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 12 0 100 0 0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := parseStat(data)
		if err == nil && d < 0 {
			t.Fatalf("negative CPU time %v", d)
		}
	})
}

func TestParsePressure(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		want    time.Duration
		wantErr bool
	}{
		{
			name: "kernel format",
			data: "some avg10=50.12 avg60=44.59 avg300=57.82 total=687248067\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
			want: 687248067 * time.Microsecond,
		},
		{name: "no some line", data: "full avg10=0.00 total=5\n", wantErr: true},
		{name: "no total", data: "some avg10=1.00\n", wantErr: true},
		{name: "bad total", data: "some total=-5\n", wantErr: true},
		{name: "huge total", data: "some total=99999999999999999999\n", wantErr: true},
		{name: "empty", data: "", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parsePressure([]byte(tc.data))
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("parsePressure = %v, %v; want %v, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

// FuzzParsePressure: parsePressure reads a file from outside; it must
// never panic and never return a negative time.
func FuzzParsePressure(f *testing.F) {
	f.Add([]byte("some avg10=50.12 avg60=44.59 avg300=57.82 total=687248067\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := parsePressure(data)
		if err == nil && d < 0 {
			t.Fatalf("negative stall %v", d)
		}
	})
}
