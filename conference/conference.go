// Package conference holds what confpad knows about a conference besides
// the notes themselves: its sessions, their metadata and slide links, the
// program file that defines them, and the Catalog that stores them.
package conference

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
)

// Session states.
const (
	// StateLive sessions accept edits.
	StateLive = "live"
	// StateArchived sessions are read-only.
	StateArchived = "archived"
)

// Session kinds.
const (
	// KindSession is a session of the programme (the zero value, "").
	KindSession = ""
	// KindBoF is a birds-of-a-feather session that someone started on the
	// day, where the conference allows it (Program.BoFs).
	KindBoF = "bof"
)

// Session is one session (microconference) and its pad. The pad id is the
// session id.
type Session struct {
	// ID is the session's slug (see ValidID), unique in the conference and
	// never changed; it names the pad in URLs (/p/{id}).
	ID string `json:"id"`
	// Title is required; Description, Time, Room and Speakers are optional
	// free text, all within the limits ValidateSession checks.
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Time        string   `json:"time,omitempty"`
	Room        string   `json:"room,omitempty"`
	Speakers    []string `json:"speakers,omitempty"`
	// State is StateLive or StateArchived.
	State string `json:"state"`
	// Kind is KindSession or KindBoF.
	Kind string `json:"kind,omitempty"`
	// Order is the session's 1-based place in the program file it came
	// from, 0 for sessions created otherwise (BoFs, the admin API).
	Order int `json:"order,omitempty"`
	// Links are the session's slide links in the order they were added.
	// A Catalog returns a non-nil (possibly empty) list.
	Links []Link `json:"links"`
	// Created is when the session was created; stores keep it to the
	// millisecond.
	Created time.Time `json:"created"`
	// Policy is who may edit: PolicyOpen (also "") or PolicyLink.
	Policy string `json:"policy,omitempty"`
	// EditSecret is the secret of the session's edit link (NewSecret), ""
	// until an admin asks for one. Catalogs store it; it never appears in
	// the session's JSON.
	EditSecret string `json:"-"`
}

// Link is a slide link a speaker attached to a session.
type Link struct {
	// ID identifies the link within its session; Catalog.AddLink assigns it.
	ID string `json:"id"`
	// Title is what the link is shown as.
	Title string `json:"title"`
	// URL is where it points; the HTTP API accepts only http and https URLs.
	URL string `json:"url"`
	// Added is when the link was added, to the millisecond.
	Added time.Time `json:"added"`
	// TokenHash is HashToken of the capability token given to whoever
	// added the link (it lets them edit or remove it), "" for links added
	// otherwise. Catalogs store it; it never appears in the link's JSON.
	TokenHash string `json:"-"`
}

// Stamped returns l with a new ID and the current time (UTC, to the
// millisecond) as Added: how a Catalog stores a link it adds.
func (l Link) Stamped() Link {
	l.ID = uuid.NewString()
	l.Added = time.Now().UTC().Truncate(time.Millisecond)
	return l
}

// Errors returned by every Catalog.
var (
	ErrNotFound = errors.New("session not found")
	ErrExists   = errors.New("session already exists")
	// ErrArchived: the session is archived, and its slide links are frozen
	// with its notes.
	ErrArchived = errors.New("session is archived")
	// ErrTooManyLinks: the session has MaxLinks slide links already.
	ErrTooManyLinks = errors.New("session has the most slide links it may have")
)

// MaxLinks is how many slide links one session may have (each welcome
// carries them all). Catalog.AddLink holds it atomically, also under
// concurrent adds on several replicas.
const MaxLinks = 100

// Catalog stores the conference title and its sessions. Implementations
// live in store/ and pass the same conformance suite.
type Catalog interface {
	// Title returns the conference title ("" if none was set).
	Title(ctx context.Context) (string, error)
	// SetTitle sets the conference title.
	SetTitle(ctx context.Context, title string) error
	// BoFs reports whether the conference lets anyone start BoF sessions
	// (false if it was never set).
	BoFs(ctx context.Context) (bool, error)
	// SetBoFs allows or forbids starting BoF sessions.
	SetBoFs(ctx context.Context, allowed bool) error
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
	// and time filled in, or returns ErrNotFound, ErrArchived if the
	// session is archived, or ErrTooManyLinks if it has MaxLinks links
	// (checked and added in one atomic step).
	AddLink(ctx context.Context, session string, l Link) (Link, error)
	// DeleteLink removes a slide link, or returns ErrNotFound, or
	// ErrArchived if the session is archived (checked atomically too).
	DeleteLink(ctx context.Context, session, linkID string) error
	// UpdateLink replaces the title and URL of the session's link with
	// l.ID (its place, time and token hash stay), or returns ErrNotFound,
	// or ErrArchived if the session is archived (checked atomically too).
	UpdateLink(ctx context.Context, session string, l Link) error
}
