package sqlitestore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/store/sqlitestore"
)

func Example() {
	dir, err := os.MkdirTemp("", "confpad-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	store, err := sqlitestore.Open(ctx, filepath.Join(dir, "data", "confpad.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	// Two ops on the empty pad: revisions 1 and 2. Append returns once they
	// are on disk.
	now := time.Now()
	err = store.Append(ctx, "tracing", 0, []collab.Record{
		{Op: collab.NewOp(collab.Insert("Notes")), Client: "ada", Seq: 1, Time: now},
		{Op: collab.NewOp(collab.Skip(5), collab.Insert(" 📝")), Client: "ada", Seq: 2, Time: now},
	})
	if err != nil {
		log.Fatal(err)
	}

	// A writer that still believes the head is 0 is refused.
	err = store.Append(ctx, "tracing", 0, []collab.Record{{Op: collab.NewOp(collab.Insert("x")), Client: "bob", Seq: 1, Time: now}})
	fmt.Println("stale append:", err)

	snap, recs, err := store.Load(ctx, "tracing")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("snapshot at %d %q\n", snap.Rev, snap.Text)
	for _, r := range recs {
		fmt.Printf("rev %d by %s seq %d: %v\n", r.Rev, r.Client, r.Seq, r.Op)
	}
	// Output:
	// stale append: collab: pad head has moved
	// snapshot at 0 ""
	// rev 1 by ada seq 1: ["Notes"]
	// rev 2 by ada seq 2: [5," 📝"]
}
