package client_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/confpad/confpad/client"
	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/httpapi/httpapitest"
)

// Two people on one pad: Ada types, Bob sees it arrive.
func Example() {
	dir, err := os.MkdirTemp("", "confpad-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	srv, err := httpapitest.Open(dir, httpapitest.Options{}) // a real confpad server on 127.0.0.1
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	url := srv.WSURL("pad")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	remote := make(chan client.Event, 10)
	bob, err := client.Dial(ctx, url, client.Options{Name: "Bob", OnEvent: func(e client.Event) {
		if e.Kind == client.EventRemote {
			remote <- e
		}
	}})
	if err != nil {
		log.Fatal(err)
	}
	defer bob.Close()
	ada, err := client.Dial(ctx, url, client.Options{Name: "Ada", Color: "#3366ff"})
	if err != nil {
		log.Fatal(err)
	}
	defer ada.Close()

	if err := ada.Edit(collab.NewOp(collab.Insert("Hello 🌍"))); err != nil {
		log.Fatal(err)
	}
	if err := ada.WaitSynced(ctx); err != nil { // the server has committed it
		log.Fatal(err)
	}
	e := <-remote
	fmt.Printf("Bob got %v, revision %d\n", e.Op, e.Rev)
	fmt.Println(bob.Text())
	// Output:
	// Bob got ["Hello 🌍"], revision 1
	// Hello 🌍
}

// EditFunc computes an op from the current text, with no remote op
// slipping in between: here, appending a line at the end.
func ExampleClient_EditFunc() {
	dir, err := os.MkdirTemp("", "confpad-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	srv, err := httpapitest.Open(dir, httpapitest.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, srv.WSURL("pad"), client.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for _, line := range []string{"# Notes\n", "- first talk\n"} {
		err := c.EditFunc(func(doc *collab.Doc) (collab.Op, error) {
			return collab.Normalize(collab.NewOp(collab.Skip(doc.Len()), collab.Insert(line))), nil
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	if err := c.WaitSynced(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Print(c.Text())
	fmt.Println("revision", c.Rev())
	// Output:
	// # Notes
	// - first talk
	// revision 2
}
