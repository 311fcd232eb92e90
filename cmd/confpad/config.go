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
	"time"

	"github.com/confpad/confpad/httpapi"
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
	// ConnRate and ConnBurst bound the bytes a websocket connection
	// sends: ConnRate a second on average, ConnBurst at once.
	ConnRate, ConnBurst int64
	// PadQuota bounds the bytes of one pad's stored history.
	PadQuota int64
	// AllowedOrigins is a comma-separated list of origins whose pages may
	// write besides the server's own (httpapi.Config.AllowedOrigins).
	AllowedOrigins string
	// Redis, when set, selects cluster mode: a Redis URL for storage and
	// fan-out between replicas, in place of the embedded database.
	Redis string
	// BoFRate is how many BoFs one client address may start per hour.
	BoFRate int
	// Pprof, when set, is a host:port where Go's profiles (net/http/pprof)
	// are served, for measuring the server under load.
	Pprof string
	// MaxConnsPerAddr bounds the websockets of one client address.
	MaxConnsPerAddr int
	// TrustedProxies are the networks whose X-Forwarded-For is believed.
	TrustedProxies []*net.IPNet
	// MessageRate and MessageBurst bound the frames of one connection.
	MessageRate  float64
	MessageBurst int
	// ReadHeaderTimeout, BodyTimeout and IdleTimeout bound reading a
	// request's headers, its body, and an idle keep-alive connection.
	ReadHeaderTimeout, BodyTimeout, IdleTimeout time.Duration
	// FrameAncestors may frame the pages; none: no one.
	FrameAncestors []string
	// Metrics is "public", "admin", or a host:port serving /metrics
	// instead of the main address.
	Metrics string
	// AccessLog logs every request and websocket.
	AccessLog bool
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
	{"admin-token", "CONFPAD_ADMIN_TOKEN", "", "bearer `token` for the admin API; none: a random one, shown once on the terminal (stderr) at start", func(c *config, v string) error {
		c.AdminToken = v
		return nil
	}},
	{"max-frame", "CONFPAD_MAX_FRAME", "256KiB", "largest websocket message accepted: a `size` in bytes, or with KiB or MiB", sizeOf(func(c *config) *int64 { return &c.MaxFrame })},
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
	{"bof-rate", "CONFPAD_BOF_RATE", "10", "how many BoF pads one client `address` may start per hour (per replica)", func(c *config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			return errors.New("want a number from 1 to 100000")
		}
		c.BoFRate = n
		return nil
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
	{"max-conns-per-addr", "CONFPAD_MAX_CONNS_PER_ADDR", "1000", "most websockets one client address may hold at once (a `number`; conference NAT puts many people behind one address)", func(c *config, v string) error {
		n, err := parseCount(v)
		c.MaxConnsPerAddr = n
		return err
	}},
	{"trusted-proxies", "CONFPAD_TRUSTED_PROXIES", "", "comma-separated `networks` (CIDR) of reverse proxies whose X-Forwarded-For names the client; none: the peer address is the client", func(c *config, v string) error {
		c.TrustedProxies = nil
		for part := range strings.SplitSeq(v, ",") {
			if part = strings.TrimSpace(part); part == "" {
				continue
			}
			_, n, err := net.ParseCIDR(part)
			if err != nil {
				return fmt.Errorf("want networks such as 10.0.0.0/8,127.0.0.1/32: %w", err)
			}
			c.TrustedProxies = append(c.TrustedProxies, n)
		}
		return nil
	}},
	{"message-rate", "CONFPAD_MESSAGE_RATE", "200", "websocket frames a connection may send per second on average (a `number`); above it the connection is closed", func(c *config, v string) error {
		n, err := parseCount(v)
		c.MessageRate = float64(n)
		return err
	}},
	{"message-burst", "CONFPAD_MESSAGE_BURST", "1000", "websocket frames a connection may send at once above --message-rate (a `number`)", func(c *config, v string) error {
		n, err := parseCount(v)
		c.MessageBurst = n
		return err
	}},
	{"read-header-timeout", "CONFPAD_READ_HEADER_TIMEOUT", "10s", "longest wait for a request's headers (a `duration` such as 10s)", func(c *config, v string) error {
		return parseDuration(v, &c.ReadHeaderTimeout)
	}},
	{"body-timeout", "CONFPAD_BODY_TIMEOUT", "30s", "longest wait for a request's body (a `duration`)", func(c *config, v string) error {
		return parseDuration(v, &c.BodyTimeout)
	}},
	{"idle-timeout", "CONFPAD_IDLE_TIMEOUT", "2m", "how long an idle keep-alive HTTP connection stays open (a `duration`)", func(c *config, v string) error {
		return parseDuration(v, &c.IdleTimeout)
	}},
	{"frame-ancestors", "CONFPAD_FRAME_ANCESTORS", "", "space-separated `origins` that may show the pages in a frame (CSP frame-ancestors); none: no one", func(c *config, v string) error {
		c.FrameAncestors = nil
		if v = strings.TrimSpace(v); v != "" {
			c.FrameAncestors = strings.Fields(v)
		}
		for _, o := range c.FrameAncestors {
			if strings.ContainsAny(o, ";,") {
				return fmt.Errorf("want origins such as https://stream.example.org separated by spaces, not %q", o)
			}
		}
		return nil
	}},
	{"metrics", "CONFPAD_METRICS", "public", "who may read /metrics: public, admin (the admin token), or a `host:port` to serve /metrics there instead", func(c *config, v string) error {
		c.Metrics = v
		if v == "public" || v == "admin" {
			return nil
		}
		if err := checkHostPort(v); err != nil {
			return fmt.Errorf("want public, admin or host:port: %w", err)
		}
		return nil
	}},
	{"access-log", "CONFPAD_ACCESS_LOG", "on", "log every request and websocket at info level: on or off", func(c *config, v string) error {
		switch v {
		case "on", "off":
			c.AccessLog = v == "on"
			return nil
		}
		return errors.New("want on or off")
	}},
	{"conn-rate", "CONFPAD_CONN_RATE", "64KiB", "bytes a second one websocket connection may send on average (a `size`, or with KiB or MiB); a faster sender is read more slowly", sizeOf(func(c *config) *int64 { return &c.ConnRate })},
	{"conn-burst", "CONFPAD_CONN_BURST", "2MiB", "bytes one websocket connection may send at once beyond --conn-rate, for pastes (a `size`, or with KiB or MiB)", sizeOf(func(c *config) *int64 { return &c.ConnBurst })},
	{"allowed-origins", "CONFPAD_ALLOWED_ORIGINS", "", "comma-separated `origins` (https://host[:port]) whose pages may write (links, admin API, websockets) besides the server's own; none: only the server's own pages", func(c *config, v string) error {
		for _, o := range splitList(v) {
			if _, err := httpapi.ParseOrigin(o); err != nil {
				return err
			}
		}
		c.AllowedOrigins = v
		return nil
	}},
	{"pad-quota", "CONFPAD_PAD_QUOTA", "64MiB", "bytes of history one pad may store (its ops as stored); ops past it are refused with quota_exceeded (a `size`, or with KiB or MiB)", sizeOf(func(c *config) *int64 { return &c.PadQuota })},
}

// parseCount reads a positive whole number.
func parseCount(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || n > 1<<30 {
		return 0, fmt.Errorf("want a positive whole number, not %q", s)
	}
	return n, nil
}

// parseDuration reads a positive duration (time.ParseDuration) into d.
func parseDuration(s string, d *time.Duration) error {
	v, err := time.ParseDuration(s)
	if err != nil || v <= 0 {
		return fmt.Errorf("want a positive duration such as 30s or 2m, not %q", s)
	}
	*d = v
	return nil
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

// sizeOf returns an option's set function that parses a size (parseSize)
// into the config field field returns.
func sizeOf(field func(c *config) *int64) func(c *config, v string) error {
	return func(c *config, v string) error {
		n, err := parseSize(v)
		*field(c) = n
		return err
	}
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
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
