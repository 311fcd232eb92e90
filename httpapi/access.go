package httpapi

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/confpad/confpad/cluster"
	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/protocol"
)

// Who may edit. A session's policy (conference.Session.Policy) is "open",
// everyone edits, or "link": only those who opened the pad through its
// edit link (/p/{id}?edit=<secret>) edit, everyone else reads. The
// websocket learns the secret from the join's "edit"; HTTP writes from the
// X-Edit-Secret header (or the admin token). A connection's right to edit
// is decided at its join (hub.join); when an admin changes the policy or
// rotates the secret, the connections whose right changes are closed
// (protocol.CloseAccessChanged) on every replica, and rejoin with the
// right the new policy gives them.

// Headers of the access model.
const (
	// headerEditSecret carries the edit-link secret of an HTTP write.
	headerEditSecret = "X-Edit-Secret"
	// headerLinkToken carries the capability token of a slide link, which
	// its adder got from POST /api/v1/pads/{id}/links.
	headerLinkToken = "X-Link-Token"
)

// codeViewOnly: an HTTP write to a session whose policy needs the edit
// link, without its secret.
const codeViewOnly = "view_only"

// accessKey is what of a session's policy and edit secret decides who may
// edit: under the open policy the secret does not matter.
func accessKey(policy, secret string) string {
	if policy != conference.PolicyLink {
		return conference.PolicyOpen
	}
	return conference.PolicyLink + ":" + secret
}

// versionLocked is the hub's session version (sessionVersion).
func (h *hub) versionLocked() string { return h.versionWithLocked(h.links) }

// versionWithLocked is the hub's session version with links as its links.
func (h *hub) versionWithLocked(links []conference.Link) string {
	return sessionVersion(h.readOnly.Load(), accessKey(h.policy, h.editSecret), links)
}

// allowsLocked reports whether a join with editSecret may edit under the
// session's policy.
func (h *hub) allowsLocked(editSecret string) bool {
	return conference.Session{Policy: h.policy, EditSecret: h.editSecret}.CanEdit(editSecret)
}

// modeLocked is what cn may do, for its welcome.
func (h *hub) modeLocked(cn *conn) string {
	switch {
	case h.readOnly.Load():
		return protocol.ModeArchived
	case !cn.canEdit.Load():
		return protocol.ModeView
	}
	return protocol.ModeEdit
}

// setAccess records the session's policy and edit secret and closes the
// connections whose right to edit they change.
func (h *hub) setAccess(policy, secret string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	same := accessKey(policy, secret) == accessKey(h.policy, h.editSecret)
	h.policy, h.editSecret = policy, secret
	if same {
		return
	}
	h.version = h.versionLocked()
	for cn := range h.conns {
		if cn.canEdit.Load() != h.allowsLocked(cn.editSecret) {
			cn.kill(protocol.CloseAccessChanged)
		}
	}
}

// accessChanged applies sess's policy and edit secret to its pad here.
func (s *Server) accessChanged(sess conference.Session) {
	if h := s.lookupHub(sess.ID); h != nil {
		h.setAccess(sess.EditPolicy(), sess.EditSecret)
	}
}

// changeAccess applies sess's policy and edit secret here and has every
// replica re-read them from the Catalog (the secret does not travel on
// the bus).
func (s *Server) changeAccess(sess conference.Session) {
	s.accessChanged(sess)
	s.publish(cluster.Message{Pad: sess.ID, Kind: cluster.KindSession})
}

// mayEdit reports whether the request may change sess's notes or add
// slide links to it under its policy: with the admin token, or with the
// edit-link secret in X-Edit-Secret where the policy needs it.
func (s *Server) mayEdit(c echo.Context, sess conference.Session) bool {
	return s.hasAdminToken(c.Request()) || sess.CanEdit(c.Request().Header.Get(headerEditSecret))
}

// errViewOnly answers a write without the edit link's secret.
func errViewOnly() error {
	return apiError(http.StatusForbidden, codeViewOnly,
		"this session may be edited only through its edit link: send its secret in "+headerEditSecret)
}

// editLinkJSON is the answer of the edit-link routes.
type editLinkJSON struct {
	Policy string `json:"policy"`
	// Secret is the session's edit secret; Link the path of its edit
	// link.
	Secret string `json:"secret"`
	Link   string `json:"link"`
}

func editLinkOf(sess conference.Session) editLinkJSON {
	return editLinkJSON{
		Policy: sess.EditPolicy(),
		Secret: sess.EditSecret,
		Link:   "/p/" + url.PathEscape(sess.ID) + "?edit=" + url.QueryEscape(sess.EditSecret),
	}
}

// getEditLink answers GET /api/v1/pads/:id/edit-link (admin): the
// session's edit link, made on first use.
func (s *Server) getEditLink(c echo.Context) error {
	sess, err := s.cfg.Catalog.Session(c.Request().Context(), c.Param("id"))
	if err != nil {
		return catalogError(err)
	}
	if sess.EditSecret == "" {
		return s.newEditLink(c, sess, "create_edit_link")
	}
	return c.JSON(http.StatusOK, editLinkOf(sess))
}

// rotateEditLink answers POST /api/v1/pads/:id/edit-link/rotate (admin):
// a new edit link replaces the old one, whose holders lose the right to
// edit (their connections are closed and rejoin as readers).
func (s *Server) rotateEditLink(c echo.Context) error {
	sess, err := s.cfg.Catalog.Session(c.Request().Context(), c.Param("id"))
	if err != nil {
		return catalogError(err)
	}
	return s.newEditLink(c, sess, "rotate_edit_link")
}

// newEditLink gives sess a new edit secret, applies it on every replica
// and answers with the edit link.
func (s *Server) newEditLink(c echo.Context, sess conference.Session, action string) error {
	sess.EditSecret = conference.NewSecret()
	if err := s.cfg.Catalog.UpdateSession(c.Request().Context(), sess); err != nil {
		return catalogError(err)
	}
	s.changeAccess(sess)
	s.audit(c, action, sess.ID, "policy", sess.EditPolicy())
	return c.JSON(http.StatusOK, editLinkOf(sess))
}

// linkOwner checks that the request may change or remove the slide link
// linkID of the request's session: with the admin token, or with the
// link's capability token in X-Link-Token. admin says which.
func (s *Server) linkOwner(c echo.Context, linkID string) (admin bool, err error) {
	if s.hasAdminToken(c.Request()) {
		return true, nil
	}
	token := strings.TrimSpace(c.Request().Header.Get(headerLinkToken))
	if token == "" {
		return false, apiError(http.StatusUnauthorized, codeUnauthorized,
			"send "+headerLinkToken+" (the token you got when you added the link) or Authorization: Bearer <admin token>")
	}
	sess, err := s.cfg.Catalog.Session(c.Request().Context(), c.Param("id"))
	if err != nil {
		return false, catalogError(err)
	}
	for _, l := range sess.Links {
		if l.ID == linkID {
			if !l.TokenMatches(token) {
				return false, apiError(http.StatusForbidden, codeForbidden, "this token is not the link's: only whoever added it, or an admin, may change it")
			}
			return false, nil
		}
	}
	return false, apiError(http.StatusNotFound, codeNotFound, "no such link")
}
