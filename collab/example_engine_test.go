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

// AppendText reads a text into a buffer the caller reuses, as an HTTP
// handler does from a pool, so that serving texts of old revisions
// allocates next to nothing.
func ExampleEngine_AppendText() {
	store := memstore.New()
	e := collab.NewEngine(collab.Config{Log: store})
	defer e.Close()
	ctx := context.Background()
	for seq, word := range []string{"kernel ", "plumbers ", "conference"} {
		base, err := e.Head(ctx, "notes")
		if err != nil {
			log.Fatal(err)
		}
		op := collab.NewOp(collab.Insert(word))
		if base > 0 {
			text, _, _ := e.Text(ctx, "notes", base)
			op = collab.NewOp(collab.Skip(len(text)), collab.Insert(word))
		}
		if _, err := e.Submit(ctx, "notes", collab.Submission{Client: "ada", Seq: seq + 1, Base: base, Op: op}); err != nil {
			log.Fatal(err)
		}
	}
	var buf []byte
	for rev := 1; rev <= 3; rev++ {
		var err error
		if buf, _, err = e.AppendText(ctx, buf[:0], "notes", rev); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%d: %q\n", rev, buf)
	}
	// Output:
	// 1: "kernel "
	// 2: "kernel plumbers "
	// 3: "kernel plumbers conference"
}

// LoadIntact loads a pad as the engine does: a snapshot whose text is not
// the one saved (here, changed behind the store's back) is taken for a
// lost one, and the pad's text comes from the records.
func ExampleLoadIntact() {
	ctx := context.Background()
	store := memstore.New()
	recs := []collab.Record{
		{Op: collab.NewOp(collab.Insert("notes"))},
		{Op: collab.NewOp(collab.Skip(5), collab.Insert(" on the talk"))},
	}
	if err := store.Append(ctx, "pad", 0, recs); err != nil {
		panic(err)
	}
	saved := "notes on the talk"
	damaged := collab.Snapshot{Rev: 2, Text: "notes on the tlak", Sum: collab.TextSum(saved)}
	if err := store.SaveSnapshot(ctx, "pad", damaged); err != nil {
		panic(err)
	}
	snap, after, err := collab.LoadIntact(ctx, store, "pad")
	if err != nil {
		panic(err)
	}
	doc, err := collab.Replay(snap, after)
	if err != nil {
		panic(err)
	}
	fmt.Printf("from revision %d and %d records: %q\n", snap.Rev, len(after), doc.String())
	// Output: from revision 0 and 2 records: "notes on the talk"
}
