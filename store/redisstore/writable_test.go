package redisstore

import (
	"strings"
	"testing"

	"github.com/confpad/confpad/store/redisstore/redistest"
)

// TestCheckWritable: Redis out of memory (maxmemory reached, no eviction)
// still answers PING but refuses appends; CheckWritable says so, and
// recovers with it.
func TestCheckWritable(t *testing.T) {
	srv := redistest.Start(t)
	s := openStore(t, srv.URL(), "writable")
	ctx := t.Context()
	if err := s.CheckWritable(ctx); err != nil {
		t.Fatalf("CheckWritable: %v", err)
	}
	if _, err := srv.Do(ctx, "CONFIG", "SET", "maxmemory", "1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping out of memory: %v", err)
	}
	if err := s.CheckWritable(ctx); err == nil || !strings.Contains(err.Error(), "OOM") {
		t.Fatalf("CheckWritable out of memory: %v, want an OOM error", err)
	}
	if _, err := srv.Do(ctx, "CONFIG", "SET", "maxmemory", "0"); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckWritable(ctx); err != nil {
		t.Fatalf("CheckWritable with memory again: %v", err)
	}
}
