package redisbus

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/confpad/confpad/httpapi"
	"github.com/confpad/confpad/internal/testutil"
	"github.com/confpad/confpad/store/redisstore/redistest"
)

// searchHits returns the pads GET /api/v1/search?q=q on r finds.
func searchHits(t *testing.T, r *replica, q string) []string {
	t.Helper()
	res, err := http.Get(r.http.URL + "/api/v1/search?q=" + q)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		Results []struct {
			Pad  string `json:"pad"`
			Line int    `json:"line"`
		} `json:"results"`
	}
	if res.StatusCode != 200 {
		t.Fatalf("search %q: status %d", q, res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	var pads []string
	for _, h := range body.Results {
		pads = append(pads, h.Pad)
	}
	return pads
}

// TestSearchOnEveryReplica: a token typed on one replica is found a moment
// later by searching another, which has no editor on that pad: each
// replica indexes every pad from the op feed.
func TestSearchOnEveryReplica(t *testing.T) {
	srv := redistest.Start(t).URL()
	prefix := "t-" + uuid.NewString()[:8]
	first := startReplica(t, srv, prefix, httpapi.Config{})
	createSession(t, first, "tracing")
	other := startReplica(t, srv, prefix, httpapi.Config{})

	e, w := join(t, first, "tracing", "ada")
	if ack := e.op(w.Rev, 1, `["notes\nthe quokka42 patch"]`); ack.Type != "ack" {
		t.Fatalf("op: %+v", ack)
	}
	for _, r := range []*replica{other, first} {
		testutil.Eventually(t, "the replica to find the token", func() bool {
			pads := searchHits(t, r, "quokka42")
			return len(pads) == 1 && pads[0] == "tracing"
		})
	}
}
