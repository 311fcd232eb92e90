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
