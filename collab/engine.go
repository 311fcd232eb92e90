package collab

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/confpad/confpad/internal/turns"
)

// Defaults for the zero values of Config.
const (
	DefaultMaxDocLen     = 2 << 20 // code points
	DefaultMaxOpLen      = 256 << 10
	DefaultSnapshotEvery = 500
	DefaultKeepRecent    = 2000
	DefaultKeepBytes     = 8 << 20
	DefaultMaxHistory    = 64 << 20
	DefaultIdleTimeout   = 5 * time.Minute
	DefaultLogTimeout    = 10 * time.Second
)

// Config configures an Engine. Log is required; everything else has a
// default.
type Config struct {
	// Log stores every pad's history. An op is acknowledged only after
	// Log.Append returned nil for it.
	Log Log
	// Feed, in cluster mode, reports records committed by other replicas.
	// Nil in embedded mode, where this engine is the only writer.
	Feed Feed
	// OnCommit is called with every record that becomes part of a loaded
	// pad, local or remote, in revision order, exactly once per record per
	// engine. It runs while the pad is locked (so it is ordered with Join)
	// and must not block.
	OnCommit func(pad string, recs []Record)
	// OnReset is called when a loaded pad finds that the log no longer
	// holds the history it reported through OnCommit (the store lost
	// committed records and others took their revisions): the pad is
	// dropped and loads again from the log on next use, and whoever
	// holds its earlier state must start over. It must not block.
	OnReset func(pad string)
	// MaxDocLen limits a pad's length in code points.
	MaxDocLen int
	// MaxOpLen limits the code points one op inserts plus deletes.
	MaxOpLen int
	// MaxHistoryBytes is a pad's history quota: the Size of all its
	// records (what the Log stores, about). An op that would pass it is
	// refused with quota_exceeded, so that one client cannot fill the
	// disk through one pad. Known across restarts with a Log that is a
	// HistorySizer.
	MaxHistoryBytes int64
	// SnapshotEvery saves a snapshot after this many ops.
	SnapshotEvery int
	// KeepRecent is how many recent records a loaded pad keeps in memory
	// to transform late ops without reading the log, and KeepBytes bounds
	// their size (History); an op or selection older than them is
	// refused with rev_too_old.
	KeepRecent int
	KeepBytes  int
	// IdleTimeout unloads pads that nobody has used for this long.
	IdleTimeout time.Duration
	// LogTimeout bounds each call to the Log.
	LogTimeout time.Duration
	// CheckpointCacheBytes bounds the texts of recently read checkpoints,
	// and the ops after them that reads fetched, kept to read old
	// revisions near them faster (Logs that are RevisionReaders only).
	CheckpointCacheBytes int
	// Now returns the commit time of records; time.Now if nil.
	Now func() time.Time
}

func (c Config) withDefaults() Config {
	if c.MaxDocLen <= 0 {
		c.MaxDocLen = DefaultMaxDocLen
	}
	if c.MaxOpLen <= 0 {
		c.MaxOpLen = DefaultMaxOpLen
	}
	if c.MaxHistoryBytes <= 0 {
		c.MaxHistoryBytes = DefaultMaxHistory
	}
	if c.SnapshotEvery <= 0 {
		c.SnapshotEvery = DefaultSnapshotEvery
	}
	if c.KeepRecent <= 0 {
		c.KeepRecent = DefaultKeepRecent
	}
	if c.KeepBytes <= 0 {
		c.KeepBytes = DefaultKeepBytes
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.LogTimeout <= 0 {
		c.LogTimeout = DefaultLogTimeout
	}
	if c.CheckpointCacheBytes <= 0 {
		c.CheckpointCacheBytes = DefaultCheckpointCacheBytes
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Engine orders the edits of every pad on this replica: it loads pads from
// the Log on first use, transforms each submitted op against the ops
// committed since its base revision, appends it to the Log (batching ops
// that arrive together into one Append) and reports committed records
// through Config.OnCommit. Pads nobody uses are unloaded after IdleTimeout.
// All methods are safe for concurrent use.
type Engine struct {
	cfg Config

	mu     sync.Mutex
	pads   map[string]*pad
	closed bool

	checkpoints *checkpointCache
	// oldReads admits reads of old revisions (texts and attributions)
	// one per CPU, first come, first served, each to its end: a read from
	// the checkpoint cache never blocks, and without turns a few of them
	// kept the CPUs while reads that needed the log waited.
	oldReads turns.Turns

	stopJanitor chan struct{}
	wg          sync.WaitGroup // pad loops, snapshot writers, janitor
}

// Submission is an op a client sent.
type Submission struct {
	// Client and Seq identify the submission: a resubmitted (Client, Seq)
	// is answered with the original result and not applied twice. Client
	// is the author's id; Seq counts the author's ops.
	Client string
	Seq    int
	// Author is the public id of the op's author, stored with its record;
	// empty means Client.
	Author string
	// Runs, if not nil, are the Runs of the op's record: who wrote each
	// character it inserts, in order (see Record.Runs and CheckRuns).
	// Transforming the op keeps its inserts, so they still fit the op as
	// committed.
	Runs []Run
	// Base is the revision the op was made on.
	Base int
	// Op is the change, relative to revision Base.
	Op Op
	// Bulk raises the limit on the characters the op changes from
	// MaxOpLen to twice MaxDocLen (a whole pad replaced by another), for
	// an admin's import or restore; never for an op a client sent.
	Bulk bool
}

// Result is the outcome of a committed Submission.
type Result struct {
	// Rev is the revision the op became.
	Rev int
	// Op is the op as committed, transformed to apply at Rev-1.
	Op Op
	// Duplicate reports that (Client, Seq) had already been committed and
	// this call only looked up its result.
	Duplicate bool
}

// NewEngine returns an engine over cfg.Log. Call Close to stop it.
func NewEngine(cfg Config) *Engine {
	e := &Engine{cfg: cfg.withDefaults(), pads: map[string]*pad{}, stopJanitor: make(chan struct{})}
	e.checkpoints = newCheckpointCache(e.cfg.CheckpointCacheBytes)
	e.oldReads = turns.PerCPU()
	e.wg.Add(1)
	go e.janitor()
	return e
}

// Submit commits an op to a pad and returns its revision once the Log has
// made it durable. Errors of type *Error are the client's to fix (or, with
// CodeUnavailable, to retry); nothing was applied. If ctx ends first, the op
// may still commit; resubmitting it with the same (Client, Seq) is safe.
func (e *Engine) Submit(ctx context.Context, padID string, s Submission) (Result, error) {
	if err := s.Op.validate(true); err != nil {
		return Result{}, errorf(CodeBadOp, "%v", err)
	}
	limit := e.cfg.MaxOpLen
	if s.Bulk {
		limit = max(limit, 2*e.cfg.MaxDocLen)
	}
	if n := s.Op.insertLen() + s.Op.deleteLen(); n > limit {
		return Result{}, errorf(CodeTooLarge, "op changes %d characters, limit is %d", n, limit)
	}
	if len(s.Runs) == 0 {
		s.Runs = nil // nothing to attribute: no record has empty runs
	} else if err := CheckRuns(s.Runs, s.Op.insertLen()); err != nil {
		return Result{}, errorf(CodeBadOp, "%v", err)
	}
	if s.Base < 0 {
		return Result{}, errorf(CodeBadOp, "negative base revision %d", s.Base)
	}
	// Valid ops may still hold neighbours of one kind, which transform
	// does not handle convergently; the history holds only normal ops.
	s.Op = Normalize(s.Op)
	p, err := e.acquire(ctx, padID)
	if err != nil {
		return Result{}, err
	}
	defer e.release(p)
	sub := &submission{Submission: s, done: make(chan outcome, 1)}
	if !p.enqueue(sub) {
		return Result{}, errorf(CodeUnavailable, "the pad is being unloaded; send again")
	}
	select {
	case o := <-sub.done:
		return o.res, o.err
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// Join calls fn with the pad's state at a consistent point: no record is
// reported through OnCommit between fn's view and the records that follow
// it. With since < 0, or a since older than the recent records (a far
// resume, which would otherwise send thousands of records), fn gets the
// head and the full text; with since among the recent records up to the
// head, it gets the head and the records after since (text is nil). A
// since after the head is rev_ahead. Join keeps the pad loaded until the
// returned leave function is called.
func (e *Engine) Join(ctx context.Context, padID string, since int, fn func(head int, text *string, missed []Record)) (leave func(), err error) {
	p, err := e.acquire(ctx, padID)
	if err != nil {
		return nil, err
	}
	if err := p.join(ctx, since, fn); err != nil {
		e.release(p)
		return nil, err
	}
	var once sync.Once
	return func() { once.Do(func() { e.release(p) }) }, nil
}

// Text returns the pad's text at revision rev (rev < 0: the head) and the
// head revision.
//
// An old revision of a pad that is not loaded is read from the log without
// loading the pad, where the Log is a RevisionReader: loading reads the
// pad's recent records and sizes its history, which a read of one old
// revision does not need.
func (e *Engine) Text(ctx context.Context, padID string, rev int) (string, int, error) {
	b, head, err := e.AppendText(ctx, nil, padID, rev)
	return bytesString(b), head, err
}

// AppendText is Text that appends the text to dst and returns the
// extended buffer, or dst as it was with an error: for a caller that
// writes the text out and reuses its buffer, so that a read allocates
// next to nothing. Reads of old revisions allocate little else, and the
// texts they would otherwise allocate made the garbage collector the
// largest cost of many reads at once.
func (e *Engine) AppendText(ctx context.Context, dst []byte, padID string, rev int) ([]byte, int, error) {
	if b, head, done, err := e.appendTextUnloaded(ctx, dst, padID, rev); done {
		return b, head, err
	}
	p, err := e.acquire(ctx, padID)
	if err != nil {
		return dst, 0, err
	}
	defer e.release(p)
	return p.appendText(ctx, dst, rev)
}

// LoadedText returns the head text and revision of a pad that is loaded,
// without loading it and without reading the log; ok is false if the pad
// is not loaded (or is still loading, or failed to load). It lets a
// reader that would otherwise replay the pad from the log take the
// engine's copy when there is one.
func (e *Engine) LoadedText(padID string) (text string, head int, ok bool) {
	e.mu.Lock()
	p := e.pads[padID]
	e.mu.Unlock()
	if p == nil {
		return "", 0, false
	}
	select {
	case <-p.loaded:
	default:
		return "", 0, false
	}
	if p.loadErr != nil {
		return "", 0, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.doc.String(), p.recent.Head(), true
}

// appendTextUnloaded is AppendText for an old revision (rev >= 0) of a
// pad that is not loaded, read in one step of a RevisionReader Log; done
// is false where it cannot answer (a loaded pad, another Log, a pad whose
// log lacks the checkpoint below rev, which the loaded path saves).
func (e *Engine) appendTextUnloaded(ctx context.Context, dst []byte, padID string, rev int) (b []byte, head int, done bool, err error) {
	rr, ok := e.cfg.Log.(RevisionReader)
	if !ok || rev < 0 {
		return dst, 0, false, nil
	}
	e.mu.Lock()
	_, loaded := e.pads[padID]
	closed := e.closed
	e.mu.Unlock()
	if loaded || closed {
		return dst, 0, false, nil
	}
	if err := e.oldReads.Take(ctx); err != nil {
		return dst, 0, true, unavailable(err)
	}
	defer e.oldReads.Done()
	head, snap, ops, err := e.readRevision(ctx, rr, padID, rev, -1)
	if err != nil {
		return dst, head, true, err
	}
	if rev-rev%CheckpointEvery > snap.Rev {
		return dst, 0, false, nil
	}
	b, err = appendReplayed(dst, snap, ops)
	return b, head, true, unavailable(err) // the stored ops do not fit
}

// Head returns the pad's head revision.
func (e *Engine) Head(ctx context.Context, padID string) (int, error) {
	p, err := e.acquire(ctx, padID)
	if err != nil {
		return 0, err
	}
	defer e.release(p)
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.recent.Head(), nil
}

// Rebase transforms a selection made at revision base through every op
// committed since, and returns it with the head it now refers to. A base
// older than the pad's recent records is rev_too_old, one after the head
// rev_ahead.
func (e *Engine) Rebase(ctx context.Context, padID string, base int, sel [2]int) ([2]int, int, error) {
	p, err := e.acquire(ctx, padID)
	if err != nil {
		return sel, 0, err
	}
	defer e.release(p)
	p.mu.Lock()
	recs, err := p.recentAfterLocked(base)
	head := p.recent.Head()
	p.mu.Unlock()
	if err != nil {
		return sel, 0, err
	}
	// recs stay valid after the unlock: History never changes records it
	// has handed out.
	for _, r := range recs {
		sel = TransformSelection(sel, r.Op)
	}
	return sel, head, nil
}

// Evict unloads a pad at once, for example after its session was deleted.
// Submissions already queued are answered first.
func (e *Engine) Evict(padID string) {
	e.mu.Lock()
	p := e.pads[padID]
	delete(e.pads, padID)
	e.mu.Unlock()
	e.checkpoints.forget(padID)
	if p != nil {
		p.stop()
	}
}

// Close stops accepting submissions, finishes the ones in flight (so every
// acknowledged op is in the Log) and waits for snapshot writers.
func (e *Engine) Close() {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return
	}
	e.closed = true
	pads := e.pads
	e.pads = map[string]*pad{}
	e.mu.Unlock()
	close(e.stopJanitor)
	for _, p := range pads {
		p.stop()
	}
	e.wg.Wait()
}

// acquire returns the loaded pad, loading it on first use, and holds it
// until release.
func (e *Engine) acquire(ctx context.Context, padID string) (*pad, error) {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil, errorf(CodeUnavailable, "server is shutting down")
	}
	p, ok := e.pads[padID]
	if !ok {
		p = newPad(e, padID)
		e.pads[padID] = p
	}
	p.refs++
	e.mu.Unlock()
	if !ok {
		p.load()
	}
	select {
	case <-p.loaded:
	case <-ctx.Done():
		e.release(p)
		return nil, ctx.Err()
	}
	if p.loadErr != nil {
		e.mu.Lock()
		if e.pads[padID] == p {
			delete(e.pads, padID)
		}
		e.mu.Unlock()
		return nil, p.loadErr
	}
	return p, nil
}

func (e *Engine) release(p *pad) {
	e.mu.Lock()
	p.refs--
	p.lastUsed = e.cfg.Now()
	e.mu.Unlock()
}

// janitor unloads pads that have had no holder for IdleTimeout.
func (e *Engine) janitor() {
	defer e.wg.Done()
	t := time.NewTicker(e.cfg.IdleTimeout / 2)
	defer t.Stop()
	for {
		select {
		case <-e.stopJanitor:
			return
		case <-t.C:
		}
		var idle []*pad
		e.mu.Lock()
		for id, p := range e.pads {
			if p.refs == 0 && e.cfg.Now().Sub(p.lastUsed) >= e.cfg.IdleTimeout {
				delete(e.pads, id)
				idle = append(idle, p)
			}
		}
		e.mu.Unlock()
		for _, p := range idle {
			p.stop()
		}
	}
}

// logCtx bounds one call to the Log.
func (e *Engine) logCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), e.cfg.LogTimeout)
}

// unavailable wraps a Log failure for clients: a read-only pad is the
// client's CodeReadOnly, anything else CodeUnavailable (nil stays nil).
func unavailable(err error) error {
	if err == nil {
		return nil
	}
	var ce *Error
	if errors.As(err, &ce) {
		return err
	}
	if errors.Is(err, ErrReadOnly) {
		return errorf(CodeReadOnly, "this session is archived and read-only")
	}
	return &Error{Code: CodeUnavailable, Message: "storage unavailable: " + err.Error()}
}
