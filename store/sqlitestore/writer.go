package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/confpad/confpad/authors"
	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/internal/episode"
)

// Queue and batch sizes of the group-commit writer.
const (
	// queueLen is how many Appends may wait for the writer before further
	// callers block.
	queueLen = 1024
	// maxBatch caps the Appends committed in one transaction, so that one
	// commit never grows without bound under a flood.
	maxBatch = 512
)

// row is one record of an append, encoded for the ops table.
type row struct {
	client string
	author string
	seq    int
	time   int64  // Unix milliseconds
	op     string // JSON
	runs   sql.NullString
}

// appendReq is one Append, or one NoteAuthors, waiting for the writer.
type appendReq struct {
	ctx  context.Context
	pad  string
	head int
	rows []row
	// authors, if not nil, makes this a NoteAuthors of pad instead of an
	// append: they are merged into the pad's author rows in the same
	// transaction as the appends around them, which spares them a commit
	// (and an fsync) of their own.
	authors []authors.Author
	// done receives the outcome exactly once; it has room for it, so the
	// writer never blocks on a caller.
	done chan error
}

// CommitStats counts the group-commit writer's work since Open.
type CommitStats struct {
	// Appends is the number of Append calls committed.
	Appends int64
	// Commits is the number of write transactions that committed them
	// (and the authors noted meanwhile, see Store.NoteAuthors);
	// Appends/Commits is the mean batch size.
	Commits int64
}

// writer is the one goroutine that commits appends. Each transaction
// takes every Append queued at that moment (up to maxBatch), checks each
// against its pad's head as of the earlier appends in the same transaction,
// inserts the ones that match, commits, and only then answers the callers.
// While one transaction is being synced, the next batch queues up.
type writer struct {
	db     *sql.DB
	health *episode.Tracker
	// headStmt, insertStmt and noteStmt are prepared on first use and
	// kept while the writer runs: its one connection keeps them compiled,
	// so a commit does not parse SQL again. Only the writer goroutine
	// touches them.
	headStmt, insertStmt, noteStmt *sql.Stmt

	// mu is held for reading while a caller hands over a request and for
	// writing to close reqs, so that no request is ever sent on a closed
	// channel or left behind in it.
	mu     sync.RWMutex
	closed bool
	reqs   chan *appendReq
	done   chan struct{} // closed when run returns

	appends, commits atomic.Int64
}

// startWriter starts the writer goroutine for db.
func startWriter(db *sql.DB, h *episode.Tracker) *writer {
	w := &writer{db: db, health: h, reqs: make(chan *appendReq, queueLen), done: make(chan struct{})}
	go w.run()
	return w
}

// submit queues r and waits for its outcome. It gives up with ctx's error
// only while r is still queued; once the writer has taken r into a
// transaction, submit waits for the commit, so its answer always says
// truthfully whether the records were stored.
func (w *writer) submit(r *appendReq) error {
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return ErrClosed
	}
	select {
	case w.reqs <- r:
		w.mu.RUnlock()
	case <-r.ctx.Done():
		w.mu.RUnlock()
		return r.ctx.Err()
	}
	return <-r.done
}

// close stops accepting appends, lets the writer commit everything already
// queued, and waits for it to finish.
func (w *writer) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.reqs)
	}
	w.mu.Unlock()
	<-w.done
}

// stats returns the writer's counters.
func (w *writer) stats() CommitStats {
	return CommitStats{Appends: w.appends.Load(), Commits: w.commits.Load()}
}

// run commits batches until reqs is closed and drained.
func (w *writer) run() {
	defer close(w.done)
	defer w.closeStatements()
	for first := range w.reqs {
		w.commitBatch(first)
	}
}

// prepare makes the writer's statements if they are not made yet.
func (w *writer) prepare() error {
	if w.insertStmt != nil {
		return nil
	}
	ctx := context.Background()
	// The pad's head, and whether its session is archived: read in the
	// append's own transaction, so a session archived before it began
	// refuses the append.
	head, err := w.db.PrepareContext(ctx, `SELECT
		COALESCE((SELECT rev FROM ops WHERE pad = ?1 ORDER BY rev DESC LIMIT 1), 0),
		EXISTS (SELECT 1 FROM sessions WHERE id = ?1 AND state = 'archived')`)
	if err != nil {
		return err
	}
	insert, err := w.db.PrepareContext(ctx, `INSERT INTO ops (pad, rev, client, author, seq, time, op, runs) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		head.Close()
		return err
	}
	note, err := w.db.PrepareContext(ctx, noteAuthorSQL)
	if err != nil {
		head.Close()
		insert.Close()
		return err
	}
	w.headStmt, w.insertStmt, w.noteStmt = head, insert, note
	return nil
}

func (w *writer) closeStatements() {
	if w.insertStmt != nil {
		w.headStmt.Close()
		w.insertStmt.Close()
		w.noteStmt.Close()
	}
}

// commitBatch opens a transaction, gathers first and every request queued
// meanwhile into it, commits, and answers each request.
func (w *writer) commitBatch(first *appendReq) {
	// The transaction outlives any one caller's context: it carries many.
	err := w.prepare()
	var tx *sql.Tx
	if err == nil {
		tx, err = w.db.BeginTx(context.Background(), nil)
	}
	if err != nil {
		w.health.Observe(err)
		first.done <- fmt.Errorf("sqlitestore: append to pad %q: begin: %w", first.pad, err)
		return
	}
	batch := w.gather(first)
	if len(batch) == 0 {
		tx.Rollback()
		return
	}
	results, err := applyBatch(batchStmts{tx.Stmt(w.headStmt), tx.Stmt(w.insertStmt), tx.Stmt(w.noteStmt)}, batch)
	if err == nil {
		err = tx.Commit()
	} else {
		tx.Rollback()
	}
	w.health.Observe(err)
	if err != nil {
		for _, r := range batch {
			r.done <- fmt.Errorf("sqlitestore: append to pad %q: %w", r.pad, err)
		}
		return
	}
	w.commits.Add(1)
	for i, r := range batch {
		if results[i] == nil && r.authors == nil {
			w.appends.Add(1)
		}
		r.done <- results[i]
	}
}

// gather returns first and the requests queued behind it, up to maxBatch,
// answering instead of including those whose caller has given up.
func (w *writer) gather(first *appendReq) []*appendReq {
	batch := make([]*appendReq, 0, 16)
	keep := func(r *appendReq) {
		if err := r.ctx.Err(); err != nil {
			r.done <- err
			return
		}
		batch = append(batch, r)
	}
	keep(first)
	for len(batch) < maxBatch {
		select {
		case r, ok := <-w.reqs:
			if !ok {
				return batch
			}
			keep(r)
		default:
			return batch
		}
	}
	return batch
}

// padState is what an append checks of its pad in the transaction.
type padState struct {
	head     int
	archived bool
}

// batchStmts are the writer's statements in one transaction.
type batchStmts struct {
	head, insert, note *sql.Stmt
}

// applyBatch inserts the rows of every append in batch whose head matches
// its pad's head and whose session is not archived, in order, and merges
// the authors of every NoteAuthors, and returns each request's outcome:
// nil, collab.ErrConflict or collab.ErrReadOnly. A database error aborts
// the whole batch.
func applyBatch(st batchStmts, batch []*appendReq) ([]error, error) {
	ctx := context.Background()
	results := make([]error, len(batch))
	pads := make(map[string]padState, len(batch))
	for i, r := range batch {
		if r.authors != nil {
			for _, a := range r.authors {
				if _, err := st.note.ExecContext(ctx, r.pad, a.ID, a.Name, a.Color, authors.Millis(a.First), authors.Millis(a.Last), a.Ops); err != nil {
					return nil, fmt.Errorf("note author %q of pad %q: %w", a.ID, r.pad, err)
				}
			}
			continue
		}
		p, ok := pads[r.pad]
		if !ok {
			if err := st.head.QueryRowContext(ctx, r.pad).Scan(&p.head, &p.archived); err != nil {
				return nil, fmt.Errorf("read head: %w", err)
			}
			pads[r.pad] = p
		}
		switch {
		case p.head != r.head:
			results[i] = collab.ErrConflict
			continue
		case p.archived:
			results[i] = collab.ErrReadOnly
			continue
		}
		for j, row := range r.rows {
			if _, err := st.insert.ExecContext(ctx, r.pad, p.head+j+1, row.client, row.author, row.seq, row.time, row.op, row.runs); err != nil {
				return nil, fmt.Errorf("insert revision %d: %w", p.head+j+1, err)
			}
		}
		p.head += len(r.rows)
		pads[r.pad] = p
	}
	return results, nil
}
