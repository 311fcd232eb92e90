package cluster

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/httpapi"
	"github.com/confpad/confpad/store/redisstore"
	"github.com/confpad/confpad/store/redisstore/redistest"
)

const waitTimeout = 20 * time.Second

func openStore(t *testing.T, url, prefix string) *redisstore.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	s, err := redisstore.Open(ctx, url, redisstore.Options{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// recorder collects the messages a bus delivers.
type recorder struct {
	mu   sync.Mutex
	msgs []httpapi.PresenceMessage
}

func (r *recorder) add(m httpapi.PresenceMessage) {
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	r.mu.Unlock()
}

func (r *recorder) snapshot() []httpapi.PresenceMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]httpapi.PresenceMessage(nil), r.msgs...)
}

func TestPresenceBusAcrossReplicas(t *testing.T) {
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
			prefix := "t-" + uuid.NewString()[:8]
			a := NewPresenceBus(openStore(t, url, prefix))
			b := NewPresenceBus(openStore(t, url, prefix))
			var atA, atB recorder
			defer a.Subscribe(atA.add)()
			defer b.Subscribe(atB.add)()

			ctx := t.Context()
			probe := httpapi.PresenceMessage{Replica: "probe", Pad: "p", Kind: httpapi.PresenceUsers}
			deadline := time.Now().Add(waitTimeout)
			for len(atA.snapshot()) == 0 || len(atB.snapshot()) == 0 {
				if time.Now().After(deadline) {
					t.Fatal("subscriptions never started")
				}
				if err := a.Publish(ctx, probe); err != nil {
					t.Fatal(err)
				}
				time.Sleep(10 * time.Millisecond)
			}
			sel := [2]int{3, 5}
			var sent []httpapi.PresenceMessage
			for i := range 50 {
				m := httpapi.PresenceMessage{Replica: "replica-b", Pad: "kernel", Kind: httpapi.PresenceCursor,
					Users: []httpapi.PresenceUser{{Client: fmt.Sprint("c", i), Name: "Ada 😀", Color: "#3366ff", Sel: &sel, Rev: i}}}
				if i%10 == 0 {
					m = httpapi.PresenceMessage{Replica: "replica-b", Pad: "kernel", Kind: httpapi.PresenceLinks,
						Links: []conference.Link{{ID: "l1", Title: "Slides", URL: "https://example.org/s.pdf", Added: time.UnixMilli(1e12).UTC()}}}
				}
				sent = append(sent, m)
				if err := b.Publish(ctx, m); err != nil {
					t.Fatal(err)
				}
			}
			for _, r := range []*recorder{&atA, &atB} {
				deadline := time.Now().Add(waitTimeout)
				for {
					var got []httpapi.PresenceMessage
					for _, m := range r.snapshot() {
						if m.Replica == "replica-b" {
							got = append(got, m)
						}
					}
					if len(got) == len(sent) {
						if !reflect.DeepEqual(got, sent) {
							t.Fatalf("messages differ or are out of order:\n got %+v\nwant %+v", got, sent)
						}
						break
					}
					if time.Now().After(deadline) {
						t.Fatalf("got %d of %d messages", len(got), len(sent))
					}
					time.Sleep(10 * time.Millisecond)
				}
			}
		})
	}
}
