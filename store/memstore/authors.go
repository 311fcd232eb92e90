package memstore

import (
	"cmp"
	"context"
	"slices"

	"github.com/confpad/confpad/authors"
)

// NoteAuthors implements authors.Table.
func (s *Store) NoteAuthors(ctx context.Context, pad string, as []authors.Author) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.authors[pad] == nil {
		s.authors[pad] = map[string]authors.Author{}
	}
	for _, a := range as {
		a.First, a.Last = a.First.Truncate(1e6), a.Last.Truncate(1e6)
		old, ok := s.authors[pad][a.ID]
		if !ok {
			old = authors.Author{ID: a.ID}
		}
		s.authors[pad][a.ID] = authors.Merge(old, a)
	}
	return nil
}

// Authors implements authors.Table.
func (s *Store) Authors(ctx context.Context, pad string) ([]authors.Author, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []authors.Author
	for _, a := range s.authors[pad] {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b authors.Author) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}
