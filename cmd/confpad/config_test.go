package main

import (
	"errors"
	"flag"
	"io"
	"log/slog"
	"net"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestLoadConfig(t *testing.T) {
	defaults := config{
		Addr:      "127.0.0.1:9001",
		DataDir:   "./data",
		LogLevel:  slog.LevelInfo,
		LogFormat: "text",
		MaxFrame:  256 << 10,
		MaxDoc:    2 << 20,
		BoFRate:   10,

		MaxConnsPerAddr:   1000,
		MessageRate:       200,
		MessageBurst:      1000,
		ReadHeaderTimeout: 10 * time.Second,
		BodyTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		Metrics:           "public",
		AccessLog:         true,
		ConnRate:          64 << 10,
		ConnBurst:         2 << 20,
		PadQuota:          64 << 20,
		JoinRate:          2000,
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
				"CONFPAD_MAX_FRAME": "1MiB", "CONFPAD_MAX_DOC": "100000", "CONFPAD_BOF_RATE": "3",
				"CONFPAD_CONN_RATE": "8KiB", "CONFPAD_CONN_BURST": "100KiB", "CONFPAD_PAD_QUOTA": "1MiB",
			},
			want: with(func(c *config) {
				c.Addr, c.DataDir, c.Program, c.LogLevel = ":8080", "/var/lib/confpad", "lpc.yaml", slog.LevelDebug
				c.LogFormat, c.AdminToken, c.MaxFrame, c.MaxDoc = "json", "s3cret", 1<<20, 100000
				c.BoFRate = 3
				c.ConnRate, c.ConnBurst, c.PadQuota = 8<<10, 100<<10, 1<<20
			}),
		},
		{
			name: "flags",
			args: []string{"--addr", "0.0.0.0:80", "-data=d", "--program=p.json", "--log-level=WARN",
				"--log-format", "json", "--admin-token", "t", "--max-frame", "64K", "--max-doc", "3M", "--bof-rate", "50",
				"--conn-rate=1M", "--conn-burst=4M", "--pad-quota=512M"},
			want: with(func(c *config) {
				c.Addr, c.DataDir, c.Program, c.LogLevel = "0.0.0.0:80", "d", "p.json", slog.LevelWarn
				c.LogFormat, c.AdminToken, c.MaxFrame, c.MaxDoc = "json", "t", 64<<10, 3<<20
				c.BoFRate = 50
				c.ConnRate, c.ConnBurst, c.PadQuota = 1<<20, 4<<20, 512<<20
			}),
		},
		{
			name: "limits",
			args: []string{"--max-conns-per-addr=5", "--message-rate=10", "--message-burst=20", "--read-header-timeout=1s",
				"--body-timeout=2s", "--idle-timeout=3m", "--frame-ancestors", "'self' https://a.example", "--metrics=admin",
				"--access-log=off", "--trusted-proxies=10.0.0.0/8, 127.0.0.1/32"},
			want: with(func(c *config) {
				c.MaxConnsPerAddr, c.MessageRate, c.MessageBurst = 5, 10, 20
				c.ReadHeaderTimeout, c.BodyTimeout, c.IdleTimeout = time.Second, 2*time.Second, 3*time.Minute
				c.FrameAncestors, c.Metrics, c.AccessLog = []string{"'self'", "https://a.example"}, "admin", false
				c.TrustedProxies = []*net.IPNet{
					{IP: net.IP{10, 0, 0, 0}, Mask: net.CIDRMask(8, 32)},
					{IP: net.IP{127, 0, 0, 1}, Mask: net.CIDRMask(32, 32)},
				}
			}),
		},
		{
			name: "metrics elsewhere",
			env:  map[string]string{"CONFPAD_METRICS": "127.0.0.1:9090"},
			want: with(func(c *config) { c.Metrics = "127.0.0.1:9090" }),
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
		{name: "zero BoF rate", args: []string{"--bof-rate=0"}, wantErr: "want a number from 1 to 100000"},
		{name: "join rate", args: []string{"--join-rate=500"}, want: with(func(c *config) { c.JoinRate = 500 })},
		{name: "zero join rate", args: []string{"--join-rate=0"}, wantErr: "want a whole number of joins a second"},
		{name: "bad pprof address", env: map[string]string{"CONFPAD_PPROF": "6060"}, wantErr: `CONFPAD_PPROF="6060": want host:port`},
		{name: "bad count", args: []string{"--max-conns-per-addr=0"}, wantErr: "want a positive whole number"},
		{name: "bad duration", args: []string{"--body-timeout=30"}, wantErr: "want a positive duration"},
		{name: "bad metrics", args: []string{"--metrics=private"}, wantErr: "want public, admin or host:port"},
		{name: "bad proxy", args: []string{"--trusted-proxies=10.0.0.1"}, wantErr: "want networks"},
		{name: "bad frame ancestor", args: []string{"--frame-ancestors=a;b"}, wantErr: "want origins"},
		{name: "bad access log", args: []string{"--access-log=yes"}, wantErr: "want on or off"},
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
			if !reflect.DeepEqual(got, tt.want) {
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
