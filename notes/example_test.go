package notes_test

import (
	"fmt"

	"github.com/confpad/confpad/notes"
)

func ExampleRender() {
	doc, err := notes.Render("Call `kill -9 <pid>` or kill -9 <pid>; [docs](https://man7.org)")
	if err != nil {
		panic(err)
	}
	fmt.Print(doc.HTML)
	// Output:
	// <span class="line" id="L1"></span>
	// <p>Call <code>kill -9 &lt;pid&gt;</code> or kill -9 &lt;pid&gt;; <a href="https://man7.org" rel="nofollow noopener ugc">docs</a></p>
}
