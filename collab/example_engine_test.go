package collab_test

import (
	"context"
	"fmt"
	"log"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/store/memstore"
)

// An engine over the in-memory store (swap in sqlitestore or redisstore
// for a durable one). Two clients edit revision 1 of a pad at the same
// time; the engine transforms the later op against the earlier one and
// both land. A second engine on the same store, as a second replica would,
// serves the same text.
func ExampleEngine() {
	store := memstore.New()
	e := collab.NewEngine(collab.Config{Log: store, Feed: store})
	defer e.Close()
	ctx := context.Background()

	submit := func(s collab.Submission) collab.Result {
		res, err := e.Submit(ctx, "notes", s)
		if err != nil {
			log.Fatal(err)
		}
		return res
	}
	submit(collab.Submission{Client: "ada", Seq: 1, Base: 0, Op: collab.NewOp(collab.Insert("plumbing"))})
	submit(collab.Submission{Client: "ada", Seq: 2, Base: 1, Op: collab.NewOp(collab.Insert("linux "))})
	res := submit(collab.Submission{Client: "bob", Seq: 1, Base: 1, Op: collab.NewOp(collab.Skip(8), collab.Insert(" conf"))})
	fmt.Println(res.Rev, res.Op)

	replica := collab.NewEngine(collab.Config{Log: store, Feed: store})
	defer replica.Close()
	text, head, err := replica.Text(ctx, "notes", -1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(head, text)
	// Output:
	// 3 [14," conf"]
	// 3 linux plumbing conf
}
