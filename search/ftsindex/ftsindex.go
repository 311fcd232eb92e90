// Package ftsindex is the search index of embedded mode: SQLite FTS5 (in
// the pure-Go driver modernc.org/sqlite), one document per pad, ranked by
// FTS5's bm25().
//
// The index lives in its own database file beside the store's, not in
// it: it is derived data, rebuilt from the pads at every start where it is
// behind, so it is written without fsync and never holds the store's
// write lock, on which every op's commit waits.
package ftsindex

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/confpad/confpad/search"
)

// Compile-time check that an Index is a search.Index.
var _ search.Index = (*Index)(nil)

// schemaVersion is the layout below; a file with another version is
// rebuilt from scratch (the index is derived data).
const schemaVersion = 1

// schema: docs maps pads to the rowids of their text in the FTS5 table
// body, with the revision indexed. unicode61 without diacritics removal
// matches the tokens package search finds (see its package comment).
const schema = `
DROP TABLE IF EXISTS docs;
DROP TABLE IF EXISTS body;
CREATE TABLE docs (
	id  INTEGER PRIMARY KEY,
	pad TEXT    NOT NULL UNIQUE,
	rev INTEGER NOT NULL
);
CREATE VIRTUAL TABLE body USING fts5(text, tokenize = 'unicode61 remove_diacritics 0');
PRAGMA user_version = 1;
`

// Index is an SQLite FTS5 search index in one file. Safe for concurrent
// use; Updates of one pad must not run concurrently (the Indexer makes
// them one at a time).
//
// FTS5 matches and ranks; the snippets come from a copy of each pad's
// text (and its search.Fold) kept in memory, filled as pads are indexed or
// first hit: reading and folding ten 100 KB texts from the file would
// cost more than the ranking.
type Index struct {
	db    *sql.DB
	mu    sync.Mutex
	texts map[string]text
}

// text is a pad's indexed text, as kept for snippets.
type text struct{ text, folded string }

// cache keeps a pad's indexed text for snippets, and returns it.
func (ix *Index) cache(pad, s string) text {
	t := text{s, search.Fold(s)}
	ix.mu.Lock()
	ix.texts[pad] = t
	ix.mu.Unlock()
	return t
}

// Open opens or creates the index file at path (and its directory).
func Open(ctx context.Context, path string) (*Index, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("ftsindex: create the directory of %s: %w", path, err)
	}
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	db, err := sql.Open("sqlite", "file:"+escaped+
		"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("ftsindex: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	var version int
	err = db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version)
	if err == nil && version != schemaVersion {
		_, err = db.ExecContext(ctx, schema)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("ftsindex: open %s: %w", path, err)
	}
	return &Index{db: db, texts: map[string]text{}}, nil
}

// Close closes the file.
func (ix *Index) Close() error { return ix.db.Close() }

// Update implements search.Index: in one transaction, the pad's text
// replaces what was indexed, unless the pad is indexed at rev already.
func (ix *Index) Update(ctx context.Context, pad string, rev int, text string) error {
	if text == "" {
		return ix.Remove(ctx, pad)
	}
	err := ix.inTx(ctx, func(tx *sql.Tx) error {
		var id int64
		var old int
		err := tx.QueryRowContext(ctx, `SELECT id, rev FROM docs WHERE pad = ?`, pad).Scan(&id, &old)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			err = tx.QueryRowContext(ctx, `INSERT INTO docs (pad, rev) VALUES (?, ?) RETURNING id`, pad, rev).Scan(&id)
		case err == nil && old == rev:
			return nil
		case err == nil:
			if _, err = tx.ExecContext(ctx, `UPDATE docs SET rev = ? WHERE id = ?`, rev, id); err == nil {
				_, err = tx.ExecContext(ctx, `DELETE FROM body WHERE rowid = ?`, id)
			}
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO body (rowid, text) VALUES (?, ?)`, id, text)
		return err
	})
	if err != nil {
		return fmt.Errorf("ftsindex: index pad %q at revision %d: %w", pad, rev, err)
	}
	ix.cache(pad, text)
	return nil
}

// Remove implements search.Index.
func (ix *Index) Remove(ctx context.Context, pad string) error {
	err := ix.inTx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `DELETE FROM docs WHERE pad = ? RETURNING id`, pad).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err == nil {
			_, err = tx.ExecContext(ctx, `DELETE FROM body WHERE rowid = ?`, id)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("ftsindex: remove pad %q: %w", pad, err)
	}
	ix.mu.Lock()
	delete(ix.texts, pad)
	ix.mu.Unlock()
	return nil
}

// inTx runs fn in a write transaction and commits if it succeeds.
func (ix *Index) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := ix.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// Search implements search.Index: FTS5 ranks (without reading the
// texts), and the snippets come from the texts kept in memory.
func (ix *Index) Search(ctx context.Context, q search.Query, limit int) ([]search.Hit, error) {
	hits := []search.Hit{}
	if len(q.Phrases) == 0 || limit <= 0 {
		return hits, nil
	}
	rows, err := ix.db.QueryContext(ctx, `SELECT docs.pad, bm25(body) FROM body JOIN docs ON docs.id = body.rowid
		WHERE body MATCH ? ORDER BY bm25(body), docs.pad LIMIT ?`, q.FTS5(), limit)
	if err != nil {
		return nil, fmt.Errorf("ftsindex: search: %w", err)
	}
	for rows.Next() {
		var h search.Hit
		if err := rows.Scan(&h.Pad, &h.Score); err != nil {
			rows.Close()
			return nil, fmt.Errorf("ftsindex: search: %w", err)
		}
		h.Score = -h.Score // bm25() is better when lower
		hits = append(hits, h)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("ftsindex: search: %w", err)
	}
	for i := range hits {
		t, err := ix.textOf(ctx, hits[i].Pad)
		if err != nil {
			return nil, fmt.Errorf("ftsindex: search: %w", err)
		}
		hits[i].Snippet = search.MakeSnippet(t.text, t.folded, q)
	}
	return hits, nil
}

// textOf returns a pad's indexed text, from memory or else from the file.
func (ix *Index) textOf(ctx context.Context, pad string) (text, error) {
	ix.mu.Lock()
	t, ok := ix.texts[pad]
	ix.mu.Unlock()
	if ok {
		return t, nil
	}
	var s string
	err := ix.db.QueryRowContext(ctx,
		`SELECT body.text FROM docs JOIN body ON body.rowid = docs.id WHERE docs.pad = ?`, pad).Scan(&s)
	if err != nil {
		return text{}, fmt.Errorf("read the text of pad %q: %w", pad, err)
	}
	return ix.cache(pad, s), nil
}

// Pads implements search.Index.
func (ix *Index) Pads(ctx context.Context) ([]string, error) {
	rows, err := ix.db.QueryContext(ctx, `SELECT pad FROM docs`)
	if err != nil {
		return nil, fmt.Errorf("ftsindex: list pads: %w", err)
	}
	defer rows.Close()
	var pads []string
	for rows.Next() {
		var pad string
		if err := rows.Scan(&pad); err != nil {
			return nil, fmt.Errorf("ftsindex: list pads: %w", err)
		}
		pads = append(pads, pad)
	}
	return pads, rows.Err()
}
