package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/confpad/confpad/conference"
)

// waitLimit bounds every wait of these tests.
const waitLimit = 30 * time.Second

// TestServe runs the real command in-process, three times over one data
// directory: the default conference with a note and a slide link; a
// program file imported over it that keeps both; and a broken program file
// that stops the command before it opens anything.
func TestServe(t *testing.T) {
	data := t.TempDir()

	// First start: the default conference.
	addr, stop := startServe(t, "--data", data)
	list := getPads(t, addr)
	want := conference.Default()
	if list.Title != want.Title || !slices.Equal(padIDs(list), programIDs(want)) {
		t.Fatalf("default conference: title %q, pads %q", list.Title, padIDs(list))
	}
	writeNote(t, addr, "tracing", "notes from the first start")
	postJSON(t, "http://"+addr+"/api/v1/pads/tracing/links", `{"title":"Slides","url":"https://example.org/s.pdf"}`, http.StatusCreated)
	stop()

	// Second start on the same data: a program file updates a title, adds
	// a session, keeps notes and links, and deletes nothing.
	program := writeFile(t, "program.yaml", `title: Plumbers 2026
sessions:
  - id: tracing
    title: Tracing and Profiling
    room: Salon C
  - id: rust
    title: Rust for Linux
`)
	addr, stop = startServe(t, "--data", data, "--program", program)
	list = getPads(t, addr)
	if list.Title != "Plumbers 2026" {
		t.Errorf("title after the program = %q", list.Title)
	}
	if got, want := len(list.Pads), 17; got != want {
		t.Errorf("%d pads after the program, want %d (16 default + 1 new)", got, want)
	}
	tracing := findPad(t, list, "tracing")
	if tracing.Title != "Tracing and Profiling" || tracing.Room != "Salon C" || len(tracing.Links) != 1 {
		t.Errorf("tracing after the program = %+v", tracing)
	}
	if rust := findPad(t, list, "rust"); rust.Title != "Rust for Linux" || rust.State != conference.StateLive {
		t.Errorf("rust = %+v", rust)
	}
	if got := getText(t, addr, "tracing"); got != "notes from the first start" {
		t.Errorf("tracing notes after a restart = %q", got)
	}
	stop()

	// A fresh data directory with the program: only its sessions.
	addr, stop = startServe(t, "--data", t.TempDir(), "--program", program)
	if ids := padIDs(getPads(t, addr)); !slices.Equal(ids, []string{"rust", "tracing"}) {
		t.Errorf("fresh start with a program: pads %q", ids)
	}
	stop()

	// A broken program: no start, and an error naming file and line.
	broken := writeFile(t, "broken.yaml", "title: Plumbers\nsessions:\n  - id: a\n    title: \"\"\n")
	fresh := filepath.Join(t.TempDir(), "data")
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	defer cancel()
	err := run(ctx, []string{"--addr", freeAddr(t), "--data", fresh, "--program", broken}, noEnv)
	if wantErr := broken + `:4: session "a": title is empty`; err == nil || err.Error() != wantErr {
		t.Errorf("broken program: error %v, want %s", err, wantErr)
	}
	if _, err := os.Stat(fresh); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a broken program still created the data directory (stat: %v)", err)
	}
}

// TestServeAddressInUse: an address it cannot listen on stops serve before
// it opens the store, so it creates no data directory and leaves no
// engine running.
func TestServeAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	data := filepath.Join(t.TempDir(), "data")
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	defer cancel()
	err = run(ctx, []string{"--addr", ln.Addr().String(), "--data", data, "--log-level", "error"}, noEnv)
	if err == nil || !strings.HasPrefix(err.Error(), "listen: ") {
		t.Errorf("serve on an address in use: error %v, want one starting with \"listen: \"", err)
	}
	if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("serve created the data directory before it could listen (stat: %v)", err)
	}
}

// TestReadProgramBounded: a program path that names an endless file fails
// at once, having read no more than a program may hold.
func TestReadProgramBounded(t *testing.T) {
	_, err := readProgram("/dev/zero")
	if err == nil || !strings.Contains(err.Error(), "/dev/zero: file is larger than") {
		t.Errorf("readProgram(/dev/zero) = %v, want a too-large error", err)
	}
}

// noEnv is an empty environment.
func noEnv(string) string { return "" }

// startServe runs `confpad serve` with args on a free loopback port until
// /healthz answers, and returns its address and a function that stops it
// as a signal would and checks that it drained cleanly.
func startServe(t *testing.T, args ...string) (addr string, stop func()) {
	t.Helper()
	addr = freeAddr(t)
	args = append([]string{"--addr", addr, "--log-level", "warn", "--admin-token", "test-token"}, args...)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, noEnv) }()
	stop = func() {
		t.Helper()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("serve stopped with %v", err)
			}
		case <-time.After(waitLimit):
			t.Fatal("serve did not stop after its context ended")
		}
	}
	deadline := time.Now().Add(waitLimit)
	for {
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve %q stopped before it was healthy: %v", args, err)
		default:
		}
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return addr, stop
			}
		}
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("serve was not healthy within %v: %v", waitLimit, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// writeFile writes a file in a temporary directory and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// padList is the answer of GET /api/v1/pads.
type padList struct {
	Title string               `json:"title"`
	Pads  []conference.Session `json:"pads"`
}

func getPads(t *testing.T, addr string) padList {
	t.Helper()
	var list padList
	if err := json.Unmarshal(get(t, "http://"+addr+"/api/v1/pads"), &list); err != nil {
		t.Fatal(err)
	}
	return list
}

func getText(t *testing.T, addr, pad string) string {
	t.Helper()
	return string(get(t, "http://"+addr+"/api/v1/pads/"+pad+"/text"))
}

func get(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s %v", url, resp.StatusCode, body, err)
	}
	return body
}

func postJSON(t *testing.T, url, body string, want int) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		got, _ := io.ReadAll(resp.Body)
		t.Fatalf("POST %s: %d %s, want %d", url, resp.StatusCode, got, want)
	}
}

func padIDs(l padList) []string {
	var ids []string
	for _, p := range l.Pads {
		ids = append(ids, p.ID)
	}
	return ids
}

func programIDs(p conference.Program) []string {
	var ids []string
	for _, s := range p.Sessions {
		ids = append(ids, s.ID)
	}
	return ids
}

func findPad(t *testing.T, l padList, id string) conference.Session {
	t.Helper()
	for _, p := range l.Pads {
		if p.ID == id {
			return p
		}
	}
	t.Fatalf("no pad %q in %q", id, padIDs(l))
	return conference.Session{}
}

// writeNote types text into an empty pad over the websocket protocol and
// waits for the server's ack, which means the op is committed.
func writeNote(t *testing.T, addr, pad, text string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws://"+addr+"/pads/"+pad+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	send := func(msg any) {
		if err := wsjson.Write(ctx, conn, msg); err != nil {
			t.Fatal(err)
		}
	}
	await := func(typ string) map[string]any {
		for {
			var msg map[string]any
			if err := wsjson.Read(ctx, conn, &msg); err != nil {
				t.Fatalf("waiting for %s: %v", typ, err)
			}
			if msg["type"] == "error" {
				t.Fatalf("waiting for %s: %v", typ, msg)
			}
			if msg["type"] == typ {
				return msg
			}
		}
	}
	send(map[string]any{"type": "join", "client": "6f1c2a4e-0000-4000-8000-00000000e2e0", "name": "e2e", "color": "#3366ff"})
	if welcome := await("welcome"); welcome["rev"] != 0.0 || welcome["text"] != "" {
		t.Fatalf("welcome to %s = %v, want an empty pad", pad, welcome)
	}
	send(map[string]any{"type": "op", "rev": 0, "seq": 1, "op": []any{text}})
	if ack := await("ack"); ack["seq"] != 1.0 || ack["rev"] != 1.0 {
		t.Fatalf("ack = %v", ack)
	}
	conn.Close(websocket.StatusNormalClosure, "")
}
