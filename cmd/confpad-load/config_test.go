package main

import (
	"io"
	"reflect"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    func(*config) // edits the defaults into the expected config
		wantErr bool
	}{
		{name: "defaults", want: func(*config) {}},
		{
			name: "replicas and pids",
			args: []string{"--url", "http://127.0.0.1:1, ws://127.0.0.1:2", "--pid", "12,34", "--json", "--duration", "5s"},
			want: func(c *config) {
				c.URLs = []string{"http://127.0.0.1:1", "ws://127.0.0.1:2"}
				c.PIDs = []int{12, 34}
				c.JSON = true
				c.Duration = 5 * time.Second
			},
		},
		{name: "bad pid", args: []string{"--pid", "12,x"}, wantErr: true},
		{name: "zero writers", args: []string{"--writers", "0"}, wantErr: true},
		{name: "one client", args: []string{"--writers", "1", "--readers", "0"}, wantErr: true},
		{name: "zero rate", args: []string{"--rate", "0"}, wantErr: true},
		{name: "no URL", args: []string{"--url", " , "}, wantErr: true},
		{name: "ftp URL", args: []string{"--url", "ftp://127.0.0.1"}, wantErr: true},
		{name: "no duration", args: []string{"--duration", "0s"}, wantErr: true},
		{name: "floor", args: []string{"--floor", "--readers", "5"}, want: func(c *config) { c.Floor, c.Readers = true, 5 }},
		{name: "floor with pid", args: []string{"--floor", "--pid", "12"}, wantErr: true},
		{name: "w2", args: []string{"--preset", "w2"}, want: func(c *config) { c.Pads, c.Writers, c.Readers = 16, 4, 30 }},
		{name: "crowd", args: []string{"--preset", "crowd"}, want: func(c *config) { c.Writers, c.Readers, c.ConnectParallel = 1, 10000, 200 }},
		{name: "crowd of 4000", args: []string{"--readers", "4000", "--preset", "crowd"}, want: func(c *config) { c.Writers, c.Readers, c.ConnectParallel = 1, 4000, 200 }},
		{name: "unknown preset", args: []string{"--preset", "w9"}, wantErr: true},
		{name: "zero pads", args: []string{"--pads", "0"}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseFlags(tc.args, io.Discard)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			want := config{
				URLs: []string{"http://127.0.0.1:9001"}, Pad: "load-test", Pads: 1, ConnectParallel: 16, Writers: 20, Readers: 100, Rate: 5,
				Warmup: 3 * time.Second, Duration: 30 * time.Second, Drain: 10 * time.Second,
			}
			tc.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestPadURL(t *testing.T) {
	tests := []struct{ base, pad, want string }{
		{"http://127.0.0.1:9001", "audio", "ws://127.0.0.1:9001/pads/audio/ws"},
		{"https://notes.example/", "a b", "wss://notes.example/pads/a%20b/ws"},
		{"ws://127.0.0.1:8080/confpad", "x", "ws://127.0.0.1:8080/confpad/pads/x/ws"},
	}
	for _, tc := range tests {
		got, err := padURL(tc.base, tc.pad)
		if err != nil || got != tc.want {
			t.Errorf("padURL(%q, %q) = %q, %v; want %q", tc.base, tc.pad, got, err, tc.want)
		}
	}
	if got := (config{Pad: "w2", Pads: 3}).padNames(); !reflect.DeepEqual(got, []string{"w2-1", "w2-2", "w2-3"}) {
		t.Errorf("padNames = %q", got)
	}
	if got := httpBase("wss://notes.example/"); got != "https://notes.example" {
		t.Errorf("httpBase = %q", got)
	}
}
