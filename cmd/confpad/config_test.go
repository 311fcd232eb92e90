package main

import (
	"errors"
	"flag"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestLoadConfig(t *testing.T) {
	defaults := config{
		Addr:      "127.0.0.1:9001",
		DataDir:   "./data",
		LogLevel:  slog.LevelInfo,
		LogFormat: "text",
		MaxFrame:  256 << 10,
		MaxDoc:    2 << 20,
		JoinRate:  2000,
	}
	with := func(change func(*config)) config {
		c := defaults
		change(&c)
		return c
	}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    config
		wantErr string
	}{
		{name: "defaults", want: defaults},
		{
			name: "environment",
			env: map[string]string{
				"CONFPAD_ADDR": ":8080", "CONFPAD_DATA": "/var/lib/confpad", "CONFPAD_PROGRAM": "lpc.yaml",
				"CONFPAD_LOG_LEVEL": "debug", "CONFPAD_LOG_FORMAT": "json", "CONFPAD_ADMIN_TOKEN": "s3cret",
				"CONFPAD_MAX_FRAME": "1MiB", "CONFPAD_MAX_DOC": "100000",
			},
			want: config{Addr: ":8080", DataDir: "/var/lib/confpad", Program: "lpc.yaml", LogLevel: slog.LevelDebug,
				LogFormat: "json", AdminToken: "s3cret", MaxFrame: 1 << 20, MaxDoc: 100000, JoinRate: 2000},
		},
		{
			name: "flags",
			args: []string{"--addr", "0.0.0.0:80", "-data=d", "--program=p.json", "--log-level=WARN",
				"--log-format", "json", "--admin-token", "t", "--max-frame", "64K", "--max-doc", "3M"},
			want: config{Addr: "0.0.0.0:80", DataDir: "d", Program: "p.json", LogLevel: slog.LevelWarn,
				LogFormat: "json", AdminToken: "t", MaxFrame: 64 << 10, MaxDoc: 3 << 20, JoinRate: 2000},
		},
		{
			name: "flags beat environment",
			args: []string{"--addr=127.0.0.1:1", "--log-level=error"},
			env:  map[string]string{"CONFPAD_ADDR": "127.0.0.1:2", "CONFPAD_LOG_LEVEL": "debug", "CONFPAD_DATA": "from-env"},
			want: with(func(c *config) { c.Addr, c.LogLevel, c.DataDir = "127.0.0.1:1", slog.LevelError, "from-env" }),
		},
		{
			name: "empty variable means unset",
			env:  map[string]string{"CONFPAD_ADDR": "", "CONFPAD_MAX_DOC": ""},
			want: defaults,
		},
		{
			name: "a flag can clear a variable",
			args: []string{"--admin-token="},
			env:  map[string]string{"CONFPAD_ADMIN_TOKEN": "from-env"},
			want: defaults,
		},
		{name: "bad address", args: []string{"--addr=9001"}, wantErr: `invalid value "9001" for flag -addr: want host:port`},
		{name: "bad variable", env: map[string]string{"CONFPAD_LOG_FORMAT": "xml"}, wantErr: `CONFPAD_LOG_FORMAT="xml": want text or json`},
		{name: "bad level", args: []string{"--log-level=verbose"}, wantErr: "want debug, info, warn or error"},
		{name: "bad size", env: map[string]string{"CONFPAD_MAX_FRAME": "lots"}, wantErr: `CONFPAD_MAX_FRAME="lots": unknown unit "lots" (want B, KiB or MiB)`},
		{name: "unknown unit", args: []string{"--max-doc=2GiB"}, wantErr: `unknown unit "GiB"`},
		{name: "zero size", args: []string{"--max-frame=0"}, wantErr: "want a positive size"},
		{name: "empty data", args: []string{"--data="}, wantErr: "want a directory"},
		{name: "join rate", args: []string{"--join-rate=500"}, want: with(func(c *config) { c.JoinRate = 500 })},
		{name: "zero join rate", args: []string{"--join-rate=0"}, wantErr: "want a whole number of joins a second"},
		{name: "bad pprof address", env: map[string]string{"CONFPAD_PPROF": "6060"}, wantErr: `CONFPAD_PPROF="6060": want host:port`},
		{name: "unknown flag", args: []string{"--sticky=yes"}, wantErr: "flag provided but not defined: -sticky"},
		{
			name: "cluster mode",
			args: []string{"--redis=redis-cluster://127.0.0.1:7000,127.0.0.1:7001"},
			env:  map[string]string{"CONFPAD_REDIS": "redis://127.0.0.1:6379/0"},
			want: with(func(c *config) { c.Redis = "redis-cluster://127.0.0.1:7000,127.0.0.1:7001" }),
		},
		{name: "stray argument", args: []string{"--addr=:1", "extra"}, wantErr: `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := loadConfig(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("config\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestLoadConfigHelp(t *testing.T) {
	var out strings.Builder
	_, err := loadConfig([]string{"-h"}, func(string) string { return "" }, &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("error = %v, want flag.ErrHelp", err)
	}
	for _, o := range options {
		if !strings.Contains(out.String(), "-"+o.flag) || !strings.Contains(out.String(), "$"+o.env) {
			t.Errorf("usage does not mention -%s and $%s:\n%s", o.flag, o.env, out.String())
		}
	}
}

// TestREADMEConfigurationTable keeps the README's table of flags true:
// exactly one row per option, with its variable and its default ("none" or
// "random" where the built-in default is empty).
func TestREADMEConfigurationTable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{} // by the flag cell, "`--addr`"
	for line := range strings.Lines(string(readme)) {
		if !strings.HasPrefix(line, "| `--") {
			continue
		}
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if _, dup := rows[cells[0]]; dup || len(cells) != 4 {
			t.Errorf("README row %q: a second row for its flag, or not 4 cells", line)
			continue
		}
		rows[cells[0]] = cells
	}
	for _, o := range options {
		flagCell := "`--" + o.flag + "`"
		row, ok := rows[flagCell]
		if !ok {
			t.Errorf("README has no row for --%s", o.flag)
			continue
		}
		delete(rows, flagCell)
		if row[1] != "`"+o.env+"`" {
			t.Errorf("README: --%s has variable %s, want `%s`", o.flag, row[1], o.env)
		}
		switch {
		case o.def == "" && row[2] != "none" && row[2] != "random":
			t.Errorf("README: --%s has default %s, want none or random", o.flag, row[2])
		case o.def != "" && row[2] != "`"+o.def+"`":
			t.Errorf("README: --%s has default %s, want `%s`", o.flag, row[2], o.def)
		}
	}
	for flagCell := range rows {
		t.Errorf("README lists %s, which confpad serve does not have", flagCell)
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1", 1, true}, {"262144", 262144, true}, {"10B", 10, true},
		{"256KiB", 256 << 10, true}, {"256k", 256 << 10, true}, {"256 KB", 256 << 10, true},
		{"2MiB", 2 << 20, true}, {"2m", 2 << 20, true},
		{"", 0, false}, {"0", 0, false}, {"-1", 0, false}, {"1.5MiB", 0, false},
		{"KiB", 0, false}, {"1TiB", 0, false}, {"99999999999999999999", 0, false}, {"2000000MiB", 0, false},
	}
	for _, tt := range tests {
		got, err := parseSize(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// FuzzParseSize: parseSize never panics, and what it accepts is a positive
// size within its bound that reads back the same written as plain bytes.
// Seeds are in testdata/fuzz/FuzzParseSize.
func FuzzParseSize(f *testing.F) {
	f.Add("256KiB")
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseSize(s)
		if err != nil {
			if n != 0 {
				t.Fatalf("parseSize(%q) = %d with error %v", s, n, err)
			}
			return
		}
		if n <= 0 || n > 1<<40 {
			t.Fatalf("parseSize(%q) = %d, out of (0, 2^40]", s, n)
		}
		if again, err := parseSize(strconv.FormatInt(n, 10)); err != nil || again != n {
			t.Fatalf("parseSize(%q) = %d, but %d reads as %d, %v", s, n, n, again, err)
		}
	})
}
