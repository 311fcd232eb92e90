package httpapi

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/confpad/confpad/authors"
	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/site"
)

// authorFlushInterval is how often the server writes what it learnt about
// authors to the author table.
const authorFlushInterval = time.Second

// authorNotes gathers what this replica learns about the authors of the
// ops it commits (their names, colours, edit times and op counts) and
// writes it to the author table in one batch per pad every
// authorFlushInterval, so that an op costs no write of its own. Each
// replica notes only the ops it commits, so counts add up across replicas.
// A crash loses at most the last interval's notes.
type authorNotes struct {
	table authors.Table // nil: authors are not kept

	mu      sync.Mutex
	pending map[string]map[string]authors.Author // by pad, then author id
}

// note merges a into what is pending for pad.
func (n *authorNotes) note(pad string, a authors.Author) {
	if n.table == nil || a.ID == "" {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.pending == nil {
		n.pending = map[string]map[string]authors.Author{}
	}
	if n.pending[pad] == nil {
		n.pending[pad] = map[string]authors.Author{}
	}
	old, ok := n.pending[pad][a.ID]
	if !ok {
		old = authors.Author{ID: a.ID}
	}
	n.pending[pad][a.ID] = authors.Merge(old, a)
}

// noteOp notes one committed op of author at t.
func (n *authorNotes) noteOp(pad, author, name, color string, t time.Time) {
	n.note(pad, authors.Author{ID: author, Name: name, Color: color, First: t, Last: t, Ops: 1})
}

// flush writes what is pending for pad (every pad if pad is ""). Notes
// that fail to be written stay pending for the next flush.
func (n *authorNotes) flush(ctx context.Context, pad string) error {
	if n.table == nil {
		return nil
	}
	n.mu.Lock()
	batch := map[string]map[string]authors.Author{}
	for p, as := range n.pending {
		if pad == "" || p == pad {
			batch[p] = as
			delete(n.pending, p)
		}
	}
	n.mu.Unlock()
	var firstErr error
	for p, as := range batch {
		list := make([]authors.Author, 0, len(as))
		for _, a := range as {
			list = append(list, a)
		}
		if err := n.table.NoteAuthors(ctx, p, list); err != nil {
			firstErr = cmp.Or(firstErr, err)
			for _, a := range list {
				n.note(p, a)
			}
		}
	}
	return firstErr
}

// flushLoop flushes every authorFlushInterval until ctx ends, and once
// more then.
func (n *authorNotes) flushLoop(ctx context.Context, onErr func(error)) {
	t := time.NewTicker(authorFlushInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := n.flush(final, ""); err != nil {
				onErr(err)
			}
			return
		case <-t.C:
		}
		if err := n.flush(ctx, ""); err != nil && ctx.Err() == nil {
			onErr(err)
		}
	}
}

// authorJSON is one contributor in GET /api/v1/pads/:id/authors.
type authorJSON struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Color      string     `json:"color"`
	Characters int        `json:"characters"`
	Ops        int        `json:"ops"`
	First      *time.Time `json:"first"`
	Last       *time.Time `json:"last"`
}

// authorsJSON is the answer of GET /api/v1/pads/:id/authors.
type authorsJSON struct {
	Head       int          `json:"head"`
	Characters int          `json:"characters"`
	Authors    []authorJSON `json:"authors"`
}

// timePtr is t in UTC, or nil for the zero time.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// contributors returns the pad's authors at its head: everyone the author
// table knows to have made an op, and everyone who wrote characters still
// in the pad (the table may not know them: ops imported, or stored before
// authors were kept, have no name), most characters first.
func (s *Server) contributors(ctx context.Context, pad string) (authorsJSON, error) {
	runs, head, err := s.engine.Attribution(ctx, pad, -1)
	if err != nil {
		return authorsJSON{}, engineHTTPError(err)
	}
	if err := s.authorNotes.flush(ctx, pad); err != nil {
		s.log.Warn("writing the author table failed", "pad", pad, "err", err)
	}
	var table []authors.Author
	if s.authorNotes.table != nil {
		if table, err = s.authorNotes.table.Authors(ctx, pad); err != nil {
			return authorsJSON{}, err
		}
	}
	out := authorsJSON{Head: head, Authors: []authorJSON{}}
	known := map[string]authors.Author{}
	for _, a := range table {
		known[a.ID] = a
	}
	chars := map[string]int{}
	for _, r := range runs {
		chars[r.Author] += r.Len
		out.Characters += r.Len
	}
	for id, a := range known {
		if a.Ops > 0 || chars[id] > 0 {
			out.Authors = append(out.Authors, authorJSON{ID: id, Name: a.Name, Color: a.Color, Characters: chars[id], Ops: a.Ops, First: timePtr(a.First), Last: timePtr(a.Last)})
		}
	}
	for id, n := range chars {
		if _, ok := known[id]; !ok {
			out.Authors = append(out.Authors, authorJSON{ID: id, Characters: n})
		}
	}
	slices.SortFunc(out.Authors, func(a, b authorJSON) int {
		return cmp.Or(cmp.Compare(b.Characters, a.Characters), cmp.Compare(b.Ops, a.Ops), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// listAuthors answers GET /api/v1/pads/:id/authors: the pad's
// contributors with their names, colours, characters now in the pad, ops
// and first and last edit.
func (s *Server) listAuthors(c echo.Context) error {
	ctx := c.Request().Context()
	sess, err := s.cfg.Catalog.Session(ctx, c.Param("id"))
	if err != nil {
		return catalogError(err)
	}
	out, err := s.contributors(ctx, sess.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// attributionJSON is the answer of GET /api/v1/pads/:id/attribution.
type attributionJSON struct {
	Rev  int          `json:"rev"`
	Head int          `json:"head"`
	Runs []collab.Run `json:"runs"`
}

// getAttribution answers GET /api/v1/pads/:id/attribution?rev=R: who
// wrote each character of revision R (the head when absent), as runs of
// {author, length} in code points, in document order.
func (s *Server) getAttribution(c echo.Context) error {
	rev, err := revParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	sess, err := s.cfg.Catalog.Session(ctx, c.Param("id"))
	if err != nil {
		return catalogError(err)
	}
	runs, head, err := s.engine.Attribution(ctx, sess.ID, rev)
	if err != nil {
		return revisionError(err, rev, head)
	}
	if rev < 0 {
		rev = head
	}
	if runs == nil {
		runs = []collab.Run{}
	}
	return c.JSON(http.StatusOK, attributionJSON{Rev: rev, Head: head, Runs: runs})
}

// renameAuthor keeps a rename for the author table: the next op of the
// connection notes the new name and colour (empty: unchanged).
func (cn *conn) renameAuthor(name, color string) {
	cn.authorName = cmp.Or(name, cn.authorName)
	cn.authorColor = cmp.Or(color, cn.authorColor)
}

// authorship returns who wrote the pad's text at revision rev, with the
// authors' names, for the notes page.
func (s *Server) authorship(ctx context.Context, pad string, rev int) (*site.Authorship, error) {
	runs, head, err := s.engine.Attribution(ctx, pad, rev)
	if err != nil {
		return nil, revisionError(err, rev, head)
	}
	names := map[string]string{}
	if s.authorNotes.table != nil {
		if err := s.authorNotes.flush(ctx, pad); err != nil {
			s.log.Warn("writing the author table failed", "pad", pad, "err", err)
		}
		table, err := s.authorNotes.table.Authors(ctx, pad)
		if err != nil {
			return nil, err
		}
		for _, a := range table {
			names[a.ID] = a.Name
		}
	}
	return &site.Authorship{Runs: runs, Names: names}, nil
}
