package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/confpad/confpad/conference"
)

// storedSession is a session's metadata as stored in the "session" field
// of its meta hash: every field but the id (the key says it), the links
// (their own list), the creation time and the state (their own fields: the
// creation time is kept on update, and the state is what append.lua
// checks). Sessions stored by older versions also have "state" in here;
// backfillStates copies it to the field.
type storedSession struct {
	Title       string   `json:"title,omitempty"`
	Description string   `json:"description,omitempty"`
	Time        string   `json:"time,omitempty"`
	Room        string   `json:"room,omitempty"`
	Speakers    []string `json:"speakers,omitempty"`
	Kind        string   `json:"kind,omitempty"`
	Order       int      `json:"order,omitempty"`
	Policy      string   `json:"policy,omitempty"`
	EditSecret  string   `json:"editSecret,omitempty"`
}

// storedLink is a slide link as stored in a session's link list; the Lua
// script that deletes links finds them by the "id" field.
type storedLink struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
	Added int64  `json:"added"` // Unix milliseconds
	// TokenHash is conference.Link.TokenHash.
	TokenHash string `json:"tokenHash,omitempty"`
}

// Title returns the conference title ("" if none was set).
func (s *Store) Title(ctx context.Context) (string, error) {
	title, err := s.rdb.Get(ctx, s.catalogKey("title")).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return "", fmt.Errorf("redisstore: read conference title: %w", err)
	}
	return title, nil
}

// SetTitle sets the conference title.
func (s *Store) SetTitle(ctx context.Context, title string) error {
	if err := s.rdb.Set(ctx, s.catalogKey("title"), title, 0).Err(); err != nil {
		return fmt.Errorf("redisstore: set conference title: %w", err)
	}
	return nil
}

// BoFs reports whether anyone may start BoF sessions (false if never set).
func (s *Store) BoFs(ctx context.Context) (bool, error) {
	v, err := s.rdb.Get(ctx, s.catalogKey("bofs")).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return false, fmt.Errorf("redisstore: read whether BoFs are allowed: %w", err)
	}
	return v == "1", nil
}

// SetBoFs allows or forbids starting BoF sessions.
func (s *Store) SetBoFs(ctx context.Context, allowed bool) error {
	v := "0"
	if allowed {
		v = "1"
	}
	if err := s.rdb.Set(ctx, s.catalogKey("bofs"), v, 0).Err(); err != nil {
		return fmt.Errorf("redisstore: allow BoFs: %w", err)
	}
	return nil
}

// Sessions lists every session ordered by id (byte order), links included.
func (s *Store) Sessions(ctx context.Context) ([]conference.Session, error) {
	ids, err := s.rdb.SMembers(ctx, s.catalogKey("sessions")).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: list sessions: %w", err)
	}
	sort.Strings(ids)
	metas := make([]*redis.SliceCmd, len(ids))
	links := make([]*redis.StringSliceCmd, len(ids))
	// On a cluster go-redis splits the pipeline by node.
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			metas[i] = p.HMGet(ctx, s.padKey(id, "meta"), "session", "created", "state")
			links[i] = p.LRange(ctx, s.padKey(id, "links"), 0, -1)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("redisstore: list sessions: %w", err)
	}
	out := make([]conference.Session, 0, len(ids))
	for i, id := range ids {
		sess, err := decodeSession(id, metas[i].Val(), links[i].Val())
		if errors.Is(err, conference.ErrNotFound) {
			continue // deleted, or a create that died half way
		}
		if err != nil {
			return nil, fmt.Errorf("redisstore: list sessions: %w", err)
		}
		out = append(out, sess)
	}
	return out, nil
}

// Session returns one session with its links, or conference.ErrNotFound.
func (s *Store) Session(ctx context.Context, id string) (conference.Session, error) {
	if err := checkPad(id); err != nil {
		return conference.Session{}, fmt.Errorf("redisstore: session %q: %w", id, conference.ErrNotFound)
	}
	var meta *redis.SliceCmd
	var links *redis.StringSliceCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		meta = p.HMGet(ctx, s.padKey(id, "meta"), "session", "created", "state")
		links = p.LRange(ctx, s.padKey(id, "links"), 0, -1)
		return nil
	})
	if err != nil {
		return conference.Session{}, fmt.Errorf("redisstore: session %q: %w", id, err)
	}
	sess, err := decodeSession(id, meta.Val(), links.Val())
	if err != nil {
		return conference.Session{}, fmt.Errorf("redisstore: session %q: %w", id, err)
	}
	return sess, nil
}

// decodeSession builds a session from its meta hash fields (session JSON,
// created, state) and its link list; missing metadata is ErrNotFound.
func decodeSession(id string, meta []any, links []string) (conference.Session, error) {
	data, ok1 := meta[0].(string)
	created, ok2 := meta[1].(string)
	state, ok3 := meta[2].(string)
	if !ok1 || !ok2 || !ok3 {
		return conference.Session{}, conference.ErrNotFound
	}
	var st storedSession
	if err := json.Unmarshal([]byte(data), &st); err != nil {
		return conference.Session{}, fmt.Errorf("decode session %q: %w", id, err)
	}
	ms, err := strconv.ParseInt(created, 10, 64)
	if err != nil {
		return conference.Session{}, fmt.Errorf("decode session %q creation time: %w", id, err)
	}
	sess := conference.Session{
		ID: id, Title: st.Title, Description: st.Description, Time: st.Time,
		Room: st.Room, Speakers: st.Speakers, State: state, Kind: st.Kind, Order: st.Order,
		Policy: st.Policy, EditSecret: st.EditSecret,
		Created: time.UnixMilli(ms).UTC(),
		Links:   make([]conference.Link, 0, len(links)),
	}
	for _, raw := range links {
		var l storedLink
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			return conference.Session{}, fmt.Errorf("decode link of session %q: %w", id, err)
		}
		sess.Links = append(sess.Links, conference.Link{
			ID: l.ID, Title: l.Title, URL: l.URL, Added: time.UnixMilli(l.Added).UTC(), TokenHash: l.TokenHash,
		})
	}
	return sess, nil
}

// CreateSession adds a session, or returns conference.ErrExists. Its links
// are stored as given, in order, with their ids and times (a link without
// an id or time gets them as in AddLink), so that a session can be copied
// from another store without loss. Times are kept to the millisecond.
func (s *Store) CreateSession(ctx context.Context, sess conference.Session) error {
	if err := checkPad(sess.ID); err != nil {
		return fmt.Errorf("redisstore: create session: %w", err)
	}
	data, err := encodeSession(sess)
	if err != nil {
		return fmt.Errorf("redisstore: create session %q: %w", sess.ID, err)
	}
	args := []any{data, sess.Created.UnixMilli(), sess.State}
	for _, l := range sess.Links {
		if l.ID == "" || l.Added.IsZero() {
			l = l.Stamped()
		}
		raw, err := encodeLink(l)
		if err != nil {
			return fmt.Errorf("redisstore: create session %q: %w", sess.ID, err)
		}
		args = append(args, raw)
	}
	created, err := sessionCreateScript.Run(ctx, s.rdb,
		[]string{s.padKey(sess.ID, "meta"), s.padKey(sess.ID, "links")}, args...).Int()
	if err != nil {
		return fmt.Errorf("redisstore: create session %q: %w", sess.ID, err)
	}
	// Listed in either case: this also repairs a create that stopped
	// between its two steps (the session's slot and the catalog's).
	if err := s.rdb.SAdd(ctx, s.catalogKey("sessions"), sess.ID).Err(); err != nil {
		return fmt.Errorf("redisstore: list session %q: %w", sess.ID, err)
	}
	if created == 0 {
		return fmt.Errorf("redisstore: create session %q: %w", sess.ID, conference.ErrExists)
	}
	return nil
}

// UpdateSession replaces every field of a session but its id, links and
// creation time, or returns conference.ErrNotFound.
func (s *Store) UpdateSession(ctx context.Context, sess conference.Session) error {
	if checkPad(sess.ID) != nil {
		return fmt.Errorf("redisstore: update session %q: %w", sess.ID, conference.ErrNotFound)
	}
	data, err := encodeSession(sess)
	if err != nil {
		return fmt.Errorf("redisstore: update session %q: %w", sess.ID, err)
	}
	n, err := sessionUpdateScript.Run(ctx, s.rdb, []string{s.padKey(sess.ID, "meta")}, data, sess.State).Int()
	if err == nil && n == 0 {
		err = conference.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("redisstore: update session %q: %w", sess.ID, err)
	}
	return nil
}

// DeleteSession removes a session, its links and its pad's history and
// snapshots in one atomic script, or returns conference.ErrNotFound.
// Replicas that have the pad open keep their copy in memory; the pad
// engine decides what happens to it.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if checkPad(id) != nil {
		return fmt.Errorf("redisstore: delete session %q: %w", id, conference.ErrNotFound)
	}
	keys := []string{s.padKey(id, "meta"), s.padKey(id, "links"),
		s.padKey(id, "log"), s.padKey(id, "snaps"), s.padKey(id, "snaptext"), s.padKey(id, "snapattr"), s.padKey(id, "snapsum"), s.padKey(id, "authors")}
	n, err := sessionDeleteScript.Run(ctx, s.rdb, keys).Int()
	if err == nil && n == 0 {
		err = conference.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("redisstore: delete session %q: %w", id, err)
	}
	if err := s.rdb.SRem(ctx, s.catalogKey("sessions"), id).Err(); err != nil {
		return fmt.Errorf("redisstore: unlist session %q: %w", id, err)
	}
	return nil
}

// AddLink appends a slide link to a session with a new random id and the
// current time (to the millisecond) and returns it, or returns
// conference.ErrNotFound, conference.ErrArchived or
// conference.ErrTooManyLinks.
func (s *Store) AddLink(ctx context.Context, session string, l conference.Link) (conference.Link, error) {
	if checkPad(session) != nil {
		return conference.Link{}, fmt.Errorf("redisstore: add link to session %q: %w", session, conference.ErrNotFound)
	}
	l = l.Stamped()
	raw, err := encodeLink(l)
	if err != nil {
		return conference.Link{}, fmt.Errorf("redisstore: add link to session %q: %w", session, err)
	}
	n, err := linkAddScript.Run(ctx, s.rdb,
		[]string{s.padKey(session, "meta"), s.padKey(session, "links")}, raw, conference.MaxLinks).Int()
	if err == nil {
		err = linkScriptError(n)
	}
	if err != nil {
		return conference.Link{}, fmt.Errorf("redisstore: add link to session %q: %w", session, err)
	}
	return l, nil
}

// DeleteLink removes a slide link, or returns conference.ErrNotFound when
// the session or the link does not exist, conference.ErrArchived when the
// session is archived.
func (s *Store) DeleteLink(ctx context.Context, session, linkID string) error {
	if checkPad(session) != nil {
		return fmt.Errorf("redisstore: delete link %q of session %q: %w", linkID, session, conference.ErrNotFound)
	}
	n, err := linkChangeScript.Run(ctx, s.rdb,
		[]string{s.padKey(session, "meta"), s.padKey(session, "links")}, linkID, "").Int()
	if err == nil {
		err = linkScriptError(n)
	}
	if err != nil {
		return fmt.Errorf("redisstore: delete link %q of session %q: %w", linkID, session, err)
	}
	return nil
}

// UpdateLink replaces the title and URL of a slide link, or returns
// conference.ErrNotFound when the session or the link does not exist,
// conference.ErrArchived when the session is archived. The link's id,
// time and token hash never change, so the new JSON is built from a read
// of the session and replaces the old one atomically by id.
func (s *Store) UpdateLink(ctx context.Context, session string, l conference.Link) error {
	sess, err := s.Session(ctx, session)
	if err != nil {
		return fmt.Errorf("redisstore: update link %q: %w", l.ID, err)
	}
	i := slices.IndexFunc(sess.Links, func(old conference.Link) bool { return old.ID == l.ID })
	if i < 0 {
		return fmt.Errorf("redisstore: update link %q of session %q: %w", l.ID, session, conference.ErrNotFound)
	}
	cur := sess.Links[i]
	cur.Title, cur.URL = l.Title, l.URL
	raw, err := encodeLink(cur)
	if err == nil {
		var n int
		n, err = linkChangeScript.Run(ctx, s.rdb,
			[]string{s.padKey(session, "meta"), s.padKey(session, "links")}, l.ID, raw).Int()
		if err == nil {
			err = linkScriptError(n)
		}
	}
	if err != nil {
		return fmt.Errorf("redisstore: update link %q of session %q: %w", l.ID, session, err)
	}
	return nil
}

// linkScriptError maps the reply of link_add.lua or link_change.lua to
// an error: 1 is success, -2 an archived session, -3 a session with the
// most links it may have, anything else a missing session or link.
func linkScriptError(reply int) error {
	switch reply {
	case 1:
		return nil
	case -2:
		return conference.ErrArchived
	case -3:
		return conference.ErrTooManyLinks
	}
	return conference.ErrNotFound
}

// backfillStates gives every session stored before the meta hash had a
// "state" field that field (session_state_backfill.lua), so that
// append.lua refuses ops to sessions archived back then. It is idempotent
// and cheap once done; Open runs it.
func (s *Store) backfillStates(ctx context.Context) error {
	ids, err := s.rdb.SMembers(ctx, s.catalogKey("sessions")).Result()
	if err != nil {
		return fmt.Errorf("list sessions to backfill their state: %w", err)
	}
	for _, id := range ids {
		if checkPad(id) != nil {
			continue
		}
		if err := sessionStateBackfillScript.Run(ctx, s.rdb, []string{s.padKey(id, "meta")}).Err(); err != nil {
			return fmt.Errorf("backfill the state of session %q: %w", id, err)
		}
	}
	return nil
}

func encodeSession(sess conference.Session) (string, error) {
	b, err := json.Marshal(storedSession{
		Title: sess.Title, Description: sess.Description, Time: sess.Time,
		Room: sess.Room, Speakers: sess.Speakers,
		Kind: sess.Kind, Order: sess.Order,
		Policy: sess.Policy, EditSecret: sess.EditSecret,
	})
	return string(b), err
}

func encodeLink(l conference.Link) (string, error) {
	b, err := json.Marshal(storedLink{ID: l.ID, Title: l.Title, URL: l.URL, Added: l.Added.UnixMilli(), TokenHash: l.TokenHash})
	return string(b), err
}
