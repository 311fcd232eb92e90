package memstore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/confpad/confpad/conference"
)

var _ conference.Catalog = (*Store)(nil)

// Title returns the conference title ("" if none was set).
func (s *Store) Title(ctx context.Context) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.title, nil
}

// SetTitle sets the conference title.
func (s *Store) SetTitle(ctx context.Context, title string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.title = title
	return nil
}

// BoFs reports whether anyone may start BoF sessions (false until set).
func (s *Store) BoFs(ctx context.Context) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bofs, nil
}

// SetBoFs sets whether anyone may start BoF sessions.
func (s *Store) SetBoFs(ctx context.Context, allowed bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bofs = allowed
	return nil
}

// Sessions lists every session, ordered by id, links included.
func (s *Store) Sessions(ctx context.Context) ([]conference.Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]conference.Session, 0, len(s.sessions))
	for _, id := range slices.Sorted(maps.Keys(s.sessions)) {
		out = append(out, copySession(s.sessions[id]))
	}
	return out, nil
}

// Session returns one session with its links, or conference.ErrNotFound.
func (s *Store) Session(ctx context.Context, id string) (conference.Session, error) {
	if err := ctx.Err(); err != nil {
		return conference.Session{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[id]
	if !ok {
		return conference.Session{}, fmt.Errorf("memstore: session %q: %w", id, conference.ErrNotFound)
	}
	return copySession(sess), nil
}

// CreateSession adds a session, or returns conference.ErrExists. Its links
// keep their ids and times; one without either gets new ones.
func (s *Store) CreateSession(ctx context.Context, sess conference.Session) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sessions[sess.ID]; ok {
		return fmt.Errorf("memstore: create session %q: %w", sess.ID, conference.ErrExists)
	}
	sess = copySession(sess)
	sess.Created = toMillis(sess.Created)
	for i, l := range sess.Links {
		if l.ID == "" || l.Added.IsZero() {
			l = l.Stamped()
		}
		l.Added = toMillis(l.Added)
		sess.Links[i] = l
	}
	s.sessions[sess.ID] = sess
	return nil
}

// UpdateSession replaces a session's metadata (not its id, creation time
// or links), or returns conference.ErrNotFound.
func (s *Store) UpdateSession(ctx context.Context, sess conference.Session) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.sessions[sess.ID]
	if !ok {
		return fmt.Errorf("memstore: update session %q: %w", sess.ID, conference.ErrNotFound)
	}
	sess = copySession(sess)
	sess.Created, sess.Links = old.Created, old.Links
	s.sessions[sess.ID] = sess
	return nil
}

// DeleteSession removes a session, its links and its pad's history, or
// returns conference.ErrNotFound.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sessions[id]; !ok {
		return fmt.Errorf("memstore: delete session %q: %w", id, conference.ErrNotFound)
	}
	delete(s.sessions, id)
	delete(s.pads, id)
	delete(s.authors, id)
	return nil
}

// AddLink appends a slide link to a session and returns it with its id
// and time filled in, or returns conference.ErrNotFound,
// conference.ErrArchived if the session is archived, or
// conference.ErrTooManyLinks if it has conference.MaxLinks links.
func (s *Store) AddLink(ctx context.Context, session string, l conference.Link) (conference.Link, error) {
	if err := ctx.Err(); err != nil {
		return conference.Link{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[session]
	var err error
	switch {
	case !ok:
		err = conference.ErrNotFound
	case sess.State == conference.StateArchived:
		err = conference.ErrArchived
	case len(sess.Links) >= conference.MaxLinks:
		err = conference.ErrTooManyLinks
	}
	if err != nil {
		return conference.Link{}, fmt.Errorf("memstore: add link to session %q: %w", session, err)
	}
	l = l.Stamped()
	sess.Links = append(sess.Links, l)
	s.sessions[session] = sess
	return l, nil
}

// DeleteLink removes a slide link, or returns conference.ErrNotFound, or
// conference.ErrArchived if the session is archived.
func (s *Store) DeleteLink(ctx context.Context, session, linkID string) error {
	err := s.changeLink(ctx, session, linkID, func(links []conference.Link, i int) []conference.Link {
		return slices.Delete(links, i, i+1)
	})
	if err != nil {
		return fmt.Errorf("memstore: delete link %q of session %q: %w", linkID, session, err)
	}
	return nil
}

// UpdateLink replaces a slide link's title and URL, or returns
// conference.ErrNotFound or conference.ErrArchived.
func (s *Store) UpdateLink(ctx context.Context, session string, l conference.Link) error {
	err := s.changeLink(ctx, session, l.ID, func(links []conference.Link, i int) []conference.Link {
		links[i].Title, links[i].URL = l.Title, l.URL
		return links
	})
	if err != nil {
		return fmt.Errorf("memstore: update link %q of session %q: %w", l.ID, session, err)
	}
	return nil
}

// changeLink replaces the links of a live session with what change makes
// of a copy of them, given the index of link linkID.
func (s *Store) changeLink(ctx context.Context, session, linkID string, change func(links []conference.Link, i int) []conference.Link) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[session]
	i := slices.IndexFunc(sess.Links, func(l conference.Link) bool { return l.ID == linkID })
	if ok && sess.State == conference.StateArchived {
		return conference.ErrArchived
	}
	if !ok || i < 0 {
		return conference.ErrNotFound
	}
	sess.Links = change(slices.Clone(sess.Links), i)
	s.sessions[session] = sess
	return nil
}

// copySession returns sess with copies of its slices (links never nil), so
// that neither the caller nor the store changes what the other holds.
func copySession(sess conference.Session) conference.Session {
	sess.Speakers = slices.Clone(sess.Speakers)
	sess.Links = append([]conference.Link{}, sess.Links...)
	return sess
}

// toMillis returns t in UTC to the millisecond, the precision every store
// keeps.
func toMillis(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Millisecond)
}
