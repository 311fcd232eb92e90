package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// config is what one load run does.
type config struct {
	// URLs are the servers' base URLs (http://host:port); clients are
	// spread over them round-robin.
	URLs []string
	// Pad is the pad everyone edits; with Pads > 1, the pads are Pad-1 to
	// Pad-N, each with Writers and Readers of its own.
	Pad  string
	Pads int
	// AdminToken, if set, creates Pad first when it does not exist.
	AdminToken string
	// Writers type Rate characters a second each, one single-character
	// insert or delete per tick; Readers only receive.
	Writers int
	Readers int
	Rate    float64
	// ConnectParallel bounds how many clients connect at once.
	ConnectParallel int
	// Warmup is typed through but not measured; Duration is measured.
	Warmup   time.Duration
	Duration time.Duration
	// Drain bounds the wait, after typing stops, for every ack and every
	// client to catch up.
	Drain time.Duration
	// PIDs are server processes whose CPU time is measured.
	PIDs []int
	// JSON selects the JSON report.
	JSON bool
	// Floor measures the floor instead of a server: what sending the
	// run's messages to as many loopback TCP connections costs alone
	// (floor.go). URLs, Pad, AdminToken and Drain are not used then.
	Floor bool
}

// parseFlags reads the command line into a config; errors (and -h) are
// written to out.
func parseFlags(args []string, out io.Writer) (config, error) {
	var cfg config
	var urls, pids string
	fs := flag.NewFlagSet("confpad-load", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintln(out, "Usage: confpad-load [flags]\n\nTypes into one confpad pad from many websocket clients and reports the\nlatency from each edit until every other client has it. See docs/load.md.\n\nFlags:")
		fs.PrintDefaults()
	}
	fs.StringVar(&urls, "url", "http://127.0.0.1:9001", "server base URL(s), comma-separated; clients are spread over them round-robin")
	var preset string
	fs.StringVar(&preset, "preset", "", "a named workload: w1 (one pad, 20 writers, 100 readers), w2 (16 pads x (4 writers + 30 readers)) or crowd (one pad, 1 writer, 10000 readers joining 200 at a time); flags given as well override it")
	fs.StringVar(&cfg.Pad, "pad", "load-test", "pad (session id) to edit; with --pads N, the pads are <pad>-1 to <pad>-N")
	fs.IntVar(&cfg.Pads, "pads", 1, "pads, each with --writers and --readers of its own")
	fs.IntVar(&cfg.ConnectParallel, "connect-parallel", 16, "clients connecting at once")
	fs.StringVar(&cfg.AdminToken, "admin-token", "", "admin token; if set, the pad is created when it does not exist")
	fs.IntVar(&cfg.Writers, "writers", 20, "clients that type")
	fs.IntVar(&cfg.Readers, "readers", 100, "clients that only receive")
	fs.Float64Var(&cfg.Rate, "rate", 5, "characters per second per writer (one single-character op each)")
	fs.DurationVar(&cfg.Warmup, "warmup", 3*time.Second, "typing before measuring starts")
	fs.DurationVar(&cfg.Duration, "duration", 30*time.Second, "measured typing time, after the warmup")
	fs.DurationVar(&cfg.Drain, "drain", 10*time.Second, "longest wait for acks and for every client to catch up at the end")
	fs.StringVar(&pids, "pid", "", "server process id(s), comma-separated, to measure CPU seconds from /proc/<pid>/stat")
	fs.BoolVar(&cfg.JSON, "json", false, "print the report as JSON")
	fs.BoolVar(&cfg.Floor, "floor", false, "measure no server but the floor: the CPU a bare sender spends writing as many messages to as many loopback TCP connections")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if err := applyPreset(fs, preset); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	for _, u := range strings.Split(urls, ",") {
		if u = strings.TrimSpace(u); u != "" {
			cfg.URLs = append(cfg.URLs, u)
		}
	}
	for _, p := range strings.Split(pids, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		pid, err := strconv.Atoi(p)
		if err != nil || pid <= 0 {
			return cfg, fmt.Errorf("--pid: %q is not a process id", p)
		}
		cfg.PIDs = append(cfg.PIDs, pid)
	}
	return cfg, cfg.validate()
}

// presets are the named workloads of --preset: flag values.
var presets = map[string]map[string]string{
	"w1":    {"pads": "1", "writers": "20", "readers": "100"},
	"w2":    {"pads": "16", "writers": "4", "readers": "30"},
	"crowd": {"pads": "1", "writers": "1", "readers": "10000", "connect-parallel": "200"},
}

// applyPreset sets the flags of a preset that were not given explicitly.
func applyPreset(fs *flag.FlagSet, name string) error {
	if name == "" {
		return nil
	}
	values, ok := presets[name]
	if !ok {
		return fmt.Errorf("--preset %q: want w1, w2 or crowd", name)
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for flagName, v := range values {
		if !given[flagName] {
			if err := fs.Set(flagName, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// padNames lists the pads of a run.
func (cfg config) padNames() []string {
	if cfg.Pads <= 1 {
		return []string{cfg.Pad}
	}
	names := make([]string, cfg.Pads)
	for i := range names {
		names[i] = fmt.Sprintf("%s-%d", cfg.Pad, i+1)
	}
	return names
}

// validate checks a config for values a run cannot use.
func (cfg config) validate() error {
	var errs []error
	if len(cfg.URLs) == 0 {
		errs = append(errs, errors.New("--url: no server URL"))
	}
	for _, u := range cfg.URLs {
		if _, err := padURL(u, "x"); err != nil {
			errs = append(errs, err)
		}
	}
	if cfg.Pad == "" {
		errs = append(errs, errors.New("--pad must not be empty"))
	}
	if cfg.Pads < 1 || cfg.Pads > 1000 {
		errs = append(errs, errors.New("--pads must be in [1, 1000]"))
	}
	if cfg.ConnectParallel < 1 || cfg.ConnectParallel > 10000 {
		errs = append(errs, errors.New("--connect-parallel must be in [1, 10000]"))
	}
	if cfg.Writers < 1 || cfg.Readers < 0 || cfg.Writers+cfg.Readers < 2 {
		errs = append(errs, errors.New("need --writers >= 1, --readers >= 0 and at least two clients in all"))
	}
	if cfg.Rate <= 0 || cfg.Rate > 1000 {
		errs = append(errs, errors.New("--rate must be in (0, 1000] characters per second"))
	}
	if cfg.Duration <= 0 || cfg.Warmup < 0 || cfg.Drain <= 0 {
		errs = append(errs, errors.New("--duration and --drain must be > 0, --warmup >= 0"))
	}
	if cfg.Floor && len(cfg.PIDs) > 0 {
		errs = append(errs, errors.New("--floor measures its own sender: no --pid"))
	}
	return errors.Join(errs...)
}

// padURL turns a server base URL (http, https, ws or wss) into the
// websocket URL of a pad.
func padURL(base, pad string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("--url %q: %w", base, err)
	}
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "ws"
	case "https", "wss":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("--url %q: want an http:// or ws:// URL", base)
	}
	if u.Host == "" {
		return "", fmt.Errorf("--url %q: no host", base)
	}
	return u.JoinPath("pads", pad, "ws").String(), nil
}

// httpBase turns a server base URL into its http(s) form, for the API.
func httpBase(base string) string {
	base = strings.TrimSuffix(base, "/")
	switch {
	case strings.HasPrefix(base, "ws://"):
		return "http://" + strings.TrimPrefix(base, "ws://")
	case strings.HasPrefix(base, "wss://"):
		return "https://" + strings.TrimPrefix(base, "wss://")
	}
	return base
}
