package conference

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Import makes cat hold the conference p. It sets the conference title
// and whether BoFs are allowed, creates each session of p that cat lacks (state live, no links, an empty
// pad), and gives each session that cat already has the metadata of p:
// title, description, time, room, speakers and place in the programme
// (Session.Order). It never changes a
// session's state, links or notes, and leaves alone the sessions that cat
// has and p does not. It writes only what differs, so importing the same
// program again writes nothing. p must be valid (Program.Validate); a
// session that another process creates at the same moment is updated
// instead. Import is not atomic: after an error, part of p may be in cat.
func Import(ctx context.Context, cat Catalog, p Program) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("import program: %w", err)
	}
	title, err := cat.Title(ctx)
	if err != nil {
		return fmt.Errorf("import program: read conference title: %w", err)
	}
	if title != p.Title {
		if err := cat.SetTitle(ctx, p.Title); err != nil {
			return fmt.Errorf("import program: set conference title: %w", err)
		}
	}
	bofs, err := cat.BoFs(ctx)
	if err != nil {
		return fmt.Errorf("import program: read whether BoFs are allowed: %w", err)
	}
	if bofs != p.BoFs {
		if err := cat.SetBoFs(ctx, p.BoFs); err != nil {
			return fmt.Errorf("import program: allow BoFs: %w", err)
		}
	}
	existing, err := cat.Sessions(ctx)
	if err != nil {
		return fmt.Errorf("import program: list sessions: %w", err)
	}
	have := make(map[string]Session, len(existing))
	for _, s := range existing {
		have[s.ID] = s
	}
	for i, s := range p.Sessions {
		s.Order = i + 1
		if err := importSession(ctx, cat, s, have); err != nil {
			return fmt.Errorf("import program: session %q: %w", s.ID, err)
		}
	}
	return nil
}

// importSession creates s, or updates the metadata of the session with
// its id if it exists (in have, or created concurrently).
func importSession(ctx context.Context, cat Catalog, s Session, have map[string]Session) error {
	cur, ok := have[s.ID]
	if !ok {
		fresh := withMetadata(Session{ID: s.ID, State: StateLive, Created: time.Now().UTC()}, s)
		err := cat.CreateSession(ctx, fresh)
		if !errors.Is(err, ErrExists) {
			return err
		}
		if cur, err = cat.Session(ctx, s.ID); err != nil {
			return err
		}
	}
	if sameMetadata(cur, s) {
		return nil
	}
	return cat.UpdateSession(ctx, withMetadata(cur, s))
}

// withMetadata returns dst with the program metadata of src.
func withMetadata(dst, src Session) Session {
	dst.Title = src.Title
	dst.Description = src.Description
	dst.Time = src.Time
	dst.Room = src.Room
	dst.Speakers = slices.Clone(src.Speakers)
	dst.Order = src.Order
	if src.Policy != "" {
		dst.Policy = src.Policy // a program without a policy keeps the admin's
	}
	return dst
}

// sameMetadata reports whether a has the program metadata of b.
func sameMetadata(a, b Session) bool {
	return a.Title == b.Title && a.Description == b.Description &&
		a.Time == b.Time && a.Room == b.Room && slices.Equal(a.Speakers, b.Speakers) &&
		a.Order == b.Order && (b.Policy == "" || a.Policy == b.Policy)
}
