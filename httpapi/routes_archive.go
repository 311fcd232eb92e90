package httpapi

import (
	"context"
	"errors"

	"github.com/labstack/echo/v4"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
)

// archivePad answers POST /api/v1/pads/:id/archive: the session becomes
// read-only (its notes and slide links frozen) and its editors reconnect
// read-only, on every replica. Archiving an archived session changes
// nothing and answers the same.
func (s *Server) archivePad(c echo.Context) error {
	return s.setState(c, conference.StateArchived)
}

// unarchivePad answers POST /api/v1/pads/:id/unarchive: the session is
// live again and its editors reconnect able to edit.
func (s *Server) unarchivePad(c echo.Context) error {
	return s.setState(c, conference.StateLive)
}

// setState stores a session's new state and answers with the session.
func (s *Server) setState(c echo.Context, state string) error {
	sess, err := s.cfg.Catalog.Session(c.Request().Context(), c.Param("id"))
	if err != nil {
		return catalogError(err)
	}
	old := sess
	sess.State = state
	return s.saveSession(c, sess, old)
}

// joinHub returns the pad's hub for a connection that joins now, with the
// session's state and access as the Catalog has it now, not as it was when the
// websocket opened or when the hub was built: a hub that holds another
// state takes this one and reconnects its editors. (The store refuses
// ops to an archived pad anyway; this makes the welcome's readOnly
// right.)
func (s *Server) joinHub(ctx context.Context, pad string) (*hub, error) {
	sess, err := s.cfg.Catalog.Session(ctx, pad)
	if err != nil {
		return nil, err
	}
	h := s.acquireHub(sess)
	s.stateChanged(pad, sess.State)
	s.accessChanged(sess)
	return h, nil
}

// isReadOnly reports whether err is the engine's refusal of an op to a
// read-only pad.
func isReadOnly(err error) bool {
	var ce *collab.Error
	return errors.As(err, &ce) && ce.Code == collab.CodeReadOnly
}
