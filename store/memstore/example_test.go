package memstore_test

import (
	"context"
	"fmt"
	"log"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/store/memstore"
)

func Example() {
	ctx := context.Background()
	store := memstore.New()

	// Another replica would subscribe to hear of what this one commits.
	cancel := store.Subscribe("notes", func(recs []collab.Record) {
		for _, r := range recs {
			fmt.Printf("published rev %d: %v\n", r.Rev, r.Op)
		}
	})
	defer cancel()

	err := store.Append(ctx, "notes", 0, []collab.Record{
		{Op: collab.NewOp(collab.Insert("Notes")), Client: "ada", Seq: 1},
		{Op: collab.NewOp(collab.Skip(5), collab.Insert("!")), Client: "ada", Seq: 2},
	})
	if err != nil {
		log.Fatal(err)
	}
	// A writer that still believes the head is 0 is refused.
	err = store.Append(ctx, "notes", 0, []collab.Record{{Op: collab.NewOp(collab.Insert("x")), Client: "bob", Seq: 1}})
	fmt.Println("stale append:", err)

	snap, recs, err := store.Load(ctx, "notes")
	if err != nil {
		log.Fatal(err)
	}
	doc, err := collab.Replay(snap, recs)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(doc)
	// Output:
	// published rev 1: ["Notes"]
	// published rev 2: [5,"!"]
	// stale append: memstore: pad "notes" head is 2, not 0: collab: pad head has moved
	// Notes!
}
