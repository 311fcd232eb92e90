package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/store/redisstore"
)

// A replica opens the store, follows a pad and commits an op with
// compare-and-append. (It needs a Redis 7 server, so it is compiled but not
// run by go test; the package's tests do the same against a real one.)
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	store, err := redisstore.Open(ctx, "redis://127.0.0.1:6379/0", redisstore.Options{ClientName: "confpad-replica-1"})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	// Batches committed by any replica arrive in revision order; nil means
	// "messages may have been lost: read the log".
	stop := store.Subscribe("kernel-summit", func(recs []collab.Record) {
		if recs == nil {
			fmt.Println("read the log")
			return
		}
		fmt.Println("revisions", recs[0].Rev, "to", recs[len(recs)-1].Rev)
	})
	defer stop()

	head, err := store.Head(ctx, "kernel-summit")
	if err != nil {
		log.Fatal(err)
	}
	op := collab.NewOp(collab.Insert("Notes: "))
	err = store.Append(ctx, "kernel-summit", head, []collab.Record{{Op: op, Client: "c1", Seq: 1}})
	if errors.Is(err, collab.ErrConflict) {
		// Another replica appended first: transform the op against what it
		// appended and try again at the new head.
		newer, err := store.Records(ctx, "kernel-summit", head, -1)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(len(newer), "ops to transform against")
	}
}

// The same code runs on a Redis Cluster: list a few masters and each pad's
// keys, script and shard channel land on the shard of its hash tag.
func ExampleOpen_cluster() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	store, err := redisstore.Open(ctx, "redis-cluster://10.0.0.1:7000,10.0.0.2:7000,10.0.0.3:7000", redisstore.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	if err := store.Ping(ctx); err != nil {
		log.Printf("not ready: %v", err)
	}
}
