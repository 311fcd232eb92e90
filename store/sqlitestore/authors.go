package sqlitestore

import (
	"context"
	"fmt"

	"github.com/confpad/confpad/authors"
)

// noteAuthorSQL merges one author into a pad's row (authors.Merge):
// ?1 pad, ?2 id, ?3 name, ?4 color, ?5 first, ?6 last (Unix
// milliseconds, 0 for none), ?7 ops.
const noteAuthorSQL = `INSERT INTO authors (pad, id, name, color, first, last, ops) VALUES (?, ?, ?, ?, ?, ?, ?)
	 ON CONFLICT (pad, id) DO UPDATE SET
	   name  = CASE WHEN excluded.name != '' THEN excluded.name ELSE name END,
	   color = CASE WHEN excluded.color != '' THEN excluded.color ELSE color END,
	   first = CASE WHEN excluded.first != 0 AND (first = 0 OR excluded.first < first) THEN excluded.first ELSE first END,
	   last  = MAX(last, excluded.last),
	   ops   = ops + excluded.ops`

// NoteAuthors implements authors.Table. The authors go through the
// group-commit writer: they are merged in the next transaction that
// commits appends, so noting the authors of many pads costs no commit
// (and no fsync) of its own. It returns once that transaction has
// committed, ctx's error if it ends while the authors are still queued,
// and ErrClosed after Close.
func (s *Store) NoteAuthors(ctx context.Context, pad string, as []authors.Author) error {
	if len(as) == 0 {
		return ctx.Err()
	}
	err := s.w.submit(&appendReq{ctx: ctx, pad: pad, authors: as, done: make(chan error, 1)})
	if err != nil {
		return fmt.Errorf("sqlitestore: note authors of pad %q: %w", pad, err)
	}
	return nil
}

// Authors implements authors.Table.
func (s *Store) Authors(ctx context.Context, pad string) ([]authors.Author, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, name, color, first, last, ops FROM authors WHERE pad = ? ORDER BY id`, pad)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: authors of pad %q: %w", pad, err)
	}
	defer rows.Close()
	var out []authors.Author
	for rows.Next() {
		var (
			a           authors.Author
			first, last int64
		)
		if err := rows.Scan(&a.ID, &a.Name, &a.Color, &first, &last, &a.Ops); err != nil {
			return nil, fmt.Errorf("sqlitestore: authors of pad %q: %w", pad, err)
		}
		a.First, a.Last = authors.FromMillis(first), authors.FromMillis(last)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: authors of pad %q: %w", pad, err)
	}
	return out, nil
}
