package client

import (
	"errors"
	"testing"
	"time"

	"github.com/confpad/confpad/collab"
)

// TestOpMessageNeedsOp: an op message without an op is a protocol error;
// one with an empty op is an op like any other.
func TestOpMessageNeedsOp(t *testing.T) {
	for _, tt := range []struct {
		data string
		ok   bool
	}{
		{`{"type":"op","rev":1,"author":"a"}`, false},
		{`{"type":"op","rev":1,"op":[],"author":"a"}`, true},
		{`{"type":"op","rev":1,"op":["x"],"author":"a"}`, true},
	} {
		c := &Client{st: state{doc: collab.NewDoc("")}, synced: make(chan struct{})}
		close(c.synced)
		_, ev, err := c.handle([]byte(tt.data), time.Now())
		if tt.ok && (err != nil || ev.Kind != EventRemote) {
			t.Errorf("%s: event %+v, error %v; want a remote op", tt.data, ev, err)
		}
		if !tt.ok && !errors.Is(err, errProtocol) {
			t.Errorf("%s: error %v, want errProtocol", tt.data, err)
		}
	}
}

// TestCursorTooOldDropsTheConnection: rev_too_old about the client's
// revision (a cursor's, without a ref) is reported and drops the
// connection, so that the client resumes and gets a snapshot; about an op
// (with its ref) it is the op's refusal.
func TestCursorTooOldDropsTheConnection(t *testing.T) {
	c := &Client{st: state{doc: collab.NewDoc("")}, synced: make(chan struct{})}
	close(c.synced)
	_, ev, err := c.handle([]byte(`{"type":"error","code":"rev_too_old","message":"revision 3 is too old"}`), time.Now())
	if ev.Kind != EventError || ev.Code != "rev_too_old" || !errors.Is(err, errTooFarBehind) {
		t.Errorf("cursor refusal: event %+v, error %v; want the error event and errTooFarBehind", ev, err)
	}
	_, ev, err = c.handle([]byte(`{"type":"error","code":"rev_too_old","message":"revision 3 is too old","ref":4}`), time.Now())
	if ev.Kind != EventError || ev.Seq != 4 || err != nil {
		t.Errorf("op refusal: event %+v, error %v; want the error event about seq 4", ev, err)
	}
}
