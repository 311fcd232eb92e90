package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
)

// config is the serve command's configuration, merged from built-in
// defaults, environment variables and flags (in rising priority) by
// loadConfig.
type config struct {
	// Addr is the host:port to listen on.
	Addr string
	// DataDir holds the embedded database, DataDir/confpad.db.
	DataDir string
	// Program is a conference program file (JSON or YAML) to import at
	// every start; "" imports the default conference into an empty store.
	Program string
	// LogLevel and LogFormat ("text" or "json") configure log/slog.
	LogLevel  slog.Level
	LogFormat string
	// AdminToken guards the admin routes; "" makes serve generate one.
	AdminToken string
	// MaxFrame is the largest websocket message accepted, in bytes.
	MaxFrame int64
	// MaxDoc is the largest pad, in characters (Unicode code points).
	MaxDoc int
	// Redis, when set, selects cluster mode: a Redis URL for storage and
	// fan-out between replicas, in place of the embedded database.
	Redis string
	// Pprof, when set, is a host:port where Go's profiles (net/http/pprof)
	// are served, for measuring the server under load.
	Pprof string
	// JoinRate is how many websocket joins a second the server admits;
	// more wait for their turn.
	JoinRate int
}

// option is one setting: a flag, its environment variable, its built-in
// default and how to store a value in a config.
type option struct {
	flag, env, def, usage string
	set                   func(c *config, value string) error
}

// options lists every setting of the serve command.
var options = []option{
	{"addr", "CONFPAD_ADDR", "127.0.0.1:9001", "`host:port` to listen on", func(c *config, v string) error {
		c.Addr = v
		return checkHostPort(v)
	}},
	{"data", "CONFPAD_DATA", "./data", "`directory` for the database (confpad.db)", func(c *config, v string) error {
		if v == "" {
			return errors.New("want a directory")
		}
		c.DataDir = v
		return nil
	}},
	{"program", "CONFPAD_PROGRAM", "", "conference program `file` (.json, .yaml or .yml) to import at every start; none: the default conference on first start", func(c *config, v string) error {
		c.Program = v
		return nil
	}},
	{"log-level", "CONFPAD_LOG_LEVEL", "info", "log `level`: debug, info, warn or error", func(c *config, v string) error {
		switch strings.ToLower(v) {
		case "debug", "info", "warn", "error":
			return c.LogLevel.UnmarshalText([]byte(v))
		}
		return errors.New("want debug, info, warn or error")
	}},
	{"log-format", "CONFPAD_LOG_FORMAT", "text", "log `format`: text or json", func(c *config, v string) error {
		if v != "text" && v != "json" {
			return errors.New("want text or json")
		}
		c.LogFormat = v
		return nil
	}},
	{"admin-token", "CONFPAD_ADMIN_TOKEN", "", "bearer `token` for the admin API; none: a random one, logged at start", func(c *config, v string) error {
		c.AdminToken = v
		return nil
	}},
	{"max-frame", "CONFPAD_MAX_FRAME", "256KiB", "largest websocket message accepted: a `size` in bytes, or with KiB or MiB", func(c *config, v string) error {
		n, err := parseSize(v)
		c.MaxFrame = n
		return err
	}},
	{"redis", "CONFPAD_REDIS", "", "cluster mode: Redis `URL` for storage and fan-out between replicas (redis://host:port/db, or redis-cluster://host:port,host:port,...); none: the embedded database", func(c *config, v string) error {
		c.Redis = v
		return nil
	}},
	{"pprof", "CONFPAD_PPROF", "", "serve Go profiles (net/http/pprof) on this `host:port` (keep it on loopback); none: off", func(c *config, v string) error {
		c.Pprof = v
		if v == "" {
			return nil
		}
		return checkHostPort(v)
	}},
	{"join-rate", "CONFPAD_JOIN_RATE", "2000", "websocket joins admitted a `number` of times a second (200 at once); more wait for their turn, so a reconnect storm cannot starve the pads", func(c *config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1_000_000 {
			return errors.New("want a whole number of joins a second, 1 to 1000000")
		}
		c.JoinRate = n
		return nil
	}},
	{"max-doc", "CONFPAD_MAX_DOC", "2MiB", "largest pad in characters: a `size`, or with KiB or MiB", func(c *config, v string) error {
		n, err := parseSize(v)
		c.MaxDoc = int(n)
		return err
	}},
}

// loadConfig merges the built-in defaults, then the environment variables
// that env returns non-empty, then the flags in args. A value that does
// not parse is an error naming its flag or variable. -h writes the usage
// to usage and returns flag.ErrHelp.
func loadConfig(args []string, env func(string) string, usage io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("confpad serve", flag.ContinueOnError)
	fs.SetOutput(usage)
	for _, o := range options {
		if err := o.set(&c, o.def); err != nil {
			return config{}, fmt.Errorf("default --%s %q: %w", o.flag, o.def, err) // a bug in options
		}
		if v := env(o.env); v != "" {
			if err := o.set(&c, v); err != nil {
				return config{}, fmt.Errorf("%s=%q: %w", o.env, v, err)
			}
		}
		text := fmt.Sprintf("%s\n[$%s", o.usage, o.env)
		if o.def != "" {
			text += ", default " + o.def
		}
		fs.Func(o.flag, text+"]", func(v string) error { return o.set(&c, v) })
	}
	fs.Usage = func() {
		fmt.Fprintf(usage, "Usage: confpad [serve] [flags]\n\nServes the conference's live notes. Flags beat environment variables.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return c, nil
}

// checkHostPort checks that v is an address to listen on, host:port.
func checkHostPort(v string) error {
	if _, _, err := net.SplitHostPort(v); err != nil {
		return fmt.Errorf("want host:port: %w", err)
	}
	return nil
}

// parseSize reads a positive size: a number with an optional unit B, KiB
// (or K, KB) or MiB (M, MB); units are powers of 1024.
func parseSize(s string) (int64, error) {
	i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if i < 0 {
		i = len(s)
	}
	num, unit := s[:i], strings.TrimSpace(s[i:])
	mult := int64(1)
	switch strings.ToUpper(unit) {
	case "", "B":
	case "K", "KB", "KIB":
		mult = 1 << 10
	case "M", "MB", "MIB":
		mult = 1 << 20
	default:
		return 0, fmt.Errorf("unknown unit %q (want B, KiB or MiB)", unit)
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return 0, fmt.Errorf("want a positive size such as 262144 or 256KiB, not %q", s)
	}
	return n * mult, nil
}

// newLogger returns the logger c asks for, writing to w.
func newLogger(c config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
