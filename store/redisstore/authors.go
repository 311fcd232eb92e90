package redisstore

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/confpad/confpad/authors"
)

// authorRow is the JSON of one author in a pad's authors hash (see
// lua/authors_note.lua).
type authorRow struct {
	Name  string `json:"name"`
	Color string `json:"color"`
	First int64  `json:"first"`
	Last  int64  `json:"last"`
	Ops   int    `json:"ops"`
}

// NoteAuthors implements authors.Table.
func (s *Store) NoteAuthors(ctx context.Context, pad string, as []authors.Author) error {
	if err := checkPad(pad); err != nil {
		return err
	}
	if len(as) == 0 {
		return nil
	}
	args := make([]any, 0, 6*len(as))
	for _, a := range as {
		args = append(args, a.ID, a.Name, a.Color, authors.Millis(a.First), authors.Millis(a.Last), a.Ops)
	}
	if err := authorsNoteScript.Run(ctx, s.rdb, []string{s.padKey(pad, "authors")}, args...).Err(); err != nil {
		return fmt.Errorf("redisstore: note authors of pad %q: %w", pad, err)
	}
	return nil
}

// Authors implements authors.Table.
func (s *Store) Authors(ctx context.Context, pad string) ([]authors.Author, error) {
	if err := checkPad(pad); err != nil {
		return nil, err
	}
	rows, err := s.rdb.HGetAll(ctx, s.padKey(pad, "authors")).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: authors of pad %q: %w", pad, err)
	}
	out := make([]authors.Author, 0, len(rows))
	for id, js := range rows {
		var r authorRow
		if err := json.Unmarshal([]byte(js), &r); err != nil {
			return nil, fmt.Errorf("redisstore: author %q of pad %q: %w", id, pad, err)
		}
		out = append(out, authors.Author{ID: id, Name: r.Name, Color: r.Color, First: authors.FromMillis(r.First), Last: authors.FromMillis(r.Last), Ops: r.Ops})
	}
	slices.SortFunc(out, func(a, b authors.Author) int { return cmp.Compare(a.ID, b.ID) })
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}
