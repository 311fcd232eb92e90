// Package conference holds what confpad knows about a conference besides
// the notes themselves: its sessions, their metadata and slide links, the
// program file that defines them, and the Catalog that stores them.
package conference

import (
	"context"
	"errors"
	"time"
)

// Session states.
const (
	// StateLive sessions accept edits.
	StateLive = "live"
	// StateArchived sessions are read-only.
	StateArchived = "archived"
)

// Session is one session (microconference) and its pad. The pad id is the
// session id.
type Session struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Description string    `json:"description,omitempty"`
	Time        string    `json:"time,omitempty"`
	Room        string    `json:"room,omitempty"`
	Speakers    []string  `json:"speakers,omitempty"`
	State       string    `json:"state"`
	Links       []Link    `json:"links"`
	Created     time.Time `json:"created"`
}

// Link is a slide link a speaker attached to a session.
type Link struct {
	ID    string    `json:"id"`
	Title string    `json:"title"`
	URL   string    `json:"url"`
	Added time.Time `json:"added"`
}

// Errors returned by every Catalog.
var (
	ErrNotFound = errors.New("session not found")
	ErrExists   = errors.New("session already exists")
)

// Catalog stores the conference title and its sessions. Implementations
// live in store/ and pass the same conformance suite.
type Catalog interface {
	// Title returns the conference title ("" if none was set).
	Title(ctx context.Context) (string, error)
	// SetTitle sets the conference title.
	SetTitle(ctx context.Context, title string) error
	// Sessions lists every session, ordered by id, links included.
	Sessions(ctx context.Context) ([]Session, error)
	// Session returns one session with its links, or ErrNotFound.
	Session(ctx context.Context, id string) (Session, error)
	// CreateSession adds a session, or returns ErrExists. Links the session
	// carries are stored with their ids and times (so a migration between
	// stores loses nothing).
	CreateSession(ctx context.Context, s Session) error
	// UpdateSession replaces a session's metadata (not its links or notes),
	// or returns ErrNotFound.
	UpdateSession(ctx context.Context, s Session) error
	// DeleteSession removes a session, its links and its pad history, or
	// returns ErrNotFound.
	DeleteSession(ctx context.Context, id string) error
	// AddLink appends a slide link to a session and returns it with its id
	// and time filled in, or returns ErrNotFound.
	AddLink(ctx context.Context, session string, l Link) (Link, error)
	// DeleteLink removes a slide link, or returns ErrNotFound.
	DeleteLink(ctx context.Context, session, linkID string) error
}
