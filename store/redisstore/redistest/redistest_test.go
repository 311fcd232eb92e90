package redistest

import "testing"

// TestStartOnATakenPort: a server whose port another server holds does not
// pass for ready because the other one answers there.
func TestStartOnATakenPort(t *testing.T) {
	taken := Start(t)
	s := &Server{bin: Binary(t), Dir: t.TempDir(), Addr: taken.Addr}
	if err := s.start(); err == nil {
		s.Stop()
		t.Fatalf("a second redis-server started on %s, which another one holds", taken.Addr)
	}
}
