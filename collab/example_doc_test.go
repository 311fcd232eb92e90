package collab_test

import (
	"fmt"
	"os"

	"github.com/confpad/confpad/collab"
)

func ExampleNewDoc() {
	d := collab.NewDoc("Grüße 👋")
	// Lengths and positions count code points: ü, ß and 👋 are one each.
	fmt.Println(d.Len())
	// Output: 7
}

func ExampleDoc_Apply() {
	d := collab.NewDoc("Notes: kernel")
	// Keep 7 code points, delete 6, insert new text: [7, {"d":6}, "scheduler 🚀"].
	op := collab.NewOp(collab.Skip(7), collab.Delete(6), collab.Insert("scheduler 🚀"))
	if err := d.Apply(op); err != nil {
		fmt.Println(err)
	}
	fmt.Println(d.String())

	// An op that runs past the end is rejected and changes nothing.
	err := d.Apply(collab.NewOp(collab.Skip(100), collab.Insert("!")))
	fmt.Println(err != nil, d.Len())
	// Output:
	// Notes: scheduler 🚀
	// true 18
}

func ExampleDoc_String() {
	d := collab.NewDoc("one\r\ntwo")
	if err := d.Apply(collab.NewOp(collab.Skip(3), collab.Delete(2), collab.Insert("\n"))); err != nil {
		fmt.Println(err)
	}
	fmt.Printf("%q\n", d.String())
	// Output: "one\ntwo"
}

func ExampleDoc_Slice() {
	d := collab.NewDoc("a😀b🇫🇷c")
	s, err := d.Slice(1, 3) // the emoji and the b
	fmt.Println(s, err)
	_, err = d.Slice(2, 9)
	fmt.Println(err)
	// Output:
	// 😀b <nil>
	// collab: slice [2, 9) of a document of 6 code points is out of range
}

func ExampleDoc_WriteTo() {
	d := collab.NewDoc("# Live notes\n")
	if _, err := d.WriteTo(os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output: # Live notes
}

func ExampleReplay() {
	snap := collab.Snapshot{Rev: 2, Text: "hi"}
	recs := []collab.Record{
		{Rev: 3, Op: collab.NewOp(collab.Skip(2), collab.Insert(" there"))},
		{Rev: 4, Op: collab.NewOp(collab.Delete(1), collab.Insert("H"))},
	}
	doc, err := collab.Replay(snap, recs)
	fmt.Println(doc, err)

	_, err = collab.Replay(snap, []collab.Record{{Rev: 3, Op: collab.NewOp(collab.Delete(5))}})
	fmt.Println(err)
	// Output:
	// Hi there <nil>
	// revision 3: collab: op runs past the end of the document: the op spans 5 code points, the document holds 2
}
