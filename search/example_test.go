package search_test

import (
	"context"
	"fmt"
	"log"

	"github.com/confpad/confpad/search"
)

func Example() {
	ctx := context.Background()
	ix := search.NewMemory()
	notes := map[string]string{
		"tracing": "# Tracing\nftrace can now trace sched_setattr() calls\n",
		"audio":   "# Audio\nPipeWire latency, and ftrace for audio\n",
	}
	for pad, text := range notes {
		if err := ix.Update(ctx, pad, 1, text); err != nil {
			log.Fatal(err)
		}
	}

	q, err := search.ParseQuery(`sched_setattr ftrace`)
	if err != nil {
		log.Fatal(err)
	}
	hits, err := ix.Search(ctx, q, 10)
	if err != nil {
		log.Fatal(err)
	}
	for _, h := range hits {
		fmt.Printf("%s line %d: %q\n", h.Pad, h.Snippet.Line, h.Snippet.Text)
		for _, p := range h.Snippet.Parts() {
			if p.Mark {
				fmt.Printf("  match %q\n", p.Text)
			}
		}
	}

	_, err = search.ParseQuery(`"" *`)
	fmt.Println(err)
	// Output:
	// tracing line 2: "ftrace can now trace sched_setattr() calls"
	//   match "ftrace"
	//   match "sched_setattr"
	// bad search query: it has no word to search for (letters or digits)
}
