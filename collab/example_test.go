package collab_test

import (
	"fmt"

	"github.com/confpad/confpad/collab"
)

func ExampleParseOp() {
	// Skip 6 code points, delete one (the emoji), insert a flag.
	op, err := collab.ParseOp([]byte(`[6, {"d": "😅"}, "🇩🇪"]`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(op, op.BaseLen(), op.InsertLen(), op.DeleteLen())

	_, err = collab.ParseOp([]byte(`["a", 3]`))
	fmt.Println(err)
	// Output:
	// [6,{"d":"😅"},"🇩🇪"] 7 2 1
	// collab: invalid op: component 1: op has a trailing skip
}

func ExampleApply() {
	op, _ := collab.ParseOp([]byte(`[6, {"d": 1}, "🇩🇪"]`))
	doc, err := collab.Apply("hello 😅!", op)
	fmt.Println(doc, err)

	_, err = collab.Apply("hi", op)
	fmt.Println(err)
	// Output:
	// hello 🇩🇪! <nil>
	// collab: op runs past the end of the document: component 0 needs 6 code points from position 0, the document has 2
}

func ExampleTransform() {
	// Two people type at position 1 of "ab" at once.
	doc := "ab"
	ada, _ := collab.ParseOp([]byte(`[1, "X"]`))
	bob, _ := collab.ParseOp([]byte(`[1, "Y"]`))

	// The server has applied Bob's op first; Ada's op goes after it, and
	// since it transforms with Left, her text comes first at the tie.
	ada2, _ := collab.Transform(ada, bob, collab.Left)
	// Ada's client, which applied her op first, transforms Bob's with Right.
	bob2, _ := collab.Transform(bob, ada, collab.Right)

	server, _ := collab.Apply(doc, bob)
	server, _ = collab.Apply(server, ada2)
	client, _ := collab.Apply(doc, ada)
	client, _ = collab.Apply(client, bob2)
	fmt.Println(ada2, bob2, server, client)
	// Output:
	// [1,"X"] [2,"Y"] aXYb aXYb
}

func ExampleCompose() {
	a, _ := collab.ParseOp([]byte(`[5, " world"]`))
	b, _ := collab.ParseOp([]byte(`[{"d": "hello"}, "goodbye"]`))
	ab, _ := collab.Compose(a, b)
	doc, _ := collab.Apply("hello", ab)
	fmt.Println(ab, doc)
	// Output:
	// [{"d":"hello"},"goodbye world"] goodbye world
}

func ExampleTransformPosition() {
	// A cursor after "b" in "abc" (position 2), then someone inserts an
	// emoji at the start and deletes the "a".
	op, _ := collab.ParseOp([]byte(`["😅", {"d": 1}]`))
	fmt.Println(collab.TransformPosition(2, op))
	// An insert exactly at the cursor leaves it in front of the new text.
	op, _ = collab.ParseOp([]byte(`[2, "XY"]`))
	fmt.Println(collab.TransformPosition(2, op), collab.TransformSelection([2]int{3, 1}, op))
	// Output:
	// 2
	// 2 [5 1]
}

func ExampleInvert() {
	op, _ := collab.ParseOp([]byte(`[2, {"d": "cd"}, "X"]`))
	inv, _ := collab.Invert(op)
	doc, _ := collab.Apply("abcdef", op)
	back, _ := collab.Apply(doc, inv)
	fmt.Println(inv, doc, back)
	// Output:
	// [2,"cd",{"d":"X"}] abXef abcdef
}

func ExampleNormalize() {
	// Neighbouring inserts merge, empty components go, and so does the
	// trailing skip; deletes merge but keep their text only if both carry it.
	op := collab.NewOp(collab.Skip(2), collab.Insert("a"), collab.Insert("b"), collab.Skip(0), collab.DeleteText("x"), collab.Delete(2), collab.Skip(3))
	fmt.Println(collab.Normalize(op))
	// Output:
	// [2,"ab",{"d":3}]
}

func ExampleOp_All() {
	op, _ := collab.ParseOp([]byte(`[3,"hi",{"d":2}]`))
	for i, c := range op.All() {
		fmt.Println(i, c.Skip(), c.Insert(), c.Delete())
	}
	// Output:
	// 0 3  0
	// 1 0 hi 0
	// 2 0  2
}

func ExampleNewOp() {
	// NewOp keeps the components as given; Normalize merges and trims.
	op := collab.NewOp(collab.Skip(1), collab.Skip(2), collab.Insert("a"), collab.Insert("b"), collab.Skip(4))
	fmt.Println(op, op.Len(), op.Validate() != nil)
	fmt.Println(collab.Normalize(op))
	// Output:
	// [1,2,"a","b",4] 5 true
	// [3,"ab"]
}

func ExampleOp_Equal() {
	// Ops compare by their components, wherever their texts are kept.
	parsed, _ := collab.ParseOp([]byte(`[2,"hi"]`))
	built := collab.NewOp(collab.Skip(2), collab.Insert("hi"))
	split := collab.NewOp(collab.Skip(2), collab.Insert("h"), collab.Insert("i"))
	fmt.Println(parsed.Equal(built), parsed.Equal(split), parsed.Equal(collab.Normalize(split)))
	// Output:
	// true false true
}

func ExampleComponent() {
	// Build an op by hand: keep 6 code points, delete "😅" (carrying its
	// text, so the op can be inverted), insert a flag.
	op := collab.NewOp(collab.Skip(6), collab.DeleteText("😅"), collab.Insert("🇩🇪"))
	b, _ := op.MarshalJSON()
	fmt.Println(string(b), op.Len(), op.At(1).Delete(), op.At(1).DeleteText(), op.At(2).Insert())

	// A bad count makes a component that Validate rejects, saying why.
	fmt.Println(collab.NewOp(collab.Skip(-2), collab.Insert("x")).Validate())
	// Output:
	// [6,{"d":"😅"},"🇩🇪"] 3 1 😅 🇩🇪
	// collab: invalid op: component 0: skip -2 must be > 0
}

func ExampleOp_AppendJSON() {
	op := collab.NewOp(collab.Skip(2), collab.Insert("<b>"))
	msg := []byte(`{"op":`)
	msg, err := op.AppendJSON(msg)
	fmt.Println(string(append(msg, '}')), err)
	// Output:
	// {"op":[2,"<b>"]} <nil>
}

func ExampleDiff() {
	op := collab.Diff("Q&A at 10:30\n", "Q&A at 11:00\n")
	fmt.Println(op)
	// Output: [8,{"d":"0:3"},"1:0"]
}

func ExampleAttribution() {
	a := collab.NewAttribution()
	_ = a.Apply(collab.NewOp(collab.Insert("Notes\n")), "ann")
	_ = a.Apply(collab.NewOp(collab.Skip(5), collab.Insert(" 😀")), "bob")
	_ = a.Apply(collab.NewOp(collab.Delete(1)), "cy")
	fmt.Println(a.Runs(), a.Len())
	// Output: [{ann 4} {bob 2} {ann 1}] 7
}
