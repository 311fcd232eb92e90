package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/confpad/confpad/conference"
)

// Title implements conference.Catalog.
func (s *Store) Title(ctx context.Context) (string, error) {
	var title string
	err := s.read.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'title'`).Scan(&title)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("sqlitestore: read conference title: %w", err)
	}
	return title, nil
}

// SetTitle implements conference.Catalog.
func (s *Store) SetTitle(ctx context.Context, title string) error {
	_, err := s.write.ExecContext(ctx,
		`INSERT INTO meta (key, value) VALUES ('title', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
		title)
	if err != nil {
		return fmt.Errorf("sqlitestore: set conference title: %w", err)
	}
	return nil
}

// BoFs implements conference.Catalog.
func (s *Store) BoFs(ctx context.Context) (bool, error) {
	var v string
	err := s.read.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'bofs'`).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("sqlitestore: read whether BoFs are allowed: %w", err)
	}
	return v == "1", nil
}

// SetBoFs implements conference.Catalog.
func (s *Store) SetBoFs(ctx context.Context, allowed bool) error {
	v := "0"
	if allowed {
		v = "1"
	}
	_, err := s.write.ExecContext(ctx,
		`INSERT INTO meta (key, value) VALUES ('bofs', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, v)
	if err != nil {
		return fmt.Errorf("sqlitestore: allow BoFs: %w", err)
	}
	return nil
}

// sessionColumns are the sessions columns that scanSession reads, in order.
const sessionColumns = `id, title, description, time, room, speakers, state, created, kind, position, policy, edit_secret`

// Sessions implements conference.Catalog.
func (s *Store) Sessions(ctx context.Context) ([]conference.Session, error) {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: list sessions: %w", err)
	}
	defer tx.Rollback()
	sessions, err := querySessions(ctx, tx, `SELECT `+sessionColumns+` FROM sessions ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: list sessions: %w", err)
	}
	links, err := queryLinks(ctx, tx, `SELECT session, id, title, url, added, token_hash FROM links ORDER BY n`)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: list sessions: %w", err)
	}
	for i := range sessions {
		sessions[i].Links = append(sessions[i].Links, links[sessions[i].ID]...)
	}
	return sessions, nil
}

// Session implements conference.Catalog.
func (s *Store) Session(ctx context.Context, id string) (conference.Session, error) {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return conference.Session{}, fmt.Errorf("sqlitestore: session %q: %w", id, err)
	}
	defer tx.Rollback()
	sessions, err := querySessions(ctx, tx, `SELECT `+sessionColumns+` FROM sessions WHERE id = ?`, id)
	if err != nil {
		return conference.Session{}, fmt.Errorf("sqlitestore: session %q: %w", id, err)
	}
	if len(sessions) == 0 {
		return conference.Session{}, fmt.Errorf("sqlitestore: session %q: %w", id, conference.ErrNotFound)
	}
	links, err := queryLinks(ctx, tx, `SELECT session, id, title, url, added, token_hash FROM links WHERE session = ? ORDER BY n`, id)
	if err != nil {
		return conference.Session{}, fmt.Errorf("sqlitestore: session %q: %w", id, err)
	}
	sess := sessions[0]
	sess.Links = append(sess.Links, links[id]...)
	return sess, nil
}

// CreateSession implements conference.Catalog. The session's links are
// stored as given, in order, with their ids and times (a link without an id
// or time gets them as in AddLink), so that a session can be copied from
// another store without loss.
func (s *Store) CreateSession(ctx context.Context, sess conference.Session) error {
	speakers, err := json.Marshal(sess.Speakers)
	if err != nil {
		return fmt.Errorf("sqlitestore: create session %q: %w", sess.ID, err)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlitestore: create session %q: %w", sess.ID, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx,
		`INSERT INTO sessions (`+sessionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		sess.ID, sess.Title, sess.Description, sess.Time, sess.Room, string(speakers), sess.State, sess.Created.UnixMilli(),
		sess.Kind, sess.Order, sess.Policy, sess.EditSecret)
	if err == nil {
		err = affectedOne(res, conference.ErrExists)
	}
	for _, l := range sess.Links {
		if err != nil {
			break
		}
		if l.ID == "" || l.Added.IsZero() {
			l = l.Stamped()
		}
		_, err = tx.ExecContext(ctx,
			`INSERT INTO links (session, id, title, url, added, token_hash) VALUES (?, ?, ?, ?, ?, ?)`,
			sess.ID, l.ID, l.Title, l.URL, l.Added.UnixMilli(), l.TokenHash)
	}
	if err == nil {
		err = tx.Commit()
	}
	if err != nil {
		return fmt.Errorf("sqlitestore: create session %q: %w", sess.ID, err)
	}
	return nil
}

// UpdateSession implements conference.Catalog. It replaces every field but
// the id, the links and the creation time.
func (s *Store) UpdateSession(ctx context.Context, sess conference.Session) error {
	speakers, err := json.Marshal(sess.Speakers)
	if err != nil {
		return fmt.Errorf("sqlitestore: update session %q: %w", sess.ID, err)
	}
	res, err := s.write.ExecContext(ctx,
		`UPDATE sessions SET title = ?, description = ?, time = ?, room = ?, speakers = ?, state = ?, kind = ?, position = ?, policy = ?, edit_secret = ? WHERE id = ?`,
		sess.Title, sess.Description, sess.Time, sess.Room, string(speakers), sess.State, sess.Kind, sess.Order,
		sess.Policy, sess.EditSecret, sess.ID)
	if err == nil {
		err = affectedOne(res, conference.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("sqlitestore: update session %q: %w", sess.ID, err)
	}
	return nil
}

// DeleteSession implements conference.Catalog: in one transaction it
// removes the session, its links, and its pad's ops and snapshots.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlitestore: delete session %q: %w", id, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id) // links follow by ON DELETE CASCADE
	if err == nil {
		err = affectedOne(res, conference.ErrNotFound)
	}
	if err == nil {
		_, err = tx.ExecContext(ctx, `DELETE FROM ops WHERE pad = ?`, id)
	}
	if err == nil {
		_, err = tx.ExecContext(ctx, `DELETE FROM snapshots WHERE pad = ?`, id)
	}
	if err == nil {
		_, err = tx.ExecContext(ctx, `DELETE FROM segments WHERE pad = ?`, id)
	}
	if err == nil {
		_, err = tx.ExecContext(ctx, `DELETE FROM authors WHERE pad = ?`, id)
	}
	if err == nil {
		err = tx.Commit()
	}
	if err != nil {
		return fmt.Errorf("sqlitestore: delete session %q: %w", id, err)
	}
	return nil
}

// AddLink implements conference.Catalog. The link gets a new random id and
// the current time (to the millisecond).
func (s *Store) AddLink(ctx context.Context, session string, l conference.Link) (conference.Link, error) {
	l = l.Stamped()
	// changeLinks's transaction runs on the one write connection, so the
	// count cannot change between the check and the insert.
	err := s.changeLinks(ctx, session, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM links WHERE session = ?`, session).Scan(&n); err != nil {
			return err
		}
		if n >= conference.MaxLinks {
			return conference.ErrTooManyLinks
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO links (session, id, title, url, added, token_hash) VALUES (?, ?, ?, ?, ?, ?)`,
			session, l.ID, l.Title, l.URL, l.Added.UnixMilli(), l.TokenHash)
		return err
	})
	if err != nil {
		return conference.Link{}, fmt.Errorf("sqlitestore: add link to session %q: %w", session, err)
	}
	return l, nil
}

// DeleteLink implements conference.Catalog.
func (s *Store) DeleteLink(ctx context.Context, session, linkID string) error {
	err := s.changeLinks(ctx, session, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM links WHERE session = ? AND id = ?`, session, linkID)
		if err != nil {
			return err
		}
		return affectedOne(res, conference.ErrNotFound)
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: delete link %q of session %q: %w", linkID, session, err)
	}
	return nil
}

// UpdateLink implements conference.Catalog.
func (s *Store) UpdateLink(ctx context.Context, session string, l conference.Link) error {
	err := s.changeLinks(ctx, session, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE links SET title = ?, url = ? WHERE session = ? AND id = ?`, l.Title, l.URL, session, l.ID)
		if err != nil {
			return err
		}
		return affectedOne(res, conference.ErrNotFound)
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: update link %q of session %q: %w", l.ID, session, err)
	}
	return nil
}

// changeLinks runs change in a write transaction after checking there that
// the session exists (else conference.ErrNotFound) and is not archived
// (else conference.ErrArchived), and commits if change succeeds.
func (s *Store) changeLinks(ctx context.Context, session string, change func(*sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var state string
	err = tx.QueryRowContext(ctx, `SELECT state FROM sessions WHERE id = ?`, session).Scan(&state)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return conference.ErrNotFound
	case err != nil:
		return err
	case state == conference.StateArchived:
		return conference.ErrArchived
	}
	if err := change(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// affectedOne returns errNone if res changed no row.
func affectedOne(res sql.Result, errNone error) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return errNone
	}
	return nil
}

// querySessions runs a query for sessionColumns and returns the sessions,
// each with an empty (non-nil) link list.
func querySessions(ctx context.Context, q querier, query string, args ...any) ([]conference.Session, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var sessions []conference.Session
	for rows.Next() {
		var (
			sess     conference.Session
			speakers []byte
			created  int64
		)
		if err := rows.Scan(&sess.ID, &sess.Title, &sess.Description, &sess.Time, &sess.Room, &speakers, &sess.State, &created, &sess.Kind, &sess.Order, &sess.Policy, &sess.EditSecret); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(speakers, &sess.Speakers); err != nil {
			return nil, fmt.Errorf("session %q: speakers: %w", sess.ID, err)
		}
		sess.Created = time.UnixMilli(created).UTC()
		sess.Links = []conference.Link{}
		sessions = append(sessions, sess)
	}
	return sessions, rows.Err()
}

// queryLinks runs a query for (session, id, title, url, added,
// token_hash) and returns
// the links grouped by session, in query order.
func queryLinks(ctx context.Context, q querier, query string, args ...any) (map[string][]conference.Link, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	links := make(map[string][]conference.Link)
	for rows.Next() {
		var (
			session string
			l       conference.Link
			added   int64
		)
		if err := rows.Scan(&session, &l.ID, &l.Title, &l.URL, &added, &l.TokenHash); err != nil {
			return nil, err
		}
		l.Added = time.UnixMilli(added).UTC()
		links[session] = append(links[session], l)
	}
	return links, rows.Err()
}
