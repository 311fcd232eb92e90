// Package httpapi is confpad's HTTP face: the JSON API, the HTML pages,
// the editor assets, and the websocket protocol through which editors
// join pads, send ops and see each other (docs/protocol.md). It builds the
// pad engine (package collab) and fans its commits out to the
// connections of each pad.
package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/confpad/confpad/authors"
	"github.com/confpad/confpad/cluster"
	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/notes"
	"github.com/confpad/confpad/protocol"
	"github.com/confpad/confpad/search"
	"github.com/confpad/confpad/site"
)

// Defaults for the zero values of Config.
const (
	DefaultMaxFrameBytes    = 256 << 10
	DefaultSendQueue        = 1024
	DefaultWriteTimeout     = 10 * time.Second
	DefaultPingInterval     = 15 * time.Second
	DefaultJoinTimeout      = 10 * time.Second
	DefaultIdleTimeout      = time.Hour
	DefaultCursorInterval   = 50 * time.Millisecond
	DefaultPresenceInterval = 2 * time.Second
	DefaultPeopleInterval   = time.Second
	DefaultMessageRate      = 200
	DefaultMessageBurst     = 1000
	DefaultMaxConnsPerAddr  = 1000
	DefaultBodyTimeout      = 30 * time.Second
	DefaultByteRate         = 64 << 10
	DefaultByteBurst        = 2 << 20
	DefaultJoinRate         = 2000
	DefaultJoinBurst        = 200
)

// MetricsAccess says who may read /metrics.
type MetricsAccess int

// The ways /metrics is served.
const (
	// MetricsPublic serves /metrics to anyone (the default).
	MetricsPublic MetricsAccess = iota
	// MetricsAdmin serves /metrics only with the admin token.
	MetricsAdmin
	// MetricsOff serves no /metrics route: the caller serves
	// Server.MetricsHandler elsewhere (another address).
	MetricsOff
)

// Config configures a Server. Catalog and Log are required; every other
// field has a default.
type Config struct {
	// Catalog holds the conference's sessions; every pad is a session.
	Catalog conference.Catalog
	// Log stores the pads' history; Feed reports other replicas' commits
	// (nil in embedded mode). Both go to the pad engine.
	Log  collab.Log
	Feed collab.Feed
	// Bus connects the replicas: presence, slide links and session state
	// travel on it (package cluster). Nil for a single replica.
	Bus cluster.Bus
	// Search is the full-text index of every pad, kept current by the
	// server (search.Indexer): the SQLite FTS5 index in embedded mode, a
	// search.Memory per replica in cluster mode. Nil: a search.Memory.
	Search search.Index
	// AllowedOrigins lists the origins (ParseOrigin's form,
	// "https://notes.example.org") whose pages may write (HTTP writes and
	// websockets) besides the server's own pages; every other origin a
	// browser names is refused.
	AllowedOrigins []string
	// AdminToken guards the admin routes (Authorization: Bearer <token>).
	// Empty disables them: they answer 403.
	AdminToken string
	// MaxFrameBytes limits a websocket message from a client, its
	// fragments together (default 256 KiB); a larger one gets a
	// too_large error, and one over 16 times the limit closes the
	// connection.
	MaxFrameBytes int64
	// MaxDocLen limits a pad's length in code points (default: the
	// engine's, 2 Mi code points).
	MaxDocLen int
	// PadQuota bounds the bytes of one pad's stored history (default:
	// the engine's, 64 MiB; collab.Config.MaxHistoryBytes); ops past it
	// are refused with quota_exceeded.
	PadQuota int64
	// Logger receives the server's logs; slog.Default() if nil.
	Logger *slog.Logger
	// Ready reports whether the server can serve (store and Redis
	// reachable); /readyz answers 503 with its error. Nil: always ready.
	Ready func(context.Context) error

	// SendQueue is how many messages may wait for one connection (what
	// its socket did not take at once); a connection whose queue
	// overflows is closed as too slow.
	SendQueue int
	// WriteTimeout bounds writing one burst of queued messages (up to 64)
	// to a connection; a client that does not take it in time is closed
	// as too slow.
	WriteTimeout time.Duration
	// PingInterval is the keepalive period; a pong must come within it.
	PingInterval time.Duration
	// JoinTimeout closes connections that do not send join in time.
	JoinTimeout time.Duration
	// IdleTimeout closes connections that send nothing for this long.
	IdleTimeout time.Duration
	// CursorInterval is the shortest time between two cursor broadcasts
	// of one connection; the latest selection wins.
	CursorInterval time.Duration
	// PresenceInterval is the heartbeat period on the cluster.Bus; users
	// of a replica silent for three periods are dropped.
	PresenceInterval time.Duration
	// PeopleInterval is the shortest time between two counts of the
	// people in a pad sent to its connections, and on the bus.
	PeopleInterval time.Duration
	// MessageRate and MessageBurst bound the frames one connection may
	// send (each fragment of a message and each control frame too):
	// MessageRate a second on average, MessageBurst at once. A
	// connection over the limit is closed, so one client flooding ops,
	// renames or cursors cannot fill everybody else's send queue.
	// Editors stay far below it: one op in flight, cursors at most per
	// screen frame.
	MessageRate  float64
	MessageBurst int

	// BoFRate is how many BoF sessions one client address (see
	// TrustedProxies) may start per hour, on this replica (default DefaultBoFRate).
	BoFRate int
	// MaxConnsPerAddr is how many websockets one client address may hold
	// at once (default 1000: a conference's NAT puts many people behind
	// one address); one more is refused with 429.
	MaxConnsPerAddr int
	// TrustedProxies are the networks of reverse proxies whose
	// X-Forwarded-For names the client; from anywhere else the peer's
	// address is the client's. None: the peer's address always.
	TrustedProxies []*net.IPNet
	// BodyTimeout bounds reading a request's body (default 30s).
	BodyTimeout time.Duration
	// FrameAncestors are the origins that may frame the pages
	// (Content-Security-Policy frame-ancestors); none: no one may.
	FrameAncestors []string
	// Metrics says who may read /metrics.
	Metrics MetricsAccess
	// AccessLog logs every request and websocket at info level.
	AccessLog bool
	// Version is the server's version, shown by /healthz and /metrics.
	Version string
	// ByteRate and ByteBurst bound the bytes one connection may send:
	// ByteRate a second on average (default 64 KiB), ByteBurst at once
	// (default 2 MiB, for pastes). A connection over the limit is not
	// closed: the server holds its messages until its average is back
	// under ByteRate, reading at most one ahead of them (and its pings,
	// pongs and close meanwhile), so a client pasting more than ByteBurst
	// waits and one flooding the pad with large ops is slowed to ByteRate.
	ByteRate  int64
	ByteBurst int64
	// JoinRate and JoinBurst bound the joins this server handles: JoinRate
	// a second on average, JoinBurst at once. Joins over the rate wait
	// for their turn, in order, and are not refused nor timed out (the
	// join timeout ends when the join message arrives), so a reconnect
	// storm is served in full without starving the pads.
	JoinRate  float64
	JoinBurst int
	// Authors keeps each pad's authors (names, colours, edits); nil: the
	// Log, if it is an authors.Table (every store is), else none.
	Authors authors.Table
}

func (c Config) withDefaults() Config {
	if c.MaxFrameBytes <= 0 {
		c.MaxFrameBytes = DefaultMaxFrameBytes
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	defaults := []struct {
		d   *time.Duration
		def time.Duration
	}{
		{&c.WriteTimeout, DefaultWriteTimeout},
		{&c.PingInterval, DefaultPingInterval},
		{&c.JoinTimeout, DefaultJoinTimeout},
		{&c.IdleTimeout, DefaultIdleTimeout},
		{&c.CursorInterval, DefaultCursorInterval},
		{&c.PresenceInterval, DefaultPresenceInterval},
		{&c.BodyTimeout, DefaultBodyTimeout},
		{&c.PeopleInterval, DefaultPeopleInterval},
	}
	for _, d := range defaults {
		if *d.d <= 0 {
			*d.d = d.def
		}
	}
	if c.SendQueue <= 0 {
		c.SendQueue = DefaultSendQueue
	}
	if c.MessageRate <= 0 {
		c.MessageRate = DefaultMessageRate
	}
	if c.MessageBurst <= 0 {
		c.MessageBurst = DefaultMessageBurst
	}
	if c.BoFRate <= 0 {
		c.BoFRate = DefaultBoFRate
	}
	if c.MaxConnsPerAddr <= 0 {
		c.MaxConnsPerAddr = DefaultMaxConnsPerAddr
	}
	if c.Version == "" {
		c.Version = "unknown"
	}
	if c.ByteRate <= 0 {
		c.ByteRate = DefaultByteRate
	}
	if c.ByteBurst <= 0 {
		c.ByteBurst = DefaultByteBurst
	}
	if c.JoinRate <= 0 {
		c.JoinRate = DefaultJoinRate
	}
	if c.JoinBurst <= 0 {
		c.JoinBurst = DefaultJoinBurst
	}
	return c
}

// Server serves confpad over HTTP and websockets. Create it with New,
// serve Handler, and stop it with Shutdown.
type Server struct {
	cfg      Config
	log      *slog.Logger
	engine   *collab.Engine
	maxOpLen int
	metrics  *metrics
	admit    *admission // of joins
	echo     *echo.Echo
	pages    *site.Pages
	bofLimit *rateLimit
	assets   *assets
	search   *searcher
	replica  string
	perAddr  *connLimiter
	// notes keeps rendered notes by pad revision; zipSlots holds a token
	// per whole-conference zip export running.
	notes    *notes.Cache
	zipSlots chan struct{}

	authorNotes *authorNotes

	hubsMu sync.RWMutex
	hubs   map[string]*hub

	connsMu sync.Mutex
	conns   map[*conn]struct{}
	connsWG sync.WaitGroup
	closing atomic.Bool

	remote   cluster.RemoteUsers
	busOut   chan cluster.Message
	busCtx   context.Context // ends at Shutdown
	stopBus  context.CancelFunc
	unsubBus func()
	// busWG counts the background goroutines: publishing, heartbeats,
	// session refreshes and the author table's flushes; busStopped
	// (under busMu) forbids new ones.
	busWG      sync.WaitGroup
	busMu      sync.Mutex
	busStopped bool
	shutOnce   sync.Once
}

// New builds a Server and its pad engine, with the engine's commits wired
// to the pads' connections. With cfg.Bus set, it starts publishing
// heartbeats and listening to other replicas at once.
func New(cfg Config) (*Server, error) {
	if cfg.Catalog == nil || cfg.Log == nil {
		return nil, errors.New("httpapi: Config.Catalog and Config.Log are required")
	}
	cfg = cfg.withDefaults()
	origins := make([]string, len(cfg.AllowedOrigins))
	for i, o := range cfg.AllowedOrigins {
		var err error
		if origins[i], err = ParseOrigin(o); err != nil {
			return nil, fmt.Errorf("httpapi: Config.AllowedOrigins: %w", err)
		}
	}
	cfg.AllowedOrigins = origins
	s := &Server{
		cfg:      cfg,
		log:      cfg.Logger,
		maxOpLen: collab.DefaultMaxOpLen,
		metrics:  newMetrics(cfg.Version),
		perAddr:  &connLimiter{max: cfg.MaxConnsPerAddr, byAddr: map[string]*addrConns{}},
		admit:    newAdmission(cfg.JoinRate, cfg.JoinBurst),
		replica:  uuid.NewString(),
		hubs:     map[string]*hub{},
		conns:    map[*conn]struct{}{},
		busOut:   make(chan cluster.Message, 4096),
		bofLimit: newRateLimit(cfg.BoFRate),
		notes:    notes.NewCache(notesCacheEntries, notesCacheBytes),
		zipSlots: make(chan struct{}, maxZipExports),
	}
	s.authorNotes = &authorNotes{table: cfg.Authors}
	if t, ok := cfg.Log.(authors.Table); ok && cfg.Authors == nil {
		s.authorNotes.table = t
	}
	s.engine = collab.NewEngine(collab.Config{
		Log:             cfg.Log,
		Feed:            cfg.Feed,
		OnCommit:        s.onCommit,
		OnReset:         s.onReset,
		MaxDocLen:       cfg.MaxDocLen,
		MaxOpLen:        s.maxOpLen,
		MaxHistoryBytes: cfg.PadQuota,
	})
	var err error
	s.search, err = newSearcher(s)
	if err != nil {
		s.engine.Close()
		return nil, fmt.Errorf("httpapi: %w", err)
	}
	e, err := s.routes()
	if err != nil {
		s.search.close()
		s.engine.Close()
		return nil, fmt.Errorf("httpapi: %w", err)
	}
	s.echo = e
	ctx, cancel := context.WithCancel(context.Background())
	s.busCtx, s.stopBus = ctx, cancel
	s.busWG.Add(1)
	go func() {
		defer s.busWG.Done()
		s.authorNotes.flushLoop(ctx, func(err error) { s.log.Warn("writing the author table failed", "err", err) })
	}()
	if cfg.Bus != nil {
		s.busWG.Add(2)
		go func() { defer s.busWG.Done(); s.publishLoop(ctx) }()
		go func() { defer s.busWG.Done(); s.heartbeatLoop(ctx) }()
		s.unsubBus = cfg.Bus.Subscribe(s.receive)
	}
	return s, nil
}

// Handler returns the HTTP handler of every route; HEAD is answered
// wherever GET is.
func (s *Server) Handler() http.Handler { return headAsGet(s.echo) }

// MetricsHandler serves the Prometheus metrics, for serving them on
// another address (Config.Metrics MetricsOff).
func (s *Server) MetricsHandler() http.Handler { return s.metrics.handler() }

// Shutdown closes every websocket with StatusGoingAway ("server
// restarting, reconnect"), waits for the connections to finish (or ctx to
// end), then closes the pad engine, which finishes the commits in flight
// so that every acknowledged op is stored. New websockets are refused
// from the start. It does not stop the HTTP listener: that is the
// http.Server's Shutdown.
func (s *Server) Shutdown(ctx context.Context) error {
	var err error
	s.shutOnce.Do(func() {
		s.connsMu.Lock()
		s.closing.Store(true) // under connsMu: track adds no connection after this
		for cn := range s.conns {
			cn.kill(protocol.CloseRestarting)
		}
		s.connsMu.Unlock()
		done := make(chan struct{})
		go func() { s.connsWG.Wait(); close(done) }()
		select {
		case <-done:
		case <-ctx.Done():
			err = fmt.Errorf("httpapi: shutdown: websockets still closing: %w", ctx.Err())
		}
		s.search.close()
		s.engine.Close()
		if s.unsubBus != nil {
			s.unsubBus()
		}
		s.busMu.Lock()
		s.busStopped = true
		s.busMu.Unlock()
		s.stopBus()
		s.busWG.Wait()
	})
	return err
}

// track adds or removes a connection from the set Shutdown closes; it
// adds none once Shutdown has begun, and then reports false.
func (s *Server) track(cn *conn, add bool) bool {
	s.connsMu.Lock()
	defer s.connsMu.Unlock()
	if add {
		if s.closing.Load() {
			return false
		}
		s.conns[cn] = struct{}{}
		s.connsWG.Add(1)
		s.metrics.connections.Inc()
		return true
	}
	delete(s.conns, cn)
	s.connsWG.Done()
	s.metrics.connections.Dec()
	return true
}

// onCommit is the engine's OnCommit: it runs with the pad locked.
func (s *Server) onCommit(pad string, recs []collab.Record) {
	if h := s.lookupHub(pad); h != nil {
		h.commit(recs)
	}
	s.search.indexer.Touch(pad)
}

// onReset is the engine's OnReset: the pad's history changed under its
// connections.
func (s *Server) onReset(pad string) {
	if h := s.lookupHub(pad); h != nil {
		h.reset()
	}
}

// acquireHub returns the pad's hub, creating it for the first connection.
func (s *Server) acquireHub(session conference.Session) *hub {
	s.hubsMu.Lock()
	defer s.hubsMu.Unlock()
	h := s.hubs[session.ID]
	if h == nil {
		h = newHub(s, session)
		s.hubs[session.ID] = h
	}
	h.refs++
	return h
}

// releaseHub drops a reference; the last one removes the hub.
func (s *Server) releaseHub(h *hub) {
	s.hubsMu.Lock()
	defer s.hubsMu.Unlock()
	h.refs--
	if h.refs == 0 && s.hubs[h.pad] == h {
		delete(s.hubs, h.pad)
	}
}

func (s *Server) lookupHub(pad string) *hub {
	s.hubsMu.RLock()
	defer s.hubsMu.RUnlock()
	return s.hubs[pad]
}

// people counts everyone connected to a pad on every replica.
func (s *Server) people(pad string) int {
	if h := s.lookupHub(pad); h != nil {
		return h.people()
	}
	return s.remote.Count(pad)
}
