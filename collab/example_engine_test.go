package collab

import (
	"context"
	"fmt"
)

// Two clients edit revision 1 of a pad at the same time; the engine
// transforms the later op against the earlier one and both land.
func ExampleEngine() {
	e := NewEngine(Config{Log: newMemLog()})
	defer e.Close()
	ctx := context.Background()

	e.Submit(ctx, "notes", Submission{Client: "ada", Seq: 1, Base: 0, Op: NewOp(Insert("plumbing"))})
	e.Submit(ctx, "notes", Submission{Client: "ada", Seq: 2, Base: 1, Op: NewOp(Insert("linux "))})
	res, _ := e.Submit(ctx, "notes", Submission{Client: "bob", Seq: 1, Base: 1, Op: NewOp(Skip(8), Insert(" conf"))})
	text, head, _ := e.Text(ctx, "notes", -1)
	fmt.Println(res.Rev, res.Op)
	fmt.Println(head, text)
	// Output:
	// 3 [14," conf"]
	// 3 linux plumbing conf
}
