package httpapitest_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/confpad/confpad/httpapi/httpapitest"
)

// A throwaway server with its one live pad, "pad", listed over the API.
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "confpad-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	srv, err := httpapitest.Open(dir, httpapitest.Options{Title: "Example Conf"})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	res, err := http.Get(srv.URL + "/api/v1/pads")
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	var list struct {
		Title string
		Pads  []struct{ ID, State string }
	}
	if err := json.NewDecoder(res.Body).Decode(&list); err != nil {
		log.Fatal(err)
	}
	fmt.Println(list.Title, list.Pads)
	// Output: Example Conf [{pad live}]
}
