package cluster_test

import (
	"context"
	"fmt"
	"time"

	"github.com/confpad/confpad/cluster"
)

// Two replicas on one in-process bus: what one publishes, the other
// receives (and so does the publisher, which skips its own messages by
// Replica).
func ExampleMemoryBus() {
	bus := cluster.NewMemoryBus()
	got := make(chan cluster.Message, 1)
	cancel := bus.Subscribe(func(m cluster.Message) {
		if m.Replica != "replica-b" {
			got <- m
		}
	})
	defer cancel()
	_ = bus.Publish(context.Background(), cluster.Message{Replica: "replica-a", Pad: "tracing", Kind: cluster.KindJoin,
		Users: []cluster.User{{Client: "ada", Name: "Ada", Color: "#3366ff"}}})
	select {
	case m := <-got:
		fmt.Println(m.Replica, m.Pad, m.Kind, m.Users[0].Name)
	case <-time.After(10 * time.Second):
		fmt.Println("nothing arrived")
	}
	// Output: replica-a tracing join Ada
}
