package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/confpad/confpad/conference"
)

// DefaultBoFRate is how many BoFs one client address may start per hour
// when Config.BoFRate is zero.
const DefaultBoFRate = 10

// codeTooManyBoFs is the error code of a BoF start over the rate limit.
const codeTooManyBoFs = "too_many_bofs"

// bofRequest is the body of POST /api/v1/bofs (or the form of POST /bofs).
type bofRequest struct {
	Title string `json:"title" form:"title"`
	Time  string `json:"time" form:"time"`
	Room  string `json:"room" form:"room"`
}

// startBoFForm serves POST /bofs, the index page's form: it starts a BoF
// and sends the browser to its pad (303).
func (s *Server) startBoFForm(c echo.Context) error {
	req := bofRequest{Title: c.FormValue("title"), Time: c.FormValue("time"), Room: c.FormValue("room")}
	sess, err := s.startBoF(c, req)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/p/"+sess.ID)
}

// startBoFAPI serves POST /api/v1/bofs: it starts a BoF and answers 201
// with the session.
func (s *Server) startBoFAPI(c echo.Context) error {
	var req bofRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sess, err := s.startBoF(c, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, s.padInfo(sess, nil))
}

// startBoF creates a live BoF session from req, if the conference allows
// BoFs and the client is within its rate; the id is made from the title.
func (s *Server) startBoF(c echo.Context, req bofRequest) (conference.Session, error) {
	ctx := c.Request().Context()
	allowed, err := s.cfg.Catalog.BoFs(ctx)
	if err != nil {
		return conference.Session{}, catalogError(err)
	}
	if !allowed {
		return conference.Session{}, apiError(http.StatusForbidden, codeForbidden, "this conference does not take BoF sessions")
	}
	sess := conference.Session{
		ID:      bofID(req.Title),
		Title:   strings.TrimSpace(req.Title),
		Time:    strings.TrimSpace(req.Time),
		Room:    strings.TrimSpace(req.Room),
		State:   conference.StateLive,
		Kind:    conference.KindBoF,
		Links:   []conference.Link{},
		Created: time.Now().UTC(),
	}
	if err := validSession(sess); err != nil {
		return conference.Session{}, err
	}
	if wait, ok := s.bofLimit.allow(c.RealIP(), time.Now()); !ok {
		secs := int(math.Ceil(wait.Seconds()))
		c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
		return conference.Session{}, apiError(http.StatusTooManyRequests, codeTooManyBoFs,
			"Too many BoFs started from your address: you can start another in "+waitText(wait)+".")
	}
	if err := s.cfg.Catalog.CreateSession(ctx, sess); err != nil {
		return conference.Session{}, catalogError(err)
	}
	s.log.Info("BoF started", "id", sess.ID, "addr", c.RealIP())
	return sess, nil
}

// waitText says how long to wait, in minutes or seconds.
func waitText(d time.Duration) string {
	if d >= time.Minute {
		n := int(math.Ceil(d.Minutes()))
		if n == 1 {
			return "1 minute"
		}
		return strconv.Itoa(n) + " minutes"
	}
	return strconv.Itoa(max(1, int(math.Ceil(d.Seconds())))) + " seconds"
}

// bofID makes a session id for a BoF: "bof-", a slug of its title (up to
// 40 characters) and a random suffix, so titles never collide.
func bofID(title string) string {
	var b strings.Builder
	dash := true
	for _, r := range strings.ToLower(title) {
		if b.Len() >= 40 {
			break
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	var suffix [3]byte
	_, _ = rand.Read(suffix[:])
	slug := strings.TrimSuffix(b.String(), "-")
	if slug == "" {
		return "bof-" + hex.EncodeToString(suffix[:])
	}
	return "bof-" + slug + "-" + hex.EncodeToString(suffix[:])
}

// maxLimitedAddrs bounds the addresses a rateLimit remembers.
const maxLimitedAddrs = 10000

// rateLimit allows each address n events per hour, in bursts of up to n
// (a token bucket per address).
type rateLimit struct {
	perHour float64
	mu      sync.Mutex
	buckets map[string]bucket
}

// bucket is an address's tokens at a time.
type bucket struct {
	tokens float64
	at     time.Time
}

func newRateLimit(perHour int) *rateLimit {
	return &rateLimit{perHour: float64(perHour), buckets: map[string]bucket{}}
}

// allow takes a token for addr at now, or says how long until one is
// there.
func (l *rateLimit) allow(addr string, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	perSec := l.perHour / 3600
	b, ok := l.buckets[addr]
	if !ok {
		if len(l.buckets) >= maxLimitedAddrs {
			l.forgetFull(now)
		}
		b = bucket{tokens: l.perHour, at: now}
	}
	b.tokens = min(l.perHour, b.tokens+now.Sub(b.at).Seconds()*perSec)
	b.at = now
	if b.tokens < 1 {
		l.buckets[addr] = b
		return time.Duration((1 - b.tokens) / perSec * float64(time.Second)), false
	}
	b.tokens--
	l.buckets[addr] = b
	return 0, true
}

// forgetFull drops the addresses whose buckets have refilled (they are
// as good as new), or all of them if none has.
func (l *rateLimit) forgetFull(now time.Time) {
	for addr, b := range l.buckets {
		if b.tokens+now.Sub(b.at).Seconds()*l.perHour/3600 >= l.perHour {
			delete(l.buckets, addr)
		}
	}
	if len(l.buckets) >= maxLimitedAddrs {
		clear(l.buckets)
	}
}
