package httpapi

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/confpad/confpad/cluster"
	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/protocol"
)

// hub is the fan-out point of one pad on this replica: its connections,
// their users, and the recent ops. Every message to a pad's connections
// goes through the hub under mu, in revision order, so presence and links
// messages sit at the right place in the op stream. Each broadcast is
// encoded once; connections get the same bytes.
//
// Presence scales with the people who act, not with the crowd: a
// connection is a reader until it types, renames or moves a cursor, and
// then becomes active. Only active users are listed in welcomes and
// announced (join, leave, update, cursor); readers change only the count
// of people, which goes out at most once per Config.PeopleInterval.
type hub struct {
	s        *Server
	pad      string
	refs     int // guarded by s.hubsMu
	readOnly atomic.Bool

	mu       sync.Mutex
	conns    map[*conn]struct{}
	byClient map[string]*conn
	// active holds the connections whose user is listed to others.
	active map[*conn]struct{}
	// history holds the recent records delivered, ending at the head of
	// the stream the connections have: cursors made at older revisions
	// move to the head through it. Its zero value keeps as many as the
	// engine's: DefaultKeepRecent records of at most DefaultKeepBytes,
	// which the Server does not change.
	history collab.History
	links   []conference.Link
	// policy and editSecret are the session's (conference.Session.Policy,
	// EditSecret): who may edit (see access.go).
	policy, editSecret string
	// version fingerprints links, readOnly, policy and editSecret
	// (versionLocked).
	version string
	// refreshing is set while the session is being re-read from the
	// Catalog (Server.checkVersion).
	refreshing atomic.Bool
	// pending holds remote cursors made at a revision this replica has
	// not reached yet; they are sent when the head gets there.
	pending map[string]cluster.User

	// peopleTimer is set while a count of people is due; peopleAt is when
	// the last was due, and countPublished the last count of local
	// connections on the bus.
	peopleTimer    *time.Timer
	peopleAt       time.Time
	countPublished int
}

func newHub(s *Server, session conference.Session) *hub {
	h := &hub{
		s:          s,
		pad:        session.ID,
		conns:      map[*conn]struct{}{},
		byClient:   map[string]*conn{},
		active:     map[*conn]struct{}{},
		links:      session.Links,
		pending:    map[string]cluster.User{},
		policy:     session.EditPolicy(),
		editSecret: session.EditSecret,
	}
	h.readOnly.Store(session.State == conference.StateArchived)
	h.version = h.versionLocked()
	return h
}

// join registers cn, a reader, at a consistent point of the pad (called
// by Engine.Join with the pad locked) and queues, in this order, the
// missed records (since >= 0) or nothing, then the welcome. The others
// learn of it from the next count of people.
func (h *hub) join(cn *conn, head int, text *string, missed []collab.Record) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if head != h.history.Head() {
		h.history.Reset(head) // first connection, or the pad was reloaded
	}
	old := h.byClient[cn.user.Client]
	if old != nil {
		// The same client reconnected before its old connection died.
		wasActive := old.active
		h.detach(old)
		old.kill(protocol.CloseReplaced)
		if wasActive {
			// It stays listed, without a leave and a join.
			cn.active, cn.user.Active = true, old.user.Active
			h.active[cn] = struct{}{}
			if cn.user.Name != old.user.Name || cn.user.Color != old.user.Color {
				h.announceLocked(cluster.KindUpdate, cn)
			}
		}
	}
	h.conns[cn] = struct{}{}
	h.byClient[cn.user.Client] = cn

	cn.canEdit.Store(h.allowsLocked(cn.editSecret))
	cn.people = h.peopleLocked()
	frames := make([][]byte, 0, len(missed)+1)
	for _, r := range missed {
		if r.Client == cn.user.Client {
			frames = append(frames, protocol.EncodeAck(r.Seq, r.Rev))
		} else {
			frames = append(frames, protocol.EncodeOp(r))
		}
	}
	frames = append(frames, protocol.EncodeWelcome(protocol.WelcomeMessage{
		Pad:    h.pad,
		Rev:    head,
		Text:   text,
		Users:  h.usersLocked(),
		People: cn.people,
		Links:  h.links,
		Mode:   h.modeLocked(cn),
		You:    cn.user.Client,
	}))
	cn.sendMany(frames)
	h.countChangedLocked()
}

// usersLocked lists the pad's active users, local and remote, at most
// protocol.MaxWelcomeUsers, the most recently active first, with their
// selections moved to the head (nil where that is not possible).
func (h *hub) usersLocked() []protocol.User {
	all := h.s.remote.Users(h.pad)
	for cn := range h.active {
		all = append(all, cn.user)
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Active != all[j].Active {
			return all[i].Active > all[j].Active
		}
		return all[i].Client < all[j].Client
	})
	seen := map[string]bool{}
	users := make([]protocol.User, 0, min(len(all), protocol.MaxWelcomeUsers))
	for _, u := range all {
		if seen[u.Client] || len(users) == protocol.MaxWelcomeUsers {
			continue
		}
		seen[u.Client] = true
		if !h.moveToHeadLocked(&u) {
			u.Sel = nil
		}
		users = append(users, wireUserOf(u))
	}
	return users
}

// peopleLocked counts everyone connected to the pad on every replica.
func (h *hub) peopleLocked() int {
	return len(h.byClient) + h.s.remote.Count(h.pad)
}

// countChangedLocked schedules a count of people: at most one per
// PeopleInterval, to the connections here that were told another count,
// and on the bus if the local count changed.
func (h *hub) countChangedLocked() {
	if h.peopleTimer != nil {
		return
	}
	now := time.Now()
	at := h.peopleAt.Add(h.s.cfg.PeopleInterval)
	if at.Before(now) {
		at = now
	}
	h.peopleAt = at
	h.peopleTimer = time.AfterFunc(at.Sub(now), func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.peopleTimer = nil
		n := h.peopleLocked()
		var frame []byte
		for cn := range h.conns {
			if cn.people != n {
				if frame == nil {
					frame = textFrame(protocol.EncodePeople(n))
				}
				cn.people = n
				cn.sendFrame(frame)
			}
		}
		if n := len(h.byClient); n != h.countPublished {
			h.countPublished = n
			h.s.publish(cluster.Message{Pad: h.pad, Kind: cluster.KindCount, Count: n})
		}
	})
}

// leave unregisters cn and, if it was active, tells the others.
func (h *hub) leave(cn *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.conns[cn]; !ok {
		return
	}
	wasActive := cn.active
	h.detach(cn)
	if wasActive {
		h.announceLocked(cluster.KindLeave, cn)
	}
	h.countChangedLocked()
}

// detach removes cn from the hub without telling anyone.
func (h *hub) detach(cn *conn) {
	delete(h.conns, cn)
	delete(h.active, cn)
	cn.active = false
	if h.byClient[cn.user.Client] == cn {
		delete(h.byClient, cn.user.Client)
	}
	if cn.cursorTimer != nil {
		cn.cursorTimer.Stop()
		cn.cursorTimer = nil
	}
}

// activate marks cn's user as active now: it types. A reader becomes
// listed to everyone.
func (h *hub) activate(cn *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.conns[cn]; ok {
		h.activateLocked(cn)
	}
}

// activateLocked marks cn's user as active now and announces a reader
// who becomes active; it reports whether it did.
func (h *hub) activateLocked(cn *conn) bool {
	cn.user.Active = time.Now().UnixMilli()
	if cn.active {
		return false
	}
	cn.active = true
	h.active[cn] = struct{}{}
	h.announceLocked(cluster.KindJoin, cn)
	return true
}

// commit delivers committed records in revision order: an ack to the
// author's connection, the op to every other connection. It runs inside
// the engine's OnCommit and never blocks.
func (h *hub) commit(recs []collab.Record) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range recs {
		if r.Rev <= h.history.Head() {
			continue // already delivered (the pad was reloaded)
		}
		author := h.byClient[r.Client]
		if author != nil {
			author.send(protocol.EncodeAck(r.Seq, r.Rev))
		}
		if len(h.conns) > 1 || author == nil && len(h.conns) > 0 {
			h.broadcastLocked(protocol.EncodeOp(r), author)
		}
		if r.Rev != h.history.Head()+1 {
			h.history.Reset(r.Rev - 1) // a gap: cursors cannot cross it
		}
		h.history.Append(r)
	}
	for client, u := range h.pending {
		if u.Rev <= h.history.Head() {
			delete(h.pending, client)
			h.remoteCursorLocked(u)
		}
	}
}

// reset closes every connection of the pad so that its client loads the
// pad afresh: what they hold is no longer the pad's history. It runs
// inside the engine's OnReset and never blocks.
func (h *hub) reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for cn := range h.conns {
		h.detach(cn)
		cn.kill(protocol.CloseHistoryChanged)
	}
	h.countChangedLocked()
}

// moveToHeadLocked moves u's selection to the head; false, with u
// unchanged, if u has none or it cannot be placed (History.MoveSelection).
func (h *hub) moveToHeadLocked(u *cluster.User) bool {
	if u.Sel == nil {
		return false
	}
	sel, ok := h.history.MoveSelection(*u.Sel, u.Rev)
	if !ok {
		return false
	}
	u.Sel, u.Rev = &sel, h.history.Head()
	return true
}

// cursor moves a connection's selection, made at rev, to the head through
// the recent records, stores it and broadcasts it, at most once per
// Config.CursorInterval per connection: within the interval only the
// latest selection is sent, when the interval ends. It returns false, and
// does nothing, if rev is after the head or older than the recent records.
func (h *hub) cursor(cn *conn, sel [2]int, rev int) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.conns[cn]; !ok {
		return true // it left meanwhile
	}
	sel, ok := h.history.MoveSelection(sel, rev)
	if !ok {
		return false
	}
	cn.user.Sel, cn.user.Rev = &sel, h.history.Head()
	h.activateLocked(cn)
	if cn.cursorTimer != nil {
		return true // a send is scheduled and will take the latest selection
	}
	wait := h.s.cfg.CursorInterval - time.Since(cn.lastCursor)
	if wait <= 0 {
		h.sendCursorLocked(cn)
		return true
	}
	cn.cursorTimer = time.AfterFunc(wait, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if _, ok := h.conns[cn]; ok && cn.cursorTimer != nil {
			cn.cursorTimer = nil
			h.sendCursorLocked(cn)
		}
	})
	return true
}

// sendCursorLocked broadcasts cn's selection, moved to the head.
func (h *hub) sendCursorLocked(cn *conn) {
	cn.lastCursor = time.Now()
	if h.moveToHeadLocked(&cn.user) {
		h.announceLocked(cluster.KindCursor, cn)
	}
}

// rename changes a connection's name and colour and tells everyone else:
// a reader who renames becomes active.
func (h *hub) rename(cn *conn, name, color string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.conns[cn]; !ok {
		return
	}
	if name != "" {
		cn.user.Name = name
	}
	if color != "" {
		cn.user.Color = color
	}
	if !h.activateLocked(cn) {
		h.announceLocked(cluster.KindUpdate, cn)
	}
}

// remote forwards a presence event of a user on another replica. Events
// about a client that is connected here are ignored: this replica knows
// better.
func (h *hub) remote(event string, u cluster.User) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if event == cluster.KindCount {
		h.countChangedLocked()
		return
	}
	if h.byClient[u.Client] != nil {
		return
	}
	if event == cluster.KindCursor {
		if u.Rev > h.history.Head() {
			h.pending[u.Client] = u
			return
		}
		h.remoteCursorLocked(u)
		return
	}
	if event == cluster.KindLeave {
		delete(h.pending, u.Client)
	}
	u.Sel = nil
	h.broadcastLocked(h.presenceLocked(event, u), nil)
}

func (h *hub) remoteCursorLocked(u cluster.User) {
	if h.moveToHeadLocked(&u) {
		h.broadcastLocked(h.presenceLocked(cluster.KindCursor, u), nil)
	}
}

// setLinks stores the pad's slide links and, if they changed, pushes them
// to everyone.
func (h *hub) setLinks(links []conference.Link) {
	h.mu.Lock()
	defer h.mu.Unlock()
	v := h.versionWithLocked(links)
	if v == h.version {
		return
	}
	h.links, h.version = links, v
	h.broadcastLocked(protocol.EncodeLinks(links), nil)
}

// setArchived records whether the session is archived (read-only) and
// reports whether that changed.
func (h *hub) setArchived(archived bool) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.readOnly.Load() == archived {
		return false
	}
	h.readOnly.Store(archived)
	h.version = h.versionLocked()
	return true
}

// heartbeat returns the pad's heartbeat: the active users here and the
// count of connections here, with the session version.
func (h *hub) heartbeat() cluster.Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	users := make([]cluster.User, 0, len(h.active))
	for cn := range h.active {
		users = append(users, cn.user)
	}
	h.countPublished = len(h.byClient)
	return cluster.Message{Pad: h.pad, Kind: cluster.KindUsers, Users: users, Count: len(h.byClient), Version: h.version}
}

// closeAll closes every connection of the pad with c.
func (h *hub) closeAll(c protocol.Close) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for cn := range h.conns {
		cn.kill(c)
	}
}

// people counts everyone connected to the pad on every replica.
func (h *hub) people() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.peopleLocked()
}

// announceLocked tells the pad's other connections, here and on the other
// replicas, about an event of cn's user.
func (h *hub) announceLocked(event string, cn *conn) {
	h.broadcastLocked(h.presenceLocked(event, cn.user), cn)
	h.s.publish(cluster.Message{Pad: h.pad, Kind: event, Users: []cluster.User{cn.user}})
}

// wireUserOf is u as clients see it.
func wireUserOf(u cluster.User) protocol.User {
	return protocol.User{Client: u.Client, Name: u.Name, Color: u.Color, Sel: u.Sel}
}

func (h *hub) presenceLocked(event string, u cluster.User) []byte {
	w := wireUserOf(u)
	if event != cluster.KindCursor {
		w.Sel = nil
	}
	return protocol.EncodePresence(event, w, h.history.Head())
}

// broadcastLocked sends the message payload to every connection but
// except: one frame, encoded once, whose bytes all of them share.
func (h *hub) broadcastLocked(payload []byte, except *conn) {
	frame := textFrame(payload)
	for cn := range h.conns {
		if cn != except {
			cn.sendFrame(frame)
		}
	}
}
