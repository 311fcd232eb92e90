package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"time"

	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/httpapi"
)

// stderr is where serve writes its logs and, apart from them, the
// generated admin token; tests replace it.
var stderr io.Writer = os.Stderr

// drainTimeout bounds the graceful part of a shutdown: finishing requests
// and commits and closing websockets.
const drainTimeout = 15 * time.Second

// serve is the serve command: it opens the embedded store in the data
// directory, imports the conference program, and serves HTTP and
// websockets until ctx is cancelled; then it stops accepting, drains
// within drainTimeout, and returns nil. A program file with an error, or
// an address it cannot listen on, stops it before any store is opened (a
// program file's error names the file and line).
func serve(ctx context.Context, args []string, env func(string) string) error {
	cfg, err := loadConfig(args, env, stderr)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)

	var program *conference.Program
	if cfg.Program != "" {
		p, err := readProgram(cfg.Program)
		if err != nil {
			return err
		}
		program = &p
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close() // for the returns before Serve, which closes it too

	st, err := openStores(ctx, cfg.Redis, cfg.DataDir, logger) // SQLite, or Redis in cluster mode
	if err != nil {
		return err
	}
	defer st.close()
	if err := importProgram(ctx, st.catalog, program, cfg.Program, logger); err != nil {
		return err
	}

	token := cfg.AdminToken
	if token == "" {
		// Shown once, on the terminal only: logs are often shipped
		// elsewhere and kept.
		token = rand.Text()
		fmt.Fprintf(stderr, "confpad: no --admin-token set; the admin token of this run (shown only now) is:\n\n    %s\n\n", token)
		logger.Warn("no admin token configured: generated one for this run and showed it on the terminal (stderr)")
	}
	metrics, metricsAddr := httpapi.MetricsPublic, ""
	switch cfg.Metrics {
	case "public":
	case "admin":
		metrics = httpapi.MetricsAdmin
	default:
		metrics, metricsAddr = httpapi.MetricsOff, cfg.Metrics
	}
	srv, err := httpapi.New(httpapi.Config{
		Catalog:         st.catalog,
		Log:             st.log,
		Feed:            st.feed,
		Bus:             st.bus,
		Search:          st.search,
		AdminToken:      token,
		MaxFrameBytes:   cfg.MaxFrame,
		MaxDocLen:       cfg.MaxDoc,
		BoFRate:         cfg.BoFRate,
		Logger:          logger,
		Ready:           st.ready,
		MessageRate:     cfg.MessageRate,
		MessageBurst:    cfg.MessageBurst,
		MaxConnsPerAddr: cfg.MaxConnsPerAddr,
		TrustedProxies:  cfg.TrustedProxies,
		BodyTimeout:     cfg.BodyTimeout,
		FrameAncestors:  cfg.FrameAncestors,
		Metrics:         metrics,
		AccessLog:       cfg.AccessLog,
		Version:         buildVersion(),
		ByteRate:        cfg.ConnRate,
		ByteBurst:       cfg.ConnBurst,
		PadQuota:        cfg.PadQuota,
		AllowedOrigins:  splitList(cfg.AllowedOrigins),
		JoinRate:        float64(cfg.JoinRate),
	})
	if err != nil {
		return fmt.Errorf("set up HTTP API: %w", err)
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	side := map[string]*http.ServeMux{} // extra addresses: profiles, metrics
	if cfg.Pprof != "" {
		side[cfg.Pprof] = profilesMux()
	}
	if metricsAddr != "" {
		if side[metricsAddr] == nil {
			side[metricsAddr] = http.NewServeMux()
		}
		side[metricsAddr].Handle("/metrics", srv.MetricsHandler())
	}
	for addr, mux := range side {
		stop, err := serveSide(addr, mux, logger)
		if err != nil {
			return errors.Join(err, srv.Shutdown(context.Background()))
		}
		defer stop()
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	logger.Info("confpad is serving", "url", "http://"+ln.Addr().String(), "store", st.where, "version", buildVersion())

	select {
	case err := <-served:
		// Serve only returns early when accepting fails.
		return errors.Join(fmt.Errorf("serve HTTP: %w", err), srv.Shutdown(context.Background()))
	case <-ctx.Done():
	}
	logger.Info("draining", "reason", context.Cause(ctx).Error(), "timeout", drainTimeout)
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drainTimeout)
	defer cancel()
	var errs []error
	if err := hs.Shutdown(dctx); err != nil { // stop accepting, finish plain requests
		errs = append(errs, fmt.Errorf("shut down HTTP server: %w", err))
	}
	if err := srv.Shutdown(dctx); err != nil { // finish commits, close websockets as going away
		errs = append(errs, fmt.Errorf("shut down pads: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	logger.Info("stopped")
	return nil
}

// readProgram reads and checks a program file. Its errors name the file
// and the line. It reads at most one byte more than a program may have, so
// a wrong path (a device, a huge file) fails at once.
func readProgram(path string) (conference.Program, error) {
	f, err := os.Open(path)
	if err != nil {
		return conference.Program{}, fmt.Errorf("read program: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, conference.MaxProgramBytes+1))
	if err != nil {
		return conference.Program{}, fmt.Errorf("read program %s: %w", path, err)
	}
	return conference.ParseProgram(data, path)
}

// importProgram imports program (read from file) into cat, or, when there
// is none and cat has no sessions, the default conference.
func importProgram(ctx context.Context, cat conference.Catalog, program *conference.Program, file string, logger *slog.Logger) error {
	if program == nil {
		sessions, err := cat.Sessions(ctx)
		if err != nil {
			return fmt.Errorf("list sessions: %w", err)
		}
		if len(sessions) > 0 {
			return nil
		}
		p := conference.Default()
		program, file = &p, "the default conference"
	}
	if err := conference.Import(ctx, cat, *program); err != nil {
		return err
	}
	logger.Info("imported program", "from", file, "title", program.Title, "sessions", len(program.Sessions))
	return nil
}

// profilesMux serves net/http/pprof.
func profilesMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	return mux
}

// serveSide serves mux on addr (profiles, metrics: operator-only pages
// kept off the main address) until the returned function is called.
func serveSide(addr string, mux *http.ServeMux, logger *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	ps := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = ps.Serve(ln) }()
	logger.Info("serving operator pages", "url", "http://"+ln.Addr().String())
	return func() { _ = ps.Close() }, nil
}
