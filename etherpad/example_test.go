package etherpad_test

import (
	"fmt"
	"os"

	"github.com/confpad/confpad/etherpad"
)

func ExampleParse() {
	data, err := os.ReadFile("testdata/meeting.etherpad")
	if err != nil {
		panic(err)
	}
	pad, err := etherpad.Parse(data)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%q\n", pad.Text)
	for _, a := range pad.Authors {
		fmt.Printf("%s %q %q\n", a.ID, a.Name, a.Color)
	}
	fmt.Println(pad.Attribution)
	// Output:
	// "Hi 😀\nß ok\n"
	// a.alice "Alice" "#FF8800"
	// a.bob "" ""
	// [{a.alice 5} {a.bob 4} { 1}]
}
