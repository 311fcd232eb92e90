package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/coder/websocket"

	"github.com/confpad/confpad/httpapi"
	"github.com/confpad/confpad/store/sqlitestore"
)

// A server over an SQLite file: create a session, join its pad over the
// websocket, type, and read the text back over HTTP.
func ExampleNew() {
	dir, _ := os.MkdirTemp("", "confpad-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	store, err := sqlitestore.Open(ctx, filepath.Join(dir, "confpad.db"))
	if err != nil {
		panic(err)
	}
	defer store.Close()

	srv, err := httpapi.New(httpapi.Config{Catalog: store, Log: store, AdminToken: "secret"})
	if err != nil {
		panic(err)
	}
	web := httptest.NewServer(srv.Handler())
	defer web.Close()
	defer srv.Shutdown(ctx)

	req, _ := http.NewRequest("POST", web.URL+"/api/v1/pads", strings.NewReader(`{"id":"kernel","title":"Kernel summit"}`))
	req.Header.Set("Authorization", "Bearer secret")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	res.Body.Close()
	fmt.Println("create:", res.StatusCode)

	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(web.URL, "http")+"/pads/kernel/ws", nil)
	if err != nil {
		panic(err)
	}
	defer conn.CloseNow()
	send := func(msg string) { conn.Write(ctx, websocket.MessageText, []byte(msg)) }
	type message struct {
		Type     string
		Rev, Seq int
	}
	read := func() (m message) {
		_, data, _ := conn.Read(ctx)
		json.Unmarshal(data, &m)
		return m
	}
	send(`{"type":"join","client":"3f0c1d2e-9a4b-4c1d-8e2f-5a6b7c8d9e0f","name":"Ada","color":"#3366ff"}`)
	w := read()
	fmt.Println(w.Type, "at revision", w.Rev)
	send(`{"type":"op","rev":0,"seq":1,"op":["Hello, plumbers 🐧"]}`)
	ack := read()
	fmt.Println(ack.Type, "seq", ack.Seq, "is revision", ack.Rev)

	res, err = http.Get(web.URL + "/api/v1/pads/kernel/text")
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	text, _ := io.ReadAll(res.Body)
	fmt.Printf("text: %q\n", text)
	// Output:
	// create: 201
	// welcome at revision 0
	// ack seq 1 is revision 1
	// text: "Hello, plumbers 🐧"
}
