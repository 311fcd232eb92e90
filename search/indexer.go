package search

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/confpad/confpad/collab"
)

// Defaults of IndexerConfig.
const (
	// DefaultDelay is how long after a pad changes its text is indexed.
	// Reindexing a busy pad costs an update of its whole text in the
	// index (about 0.5 ms of CPU for a small pad in FTS5): every half
	// second, that was 9 % of the server's CPU under W2 (16 busy pads);
	// every 2 s it is a quarter of that, and notes are still searchable
	// seconds after they are typed.
	DefaultDelay = 2 * time.Second
	// DefaultTimeout bounds reading one pad's text and indexing it.
	DefaultTimeout = 10 * time.Second
	// maxShare bounds the time the Indexer spends indexing: after each
	// pad it rests long enough to stay under this share of one core,
	// however many big pads change at once (the index lags instead).
	maxShare = 0.1
)

// IndexerConfig configures an Indexer. Index, Text and Pads are required.
type IndexerConfig struct {
	// Index is kept current.
	Index Index
	// Text returns a pad's current text and its revision.
	Text func(ctx context.Context, pad string) (text string, rev int, err error)
	// Pads lists every pad that should be indexed (the sessions); the
	// Indexer reads it at start, and every Resync in cluster mode.
	Pads func(ctx context.Context) ([]string, error)
	// Feed, in cluster mode, reports commits of other replicas; the
	// Indexer subscribes to every pad in it. Nil in embedded mode, where
	// every commit is reported to Touch.
	Feed collab.Feed
	// Resync, with a Feed, is how often Pads is read again, to follow
	// sessions created (and drop those deleted) on other replicas
	// (default 10 seconds).
	Resync time.Duration
	// Delay is how long after a pad's first change since it was last
	// indexed it is indexed again (default DefaultDelay): a pad is
	// indexed at most once per Delay however fast people type.
	Delay time.Duration
	// Logger receives failures; slog.Default() if nil.
	Logger *slog.Logger
}

// Indexer keeps an Index current as pads change: Touch marks a pad
// changed (cheap, never blocks: it may be called on the commit path), and
// one goroutine indexes the pad's whole current text Delay later. So index
// upkeep costs at most one read and one index update per pad per Delay,
// off the commit path, and never more than a tenth of one core; the index
// is about Delay behind (more when many big pads change at once).
type Indexer struct {
	cfg    IndexerConfig
	mu     sync.Mutex
	due    map[string]time.Time // pads to index, and when
	subs   map[string]func()    // feed subscriptions by pad
	wake   chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
}

// NewIndexer starts an Indexer: it indexes every pad Pads lists (those
// indexed at their current revision already are skipped by the Index),
// removes indexed pads it does not list, and then follows changes. Call
// Close to stop it.
func NewIndexer(cfg IndexerConfig) *Indexer {
	if cfg.Delay <= 0 {
		cfg.Delay = DefaultDelay
	}
	if cfg.Resync <= 0 {
		cfg.Resync = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	ix := &Indexer{
		cfg: cfg, due: map[string]time.Time{}, subs: map[string]func(){},
		wake: make(chan struct{}, 1), ctx: ctx, cancel: cancel, done: make(chan struct{}),
	}
	go ix.run()
	return ix
}

// Touch marks pad changed: it is indexed within about Delay. It never
// blocks.
func (ix *Indexer) Touch(pad string) {
	ix.mu.Lock()
	_, queued := ix.due[pad]
	if !queued {
		ix.due[pad] = time.Now().Add(ix.cfg.Delay)
	}
	ix.mu.Unlock()
	if !queued {
		select {
		case ix.wake <- struct{}{}:
		default:
		}
	}
}

// Remove drops pad from the index now (its session was deleted), and
// forgets a pending update of it.
func (ix *Indexer) Remove(ctx context.Context, pad string) error {
	ix.mu.Lock()
	delete(ix.due, pad)
	if cancel := ix.subs[pad]; cancel != nil {
		cancel()
		delete(ix.subs, pad)
	}
	ix.mu.Unlock()
	return ix.cfg.Index.Remove(ctx, pad)
}

// Close stops the Indexer and its feed subscriptions; pending updates are
// dropped (the next start indexes what changed).
func (ix *Indexer) Close() {
	ix.cancel()
	<-ix.done
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for pad, cancel := range ix.subs {
		cancel()
		delete(ix.subs, pad)
	}
}

// run syncs with Pads, then indexes pads as they fall due.
func (ix *Indexer) run() {
	defer close(ix.done)
	ix.sync()
	resync := time.NewTicker(ix.cfg.Resync)
	defer resync.Stop()
	if ix.cfg.Feed == nil {
		resync.Stop()
	}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		next, ok := ix.nextDue()
		if ok {
			timer.Reset(max(0, time.Until(next)))
		}
		select {
		case <-ix.ctx.Done():
			return
		case <-resync.C:
			ix.sync()
		case <-ix.wake:
		case <-timer.C:
			for _, pad := range ix.takeDue() {
				start := time.Now()
				ix.index(pad)
				if !ix.rest(time.Since(start)) {
					return
				}
			}
		}
		timer.Stop()
	}
}

// rest waits so that work, the time indexing took, is at most maxShare
// of the time; false if the Indexer was closed meanwhile.
func (ix *Indexer) rest(work time.Duration) bool {
	pause := time.NewTimer(time.Duration(float64(work) * (1/maxShare - 1)))
	defer pause.Stop()
	select {
	case <-ix.ctx.Done():
		return false
	case <-pause.C:
		return true
	}
}

// nextDue returns the earliest due time.
func (ix *Indexer) nextDue() (time.Time, bool) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	var next time.Time
	for _, t := range ix.due {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	return next, !next.IsZero()
}

// takeDue removes and returns the pads that are due.
func (ix *Indexer) takeDue() []string {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	now := time.Now()
	var pads []string
	for pad, t := range ix.due {
		if !t.After(now) {
			pads = append(pads, pad)
			delete(ix.due, pad)
		}
	}
	return pads
}

// index reads pad's text and indexes it. A failure is logged and the pad
// retried after Delay.
func (ix *Indexer) index(pad string) {
	ctx, cancel := context.WithTimeout(ix.ctx, DefaultTimeout)
	defer cancel()
	text, rev, err := ix.cfg.Text(ctx, pad)
	if err == nil {
		err = ix.cfg.Index.Update(ctx, pad, rev, text)
	}
	if err != nil && ix.ctx.Err() == nil {
		ix.cfg.Logger.Warn("indexing a pad for search", "pad", pad, "err", err)
		ix.Touch(pad)
	}
}

// sync reads Pads: pads not followed yet are subscribed to (with a Feed)
// and queued for indexing; indexed pads no longer listed are removed.
func (ix *Indexer) sync() {
	ctx, cancel := context.WithTimeout(ix.ctx, DefaultTimeout)
	defer cancel()
	pads, err := ix.cfg.Pads(ctx)
	if err != nil {
		if ix.ctx.Err() == nil {
			ix.cfg.Logger.Warn("listing pads to index", "err", err)
		}
		return
	}
	listed := make(map[string]bool, len(pads))
	for _, pad := range pads {
		listed[pad] = true
		ix.follow(pad)
	}
	indexed, err := ix.cfg.Index.Pads(ctx)
	if err != nil {
		ix.cfg.Logger.Warn("listing indexed pads", "err", err)
		return
	}
	for _, pad := range indexed {
		if !listed[pad] {
			if err := ix.Remove(ctx, pad); err != nil {
				ix.cfg.Logger.Warn("removing a deleted pad from the index", "pad", pad, "err", err)
			}
		}
	}
}

// follow queues pad for indexing the first time it is seen, subscribing
// to its feed if there is one.
func (ix *Indexer) follow(pad string) {
	ix.mu.Lock()
	_, seen := ix.subs[pad]
	if !seen {
		ix.subs[pad] = func() {}
	}
	ix.mu.Unlock()
	if seen {
		return
	}
	if ix.cfg.Feed != nil {
		cancel := ix.cfg.Feed.Subscribe(pad, func([]collab.Record) { ix.Touch(pad) })
		ix.mu.Lock()
		if _, ok := ix.subs[pad]; ok {
			ix.subs[pad] = cancel
			cancel = nil
		}
		ix.mu.Unlock()
		if cancel != nil {
			cancel() // removed meanwhile
		}
	}
	ix.Touch(pad)
}
