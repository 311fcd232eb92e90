package replicatest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/confpad/confpad/client"
	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/internal/testutil"
	"github.com/confpad/confpad/protocol"
	"github.com/confpad/confpad/store/redisstore/redistest"
)

// httpDo sends a request to base with the admin token and returns the
// status and body.
func httpDo(t *testing.T, method, url, token, contentType, body string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// attributionAt returns the runs GET /api/v1/pads/{pad}/attribution gives
// at base ("" with the error if it fails).
func attributionAt(t *testing.T, base, pad string) ([]collab.Run, error) {
	status, body := httpDo(t, "GET", base+"/api/v1/pads/"+pad+"/attribution", "", "", "")
	if status != http.StatusOK {
		return nil, fmt.Errorf("status %d: %s", status, body)
	}
	var out struct {
		Runs []collab.Run `json:"runs"`
	}
	return out.Runs, json.Unmarshal([]byte(body), &out)
}

// TestEtherpadImportAcrossReplicas: an .etherpad file imported through
// one replica keeps its attribution on the other, over real Redis: the
// editor there gets the op with its runs, its attribution and authors
// APIs give the file's authors with their names and colours, and so does
// it after a restart, loading the pad from Redis.
func TestEtherpadImportAcrossReplicas(t *testing.T) {
	srv := redistest.Start(t)
	top := startTopology(t, srv.URL(), 2)
	top.createPad(t, "imported")
	ports := top.ports()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()

	var mu sync.Mutex
	var remote []client.Event
	editor, err := client.Dial(ctx, "ws://confpad.test/pads/imported/ws", client.Options{
		Client:     secretOf("editor"),
		HTTPClient: failoverHTTPClient(ports[1:], 0),
		OnEvent: func(e client.Event) {
			if e.Kind == client.EventRemote {
				mu.Lock()
				defer mu.Unlock()
				remote = append(remote, e)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer editor.Close()

	file, err := os.ReadFile(filepath.Join(repoRoot, "etherpad", "testdata", "keynote.etherpad"))
	if err != nil {
		t.Fatal(err)
	}
	url := top.replicas[0].url() + "/api/v1/pads/imported/import?mode=replace"
	if status, body := httpDo(t, "POST", url, top.token, "application/json", string(file)); status != http.StatusOK {
		t.Fatalf("import: %d %s", status, body)
	}
	alice, bob := protocol.EtherpadAuthorID("a.alice7Qx"), protocol.EtherpadAuthorID("a.bob9Lm")
	carol, dave := protocol.EtherpadAuthorID("a.carolZZ"), protocol.EtherpadAuthorID("a.dave42")
	want := []collab.Run{{Author: alice, Len: 12}, {Author: bob, Len: 10}, {Author: carol, Len: 17}, {Author: dave, Len: 6}, {Author: "import", Len: 3}}

	testutil.Eventually(t, "the editor on replica 1 to get the import", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(remote) > 0
	})
	mu.Lock()
	if e := remote[0]; e.Rev != 1 || e.By != "import" || !slices.Equal(e.Runs, want) {
		t.Errorf("the editor got revision %d by %q with runs %v, want 1 by import with %v", e.Rev, e.By, e.Runs, want)
	}
	mu.Unlock()

	names := map[string]string{alice: "Alice Ö", bob: "Bob 漢", carol: "", dave: ""}
	colors := map[string]string{alice: "#ff8800", bob: protocol.DefaultColor(bob), carol: protocol.DefaultColor(carol), dave: "#1a2b3c"}
	check := func(r *replica) {
		t.Helper()
		var runs []collab.Run
		var err error
		testutil.Eventually(t, fmt.Sprintf("replica %d's attribution to be the file's", r.n), func() bool {
			runs, err = attributionAt(t, r.url(), "imported")
			return err == nil && slices.Equal(runs, want)
		})
		status, body := httpDo(t, "GET", r.url()+"/api/v1/pads/imported/authors", "", "", "")
		var got struct {
			Authors []struct {
				ID         string `json:"id"`
				Name       string `json:"name"`
				Color      string `json:"color"`
				Characters int    `json:"characters"`
			} `json:"authors"`
		}
		if status != http.StatusOK || json.Unmarshal([]byte(body), &got) != nil {
			t.Fatalf("replica %d authors: %d %s", r.n, status, body)
		}
		seen := 0
		for _, a := range got.Authors {
			name, ok := names[a.ID]
			if !ok {
				continue
			}
			seen++
			i := slices.IndexFunc(want, func(run collab.Run) bool { return run.Author == a.ID })
			if a.Name != name || a.Color != colors[a.ID] || a.Characters != want[i].Len {
				t.Errorf("replica %d: author %+v, want name %q, colour %s, %d characters", r.n, a, name, colors[a.ID], want[i].Len)
			}
		}
		if seen != len(names) {
			t.Errorf("replica %d lists %d of the file's %d authors: %s", r.n, seen, len(names), body)
		}
	}
	check(top.replicas[1])
	editor.Close()
	top.replicas[1].stop()
	top.replicas[1].start(t)
	top.replicas[1].waitReady(t)
	check(top.replicas[1])
	check(top.replicas[0])
}
