package client

import (
	"strconv"
	"testing"
	"time"

	"github.com/confpad/confpad/collab"
)

// BenchmarkReceiveOp measures what a client does per remote op it
// receives (decode, transform past nothing pending, apply to a 10,000
// character text, build the event): the load tool runs 120 clients in one
// process, so this bounds how many broadcasts it can take in.
func BenchmarkReceiveOp(b *testing.B) {
	c := &Client{st: state{doc: collab.NewDoc(string(make([]byte, 10000)))}, synced: make(chan struct{})}
	close(c.synced)
	msgs := make([][]byte, 1000)
	for i := range msgs {
		msgs[i] = []byte(`{"type":"op","rev":` + strconv.Itoa(i+1) + `,"op":[` + strconv.Itoa(i*7%9000+1) + `,"x"],"author":"load-abc-w3"}`)
	}
	now := time.Now()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%len(msgs) == 0 {
			c.st.rev = 0
		}
		if _, _, err := c.handle(msgs[i%len(msgs)], now); err != nil {
			b.Fatal(err)
		}
	}
}
