package redisbus

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/confpad/confpad/cluster"
	"github.com/confpad/confpad/cluster/bustest"
	"github.com/confpad/confpad/store/redisstore"
	"github.com/confpad/confpad/store/redisstore/redistest"
)

func openStore(t *testing.T, url, prefix string) *redisstore.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := redisstore.Open(ctx, url, redisstore.Options{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestBus runs the bus suite on one Redis and on a Redis Cluster, each
// test with its own key prefix and a Store per replica.
func TestBus(t *testing.T) {
	tests := []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"OneServer", func(t *testing.T) string { return redistest.Start(t).URL() }},
		{"Cluster", func(t *testing.T) string { return redistest.StartCluster(t, 3).URL() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := tt.url(t)
			bustest.Run(t, func(t *testing.T) (a, b cluster.Bus) {
				prefix := "t-" + uuid.NewString()[:8]
				return New(openStore(t, url, prefix)), New(openStore(t, url, prefix))
			})
		})
	}
}
