package conference_test

import (
	"fmt"

	"github.com/confpad/confpad/conference"
)

func ExampleParseProgram() {
	file := []byte(`title: Plumbers
sessions:
  - id: tracing
    title: Tracing
    speakers: [Ann]
  - id: real-time
    title: ""
`)
	_, err := conference.ParseProgram(file, "program.yaml")
	fmt.Println(err)

	file = []byte(`{"title": "Plumbers", "sessions": [{"id": "tracing", "title": "Tracing"}]}`)
	p, err := conference.ParseProgram(file, "program.json")
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Title, len(p.Sessions), p.Sessions[0].ID)
	// Output:
	// program.yaml:7: session "real-time": title is empty
	// Plumbers 1 tracing
}

func ExampleDefault() {
	p := conference.Default()
	fmt.Println(p.Title)
	fmt.Println(len(p.Sessions), "sessions, from", p.Sessions[0].Title, "to", p.Sessions[len(p.Sessions)-1].Title)
	// Output:
	// Linux Plumbers Conference 2011
	// 16 sessions, from Audio to Virtualization
}
