package sqlitestore

import (
	"context"
	"fmt"

	"github.com/confpad/confpad/authors"
)

// NoteAuthors implements authors.Table.
func (s *Store) NoteAuthors(ctx context.Context, pad string, as []authors.Author) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlitestore: note authors of pad %q: %w", pad, err)
	}
	defer func() { _ = tx.Rollback() }()
	for _, a := range as {
		_, err = tx.ExecContext(ctx,
			`INSERT INTO authors (pad, id, name, color, first, last, ops) VALUES (?, ?, ?, ?, ?, ?, ?)
			 ON CONFLICT (pad, id) DO UPDATE SET
			   name  = CASE WHEN excluded.name != '' THEN excluded.name ELSE name END,
			   color = CASE WHEN excluded.color != '' THEN excluded.color ELSE color END,
			   first = CASE WHEN excluded.first != 0 AND (first = 0 OR excluded.first < first) THEN excluded.first ELSE first END,
			   last  = MAX(last, excluded.last),
			   ops   = ops + excluded.ops`,
			pad, a.ID, a.Name, a.Color, authors.Millis(a.First), authors.Millis(a.Last), a.Ops)
		if err != nil {
			break
		}
	}
	if err == nil {
		err = tx.Commit()
	}
	s.health.Observe(err)
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
