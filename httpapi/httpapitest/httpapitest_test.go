package httpapitest_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/httpapi"
	"github.com/confpad/confpad/httpapi/httpapitest"
)

// refusingLog refuses every append.
type refusingLog struct{ collab.Log }

func (refusingLog) Append(context.Context, string, int, []collab.Record) error {
	return errors.New("refused")
}

// TestStart: the options reach the server (sessions, limits, admin token,
// the wrapped log), and its websocket URL serves the pads.
func TestStart(t *testing.T) {
	var wrapped collab.Log
	srv := httpapitest.Start(t, httpapitest.Options{
		Config:   httpapi.Config{MaxFrameBytes: 1 << 10},
		Sessions: []conference.Session{{ID: "a", Title: "A", State: conference.StateLive}, {ID: "b", Title: "B", State: conference.StateArchived}},
		WrapLog:  func(l collab.Log) collab.Log { wrapped = l; return refusingLog{l} },
	})
	if wrapped != srv.Store {
		t.Errorf("WrapLog got %v, want the store", wrapped)
	}
	if got := srv.Text(t, "b"); got != "" {
		t.Errorf("text of b: %q", got)
	}
	req, err := http.NewRequest("POST", srv.URL+"/api/v1/pads", strings.NewReader(`{"id":"c","title":"C"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+srv.AdminToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated || srv.AdminToken != httpapitest.DefaultAdminToken {
		t.Errorf("create with token %q: %d", srv.AdminToken, res.StatusCode)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, srv.WSURL("a"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	for _, msg := range []string{
		`{"type":"join","client":"httpapitest-client-1"}`,
		`{"type":"op","rev":0,"seq":1,"op":["x"]}`,
		`{"type":"op","rev":0,"seq":2,"op":["` + strings.Repeat("y", 2000) + `"]}`,
	} {
		if err := conn.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for len(got) < 3 {
		_, data, err := conn.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(data))
	}
	// The welcome, the refused append, the frame over the 1 KiB limit (in
	// any order: frame errors come from the reader).
	all := strings.Join(got, "\n")
	for _, want := range []string{`"type":"welcome"`, `"code":"unavailable","message":"storage unavailable: refused","ref":1`, `"code":"too_large"`} {
		if !strings.Contains(all, want) {
			t.Errorf("no %s in the messages:\n%s", want, all)
		}
	}
}
