package collab

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
	"unicode/utf8"
)

// maxBatch bounds how many submissions one Log.Append carries.
const maxBatch = 256

// submission is a queued Submit call waiting for its outcome.
type submission struct {
	Submission
	done chan outcome
}

type outcome struct {
	res Result
	err error
}

// pad is one loaded pad. Its loop goroutine is the only writer of doc and
// recent; it writes them under mu, so other goroutines read them under mu.
type pad struct {
	e  *Engine
	id string

	// Guarded by e.mu.
	refs     int
	lastUsed time.Time

	loaded  chan struct{} // closed when loading finished
	loadErr error

	mu     sync.Mutex
	doc    *Doc
	attr   *Attribution // who wrote each character of doc
	recent History      // the last records; its head is the pad's
	snap   int          // revision of the newest snapshot saved or loaded
	stored int64        // the Size of every record in the log (about)

	qmu      sync.Mutex
	queue    []*submission
	inbox    [][]Record      // from the Feed; nil entry means "read the log"
	synced   []chan struct{} // closed once the inbox before them is taken
	stopping bool
	broken   bool // set by the loop when the document no longer matches the log
	wake     chan struct{}
	done     chan struct{} // closed when the loop has exited
	unsub    func()
}

func newPad(e *Engine, id string) *pad {
	return &pad{e: e, id: id, loaded: make(chan struct{}), wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// load subscribes to the feed, reads the pad from the log and starts its
// loop. Subscribing first means nothing published during the load is lost.
func (p *pad) load() {
	defer close(p.loaded)
	// What the checkpoint cache keeps of this pad was read while it was
	// not loaded here: its history may have been rewritten since (a Log
	// that lost records, which another replica then committed again).
	p.e.checkpoints.forget(p.id)
	if p.e.cfg.Feed != nil {
		p.unsub = p.e.cfg.Feed.Subscribe(p.id, p.remote)
	}
	ctx, cancel := p.e.logCtx()
	defer cancel()
	snap, recs, err := LoadIntact(ctx, p.e.cfg.Log, p.id)
	if err == nil {
		// Loading is not committing: these records are not reported.
		p.doc = NewDoc(snap.Text)
		p.recent = p.recordsBefore(ctx, snap.Rev, p.e.cfg.KeepRecent-len(recs))
		p.snap = snap.Rev
		p.attr, err = snapshotAttribution(ctx, p.e.cfg.Log, p.id, snap, p.doc.Len())
		if err == nil && snap.Rev > 0 && snap.Attribution == nil && (!IsCheckpoint(snap.Rev) || carriesAttribution(snap.Rev, p.attr.runs)) {
			// A snapshot from before attributions were stored: store
			// the one rebuilt, so that this happens once.
			p.writeSnapshot(Snapshot{Rev: snap.Rev, Text: snap.Text}, p.attr.Clone())
		}
	}
	if err == nil {
		_, err = p.apply(recs)
	}
	if sizer, ok := p.e.cfg.Log.(HistorySizer); ok && err == nil {
		p.stored, err = sizer.HistoryBytes(ctx, p.id) // apply counted only recs
	}
	if err != nil {
		p.loadErr = unavailable(err)
		if p.unsub != nil {
			p.unsub()
		}
		close(p.done)
		return
	}
	p.e.wg.Add(1)
	go p.loop()
}

// recordsBeforeChunk is how many records recordsBefore reads at once, so
// that large records are not all read before their size is known.
const recordsBeforeChunk = 32

// recordsBefore returns a History at head holding up to n records before
// it, and no more than KeepBytes of them, read from the log newest first,
// so that a freshly loaded pad places ops and selections made shortly
// before its snapshot. It is best effort: what the log cannot give is
// left out.
func (p *pad) recordsBefore(ctx context.Context, head, n int) History {
	var chunks [][]Record // newest first
	from, bytes := head, 0
	for from > max(0, head-n) && bytes < p.e.cfg.KeepBytes {
		lo := max(0, head-n, from-recordsBeforeChunk)
		recs, err := p.e.cfg.Log.Records(ctx, p.id, lo, from)
		if err != nil || len(recs) != from-lo {
			break
		}
		i := len(recs)
		for i > 0 && bytes+Size(recs[i-1]) <= p.e.cfg.KeepBytes {
			i--
			bytes += Size(recs[i])
		}
		chunks = append(chunks, recs[i:])
		from = lo + i
		if i > 0 {
			break // the next record would pass KeepBytes
		}
	}
	h := NewHistory(from, p.e.cfg.KeepRecent, p.e.cfg.KeepBytes)
	for i := len(chunks) - 1; i >= 0; i-- {
		h.Append(chunks[i]...)
	}
	return h
}

// syncWithLog makes the loop read the log for records other replicas
// committed and waits until it has.
func (p *pad) syncWithLog(ctx context.Context) error {
	ch := make(chan struct{})
	p.qmu.Lock()
	if p.stopping {
		p.qmu.Unlock()
		return errorf(CodeUnavailable, "the pad is being unloaded; send again")
	}
	p.inbox = append(p.inbox, nil)
	p.synced = append(p.synced, ch)
	p.qmu.Unlock()
	p.signal()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// remote takes records from the Feed; it never blocks.
func (p *pad) remote(recs []Record) {
	p.qmu.Lock()
	p.inbox = append(p.inbox, recs)
	p.qmu.Unlock()
	p.signal()
}

func (p *pad) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// enqueue queues a submission; false if the pad is stopping.
func (p *pad) enqueue(s *submission) bool {
	p.qmu.Lock()
	defer p.qmu.Unlock()
	if p.stopping {
		return false
	}
	p.queue = append(p.queue, s)
	p.signal()
	return true
}

// stop makes the loop answer what is queued and exit, and waits for it.
func (p *pad) stop() {
	<-p.loaded
	p.qmu.Lock()
	p.stopping = true
	p.qmu.Unlock()
	p.signal()
	<-p.done
}

// markBroken unloads a pad whose document no longer matches its log, so that
// the next user loads it afresh, and tells OnReset; called only by the loop.
func (p *pad) markBroken() {
	p.broken = true
	p.e.checkpoints.forget(p.id) // the ops it keeps may be the lost ones
	p.e.mu.Lock()
	if p.e.pads[p.id] == p {
		delete(p.e.pads, p.id)
	}
	p.e.mu.Unlock()
	if p.e.cfg.OnReset != nil {
		p.e.cfg.OnReset(p.id)
	}
}

// failQueued stops accepting submissions and answers the queued ones with
// a retryable error.
func (p *pad) failQueued() {
	p.qmu.Lock()
	p.stopping = true
	queue := p.queue
	p.queue = nil
	p.qmu.Unlock()
	for _, s := range queue {
		s.done <- outcome{err: errorf(CodeUnavailable, "pad is reloading; send again")}
	}
}

func (p *pad) loop() {
	defer p.e.wg.Done()
	defer close(p.done)
	if p.unsub != nil {
		defer p.unsub()
	}
	for range p.wake {
		p.qmu.Lock()
		inbox, synced := p.inbox, p.synced
		p.inbox, p.synced = nil, nil
		n := min(len(p.queue), maxBatch)
		batch := p.queue[:n:n]
		p.queue = p.queue[n:]
		more, stopping := len(p.queue) > 0, p.stopping
		p.qmu.Unlock()

		for _, recs := range inbox {
			p.takeRemote(recs)
		}
		for _, ch := range synced {
			close(ch)
		}
		if len(batch) > 0 && !p.broken {
			p.commit(batch)
			batch = nil
		}
		if p.broken {
			p.qmu.Lock()
			p.queue = append(batch, p.queue...)
			p.qmu.Unlock()
			p.failQueued()
			return
		}
		if more {
			p.signal()
		} else if stopping {
			return
		}
	}
}

// takeRemote applies records another replica committed. Records this pad
// already has are skipped (and compared with its own: a different one
// means the log's history changed, and the pad is dropped); a gap, or nil,
// means reading the log.
func (p *pad) takeRemote(recs []Record) {
	for len(recs) > 0 && recs[0].Rev <= p.recent.Head() {
		if old, ok := p.recent.At(recs[0].Rev); ok && !sameRecord(recs[0], old) {
			p.markBroken()
			return
		}
		recs = recs[1:]
	}
	if recs == nil || len(recs) > 0 && recs[0].Rev != p.recent.Head()+1 {
		_, _ = p.catchUp() // on failure the next commit's conflict catches up
		return
	}
	if err := p.applyRecords(recs); err != nil {
		_, _ = p.catchUp()
	}
}

// catchUp reads every record after head from the log and returns how many
// it found.
func (p *pad) catchUp() (int, error) {
	ctx, cancel := p.e.logCtx()
	defer cancel()
	recs, err := p.e.cfg.Log.Records(ctx, p.id, p.recent.Head(), -1)
	if err != nil {
		return 0, err
	}
	return len(recs), p.applyRecords(recs)
}

// errDiverged: the log's history after some revision is not this pad's.
var errDiverged = errors.New("the log's records differ from the pad's")

// restoreLog appends again the records a log lost from the end of this
// pad's history, taken from recent records, so that no acknowledged op is
// lost and no connected editor is left ahead of the pad. It fails if the
// log lost more than the recent records hold, or if the records it kept
// are not the pad's (another replica has written a different history), or
// if the log moved meanwhile (the pad then reloads, which is correct in
// every case).
func (p *pad) restoreLog() error {
	ctx, cancel := p.e.logCtx()
	defer cancel()
	first := p.recent.First()
	ours, _ := p.recent.After(first)
	kept, err := p.e.cfg.Log.Records(ctx, p.id, first, -1)
	if err != nil {
		return err
	}
	for i, r := range kept {
		if i >= len(ours) || !sameRecord(r, ours[i]) {
			return errDiverged
		}
	}
	return p.e.cfg.Log.Append(ctx, p.id, first+len(kept), ours[len(kept):])
}

// sameRecord reports whether a and b are the same commit.
func sameRecord(a, b Record) bool {
	return a.Rev == b.Rev && a.Client == b.Client && a.Seq == b.Seq && a.Op.Equal(b.Op)
}

// commit transforms a batch of submissions, appends them to the log and
// answers each. On a lost race with another replica it catches up and
// tries again.
func (p *pad) commit(batch []*submission) {
	if p.e.cfg.Feed != nil && slices.ContainsFunc(batch, func(s *submission) bool { return s.Base > p.recent.Head() }) {
		// Another replica committed what this client saw; this one has
		// not heard of it yet.
		_, _ = p.catchUp()
	}
	for {
		recs, outs := p.prepare(batch)
		if len(recs) == 0 {
			answer(batch, outs)
			return
		}
		ctx, cancel := p.e.logCtx()
		err := p.e.cfg.Log.Append(ctx, p.id, p.recent.Head(), recs)
		cancel()
		if errors.Is(err, ErrConflict) {
			var n int
			if n, err = p.catchUp(); err == nil && n > 0 {
				continue
			}
			if err == nil {
				// The log holds fewer revisions than this pad: it lost
				// acknowledged ops (a Redis restart that had not written
				// them, a failover to a lagging replica). Give them back
				// from recent history; if that cannot be done, retrying
				// would spin: reload the pad from the log instead.
				if err = p.restoreLog(); err == nil {
					continue
				}
				p.markBroken()
				err = errorf(CodeUnavailable, "the log is behind this pad's revision %d (%v); reloading the pad", p.recent.Head(), err)
			}
		}
		if err != nil {
			for i := range outs {
				if outs[i].err == nil && !outs[i].res.Duplicate {
					outs[i] = outcome{err: unavailable(err)}
				}
			}
			answer(batch, outs)
			return
		}
		if err := p.applyRecords(recs); err != nil {
			// prepare checked every op against the document, so this is a
			// bug; the records are durable, so let the next user reload the
			// pad from the log.
			p.markBroken()
		}
		answer(batch, outs)
		return
	}
}

func answer(batch []*submission, outs []outcome) {
	for i, s := range batch {
		s.done <- outs[i]
	}
}

// prepare turns a batch into the records to append after head: each op is
// transformed against the history after its base and the batch before it,
// checked against the document it will apply to, and deduplicated by
// (client, seq).
func (p *pad) prepare(batch []*submission) ([]Record, []outcome) {
	var recs []Record
	outs := make([]outcome, len(batch))
	length := p.doc.Len()
	now := p.e.cfg.Now()
	stored := p.stored
	for i, s := range batch {
		hist, err := p.recentAfterLocked(s.Base)
		if err != nil {
			outs[i].err = err
			continue
		}
		var next int
		outs[i], next = p.rebaseSubmission(s.Submission, hist, recs, length)
		if outs[i].err != nil || outs[i].res.Duplicate {
			continue
		}
		author := s.Author
		if author == "" {
			author = s.Client
		}
		rec := Record{Rev: p.recent.Head() + len(recs) + 1, Op: outs[i].res.Op, Client: s.Client, Seq: s.Seq, Author: author, Runs: s.Runs, Time: now}
		if rec.Runs != nil {
			if err := CheckRuns(rec.Runs, rec.Op.insertLen()); err != nil {
				outs[i] = outcome{err: errorf(CodeBadOp, "after transforming: %v", err)}
				continue
			}
		}
		if stored+int64(Size(rec)) > p.e.cfg.MaxHistoryBytes {
			outs[i] = outcome{err: errorf(CodeQuotaExceeded, "the pad's history has reached its quota of %d bytes; no more edits are stored", p.e.cfg.MaxHistoryBytes)}
			continue
		}
		stored += int64(Size(rec))
		length = next
		recs = append(recs, rec)
		outs[i].res.Rev = rec.Rev
	}
	return recs, outs
}

// rebaseSubmission transforms s against the committed history after its
// base and then the records already prepared in this batch, and checks the
// result fits a document of length code points. It returns the length of
// the document after the op (length itself if the op is not committed).
func (p *pad) rebaseSubmission(s Submission, hist, batch []Record, length int) (outcome, int) {
	op := s.Op
	for _, part := range [2][]Record{hist, batch} {
		for _, r := range part {
			if r.Client == s.Client && r.Seq == s.Seq {
				return outcome{res: Result{Rev: r.Rev, Op: r.Op, Duplicate: true}}, length
			}
			// Both ops were validated on the way in: Submit checked op,
			// and the history holds only committed ops. Side Right: at a
			// tie, what was committed first stays first, so a late insert
			// at someone's cursor goes after what they typed there and
			// their cursor stays in their own text.
			op = transform(op, r.Op, Right)
		}
	}
	if n := op.baseLen(); n > length {
		return outcome{err: errorf(CodeBadOp, "op spans %d characters but the document has %d", n, length)}, length
	}
	n := length + op.insertLen() - op.deleteLen()
	if n > p.e.cfg.MaxDocLen {
		return outcome{err: errorf(CodeTooLarge, "the pad would hold %d characters, limit is %d", n, p.e.cfg.MaxDocLen)}, length
	}
	return outcome{res: Result{Op: op}}, n
}

// applyRecords applies contiguous records after head to the document,
// reports them through OnCommit and saves a snapshot when one is due. It
// stops at the first record that does not follow or does not apply.
func (p *pad) applyRecords(recs []Record) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	applied, err := p.apply(recs)
	if len(applied) == 0 {
		return err
	}
	if p.e.cfg.OnCommit != nil {
		p.e.cfg.OnCommit(p.id, applied)
	}
	if p.recent.Head()-p.snap >= p.e.cfg.SnapshotEvery {
		p.saveSnapshot(p.recent.Head())
	}
	return err
}

// apply applies contiguous records after head to the document and keeps
// them as recent history; p.mu is held (or the pad is not shared yet). It
// returns the records it applied.
func (p *pad) apply(recs []Record) ([]Record, error) {
	var err error
	head := p.recent.Head()
	applied := 0
	for _, r := range recs {
		if r.Rev != head+1 {
			err = errorf(CodeUnavailable, "record %d does not follow head %d", r.Rev, head)
			break
		}
		if err = applyRecord(p.doc, p.attr, r); err != nil {
			break
		}
		head = r.Rev
		applied++
		if IsCheckpoint(head) {
			p.saveSnapshot(head)
		}
	}
	recs = recs[:applied]
	p.recent.Append(recs...)
	for _, r := range recs {
		p.stored += int64(Size(r))
	}
	return recs, err
}

// saveSnapshot saves the document as a snapshot at rev, the revision it
// is at, with its attribution if rev is not a checkpoint or is one that
// carries it (carriesAttribution), in the background; p.mu is held (or
// the pad is not shared yet). It copies the text here and the
// attribution in O(1) (a clone), whose runs the background writer lists.
func (p *pad) saveSnapshot(rev int) {
	p.snap = rev
	var attr *Attribution
	if !IsCheckpoint(rev) || carriesAttribution(rev, p.attr.runs) {
		attr = p.attr.Clone()
	}
	p.writeSnapshot(Snapshot{Rev: rev, Text: p.doc.String()}, attr)
}

// writeSnapshot writes s in the background, with its Sum if its text is
// valid UTF-8 (the engine's texts are; checking it is cheap insurance
// that no sum ever vouches for a text that is not) and with the runs of
// attr (nil: none) as its attribution; attr must not change any more.
func (p *pad) writeSnapshot(s Snapshot, attr *Attribution) {
	p.e.wg.Add(1)
	go func() {
		defer p.e.wg.Done()
		if utf8.ValidString(s.Text) {
			s.Sum = TextSum(s.Text)
		}
		if attr != nil {
			s.Attribution = attr.Runs()
		}
		ctx, cancel := p.e.logCtx()
		defer cancel()
		_ = p.e.cfg.Log.SaveSnapshot(ctx, p.id, s) // best effort: a lost snapshot costs replay time only
	}()
}

// recentAfterLocked returns the recent records after base up to the head
// (shared: the caller must not change them); p.mu is held, or the caller
// is the loop, the only writer. A base after the head is rev_ahead, one
// older than the recent records rev_too_old: the log is never read here,
// so placing an op or a selection costs at most the recent records.
func (p *pad) recentAfterLocked(base int) ([]Record, error) {
	head := p.recent.Head()
	if base > head {
		return nil, errorf(CodeRevAhead, "revision %d is after the head %d", base, head)
	}
	recs, ok := p.recent.After(base)
	if !ok {
		return nil, errorf(CodeRevTooOld, "revision %d is older than the %d recent revisions kept (head %d); load the pad again", base, head-p.recent.First(), head)
	}
	return recs, nil
}

// join runs fn at a consistent point; see Engine.Join.
func (p *pad) join(ctx context.Context, since int, fn func(head int, text *string, missed []Record)) error {
	p.mu.Lock()
	behind := since > p.recent.Head()
	p.mu.Unlock()
	if behind && p.e.cfg.Feed != nil {
		// The client saw revisions on another replica that this one has
		// not heard of yet.
		if err := p.syncWithLog(ctx); err != nil {
			return err
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if since >= 0 && since < p.recent.First() {
		since = -1 // a far resume: a snapshot is cheaper than the records
	}
	if since < 0 {
		text := p.doc.String()
		fn(p.recent.Head(), &text, nil)
		return nil
	}
	recs, err := p.recentAfterLocked(since)
	if err != nil {
		return err
	}
	fn(p.recent.Head(), nil, recs)
	return nil
}

// appendText appends the text at rev (rev < 0: the head) to dst and
// returns it with the head; it fails returning dst as it was. A read of
// an old revision takes one of the engine's turns (Engine.oldReads).
func (p *pad) appendText(ctx context.Context, dst []byte, rev int) ([]byte, int, error) {
	p.mu.Lock()
	head := p.recent.Head()
	if rev < 0 || rev == head {
		defer p.mu.Unlock()
		return p.doc.r.appendText(dst, 0, p.doc.r.chars), head, nil
	}
	p.mu.Unlock()
	if rev > head {
		return dst, head, errorf(CodeRevAhead, "revision %d is after the head %d", rev, head)
	}
	if err := p.e.oldReads.Take(ctx); err != nil {
		return dst, head, unavailable(err)
	}
	defer p.e.oldReads.Done()
	snap, ops, err := p.readRevision(ctx, rev, head)
	if err != nil {
		return dst, head, err
	}
	if c := rev - rev%CheckpointEvery; c > snap.Rev {
		// The log lacks the checkpoint below rev (the pad's history is
		// older than checkpoints): save it, so that the next read near
		// here replays fewer records.
		text, err := replayValidText(snap, ops[:c-snap.Rev])
		if err != nil {
			return dst, head, unavailable(err) // the stored ops do not fit
		}
		snap, ops = Snapshot{Rev: c, Text: text}, ops[c-snap.Rev:]
		p.writeSnapshot(snap, nil)
	}
	b, err := appendReplayed(dst, snap, ops)
	return b, head, unavailable(err)
}

// readRevision reads the latest snapshot at or below rev, whose text it
// checks (Snapshot.checkText), and the ops of the revisions after it up
// to rev: in one step and with the engine's checkpoint cache where the
// Log is a RevisionReader. head is the pad's head.
func (p *pad) readRevision(ctx context.Context, rev, head int) (Snapshot, []Op, error) {
	log := p.e.cfg.Log
	if rr, ok := log.(RevisionReader); ok {
		_, snap, ops, err := p.e.readRevision(ctx, rr, p.id, rev, head)
		return snap, ops, err
	}
	snap, err := log.SnapshotAt(ctx, p.id, rev)
	if err != nil {
		return Snapshot{}, nil, unavailable(err)
	}
	if err := snap.checkText(); err != nil {
		return Snapshot{}, nil, err
	}
	recs, err := readRecords(ctx, log, p.id, snap.Rev, rev)
	if err != nil {
		return Snapshot{}, nil, err
	}
	return snap, recordOps(recs), nil
}
