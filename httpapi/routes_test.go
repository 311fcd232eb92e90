package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/protocol"
)

var bearer = []string{"Authorization", "Bearer " + testToken}

func TestHTTPAPI(t *testing.T) {
	ts := newTestServer(t, Config{})
	c := dial(t, ts, "main")
	rev := c.join("writer", -1).Rev
	rev = c.op(rev, 1, `["# Notes\n"]`)
	c.op(rev, 2, `[8,"<script>alert(1)</script>\n"]`)

	cases := []struct {
		name, method, path, body string
		header                   []string
		status                   int
		want                     string // a substring of the body, or the error code
	}{
		{"healthz", "GET", "/healthz", "", nil, 200, `"ok"`},
		{"readyz", "GET", "/readyz", "", nil, 200, `"ready"`},
		{"list", "GET", "/api/v1/pads", "", nil, 200, `"title":"Test Conference"`},
		{"one pad", "GET", "/api/v1/pads/main", "", nil, 200, `"rev":2`},
		{"unknown pad", "GET", "/api/v1/pads/nope", "", nil, 404, codeNotFound},
		{"text", "GET", "/api/v1/pads/main/text", "", nil, 200, "# Notes\n<script>"},
		{"old text", "GET", "/api/v1/pads/main/text?rev=1", "", nil, 200, "# Notes\n"},
		{"text of unknown pad", "GET", "/api/v1/pads/nope/text", "", nil, 404, codeNotFound},
		{"bad rev", "GET", "/api/v1/pads/main/text?rev=x", "", nil, 400, codeBadRev},
		{"negative rev", "GET", "/api/v1/pads/main/text?rev=-1", "", nil, 400, codeBadRev},
		{"rev after head", "GET", "/api/v1/pads/main/text?rev=3", "", nil, 404, codeNotFound},
		{"link", "POST", "/api/v1/pads/main/links", `{"title":"Slides","url":"https://example.org/a.pdf"}`, nil, 201, `"url":"https://example.org/a.pdf"`},
		{"javascript link", "POST", "/api/v1/pads/main/links", `{"title":"x","url":"javascript:alert(1)"}`, nil, 400, codeBadRequest},
		{"relative link", "POST", "/api/v1/pads/main/links", `{"title":"x","url":"/a.pdf"}`, nil, 400, codeBadRequest},
		{"empty link title", "POST", "/api/v1/pads/main/links", `{"title":" ","url":"http://a.example"}`, nil, 400, codeBadRequest},
		{"long link title", "POST", "/api/v1/pads/main/links", `{"title":"` + strings.Repeat("t", 201) + `","url":"http://a.example"}`, nil, 400, codeBadRequest},
		{"link title with a bidi override", "POST", "/api/v1/pads/main/links", `{"title":"Slides\u202efdp.exe","url":"http://a.example"}`, nil, 400, codeBadRequest},
		{"link title with zero-width spaces", "POST", "/api/v1/pads/main/links", `{"title":"Sl\u200bides","url":"http://a.example"}`, nil, 400, codeBadRequest},
		{"session title with a combining flood", "POST", "/api/v1/pads", `{"id":"zalgo","title":"Z\u0336\u0336\u0336\u0336\u0336"}`, bearer, 400, codeBadRequest},
		{"link with unknown field", "POST", "/api/v1/pads/main/links", `{"title":"x","url":"http://a.example","evil":1}`, nil, 400, codeBadRequest},
		{"link on unknown pad", "POST", "/api/v1/pads/nope/links", `{"title":"x","url":"http://a.example"}`, nil, 404, codeNotFound},
		{"body too large", "POST", "/api/v1/pads/main/links", `{"title":"` + strings.Repeat("t", 70000) + `"}`, nil, 413, codeTooLarge},
		{"create without token", "POST", "/api/v1/pads", `{"id":"new","title":"New"}`, nil, 401, codeUnauthorized},
		{"create with wrong token", "POST", "/api/v1/pads", `{"id":"new","title":"New"}`, []string{"Authorization", "Bearer nope"}, 401, codeUnauthorized},
		{"create", "POST", "/api/v1/pads", `{"id":"new","title":"New","description":"Fresh"}`, bearer, 201, `"id":"new"`},
		{"create again", "POST", "/api/v1/pads", `{"id":"new","title":"New"}`, bearer, 409, codeExists},
		{"create bad id", "POST", "/api/v1/pads", `{"id":"Bad Id","title":"New"}`, bearer, 400, codeBadRequest},
		{"create without title", "POST", "/api/v1/pads", `{"id":"x2"}`, bearer, 400, codeBadRequest},
		{"rename", "PATCH", "/api/v1/pads/new", `{"title":"Renamed"}`, bearer, 200, `"title":"Renamed"`},
		{"move and name speakers", "PATCH", "/api/v1/pads/new", `{"time":" Thu 18:00 ","room":"Hall B","speakers":[" Ann ","Bo"]}`, bearer, 200, `"time":"Thu 18:00","room":"Hall B","speakers":["Ann","Bo"]`},
		{"bad time", "PATCH", "/api/v1/pads/new", `{"time":"9:00\n10:00"}`, bearer, 400, codeBadRequest},
		{"bad speaker", "PATCH", "/api/v1/pads/new", `{"speakers":["Ann"," "]}`, bearer, 400, codeBadRequest},
		{"bad state", "PATCH", "/api/v1/pads/new", `{"state":"gone"}`, bearer, 400, codeBadRequest},
		{"archive", "PATCH", "/api/v1/pads/new", `{"state":"archived"}`, bearer, 200, `"state":"archived"`},
		{"patch unknown", "PATCH", "/api/v1/pads/nope", `{"title":"x"}`, bearer, 404, codeNotFound},
		{"delete unknown", "DELETE", "/api/v1/pads/nope", "", bearer, 404, codeNotFound},
		{"delete link unknown", "DELETE", "/api/v1/pads/main/links/nope", "", bearer, 404, codeNotFound},
		{"delete", "DELETE", "/api/v1/pads/new", "", bearer, 204, ""},
		{"deleted is gone", "GET", "/api/v1/pads/new", "", nil, 404, codeNotFound},
		{"no such route", "GET", "/api/v1/nothing", "", nil, 404, codeNotFound},
		{"openapi", "GET", "/api/v1/openapi.json", "", nil, 200, `"openapi": "3.1.0"`},
		{"metrics", "GET", "/metrics", "", nil, 200, "confpad_submit_seconds_bucket"},
		{"assets", "GET", "/assets/pad.css", "", nil, 200, ""},
		{"no asset listing", "GET", "/assets/", "", nil, 404, ""},
		{"pad page", "GET", "/p/main", "", nil, 200, "/assets/pad.js"},
		{"unknown pad page", "GET", "/p/nope", "", nil, 404, "There is no such page"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := ts.do(t, tc.method, tc.path, tc.body, tc.header...)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			if status >= 400 && strings.HasPrefix(tc.path, "/api/") {
				var e struct {
					Error struct{ Code, Message string }
				}
				if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error.Code != tc.want || e.Error.Message == "" {
					t.Fatalf("error body %s, want code %s and a message", body, tc.want)
				}
				return
			}
			if !strings.Contains(body, tc.want) {
				t.Fatalf("body does not contain %q:\n%.500s", tc.want, body)
			}
		})
	}
}

func TestReadyzReportsTheReason(t *testing.T) {
	ts := newTestServer(t, Config{Ready: func(context.Context) error { return errors.New("redis unreachable") }})
	status, body, _ := ts.do(t, "GET", "/readyz", "")
	if status != 503 || !strings.Contains(body, "redis unreachable") {
		t.Fatalf("readyz: %d %s", status, body)
	}
}

func TestAdminDisabledWithoutToken(t *testing.T) {
	ts := newTestServer(t, Config{})
	ts.srv.cfg.AdminToken = ""
	status, body, _ := ts.do(t, "POST", "/api/v1/pads", `{"id":"x","title":"X"}`, "Authorization", "Bearer ")
	if status != 403 {
		t.Fatalf("status %d, want 403: %s", status, body)
	}
}

func TestPages(t *testing.T) {
	ts := newTestServer(t, Config{})
	c := dial(t, ts, "main")
	c.join("w", -1)
	c.op(0, 1, `["# Title\n\nSome *notes* <b>raw</b> [x](javascript:alert(1))\n"]`)
	if status, _, _ := ts.do(t, "POST", "/api/v1/pads/main/links", `{"title":"Deck","url":"https://example.org/deck"}`); status != 201 {
		t.Fatal("adding a link failed")
	}

	status, index, _ := ts.do(t, "GET", "/", "")
	for _, want := range []string{"<h1>Test Conference</h1>", `href="/p/main"`, `href="/p/main/notes"`, "Where it *happens*.", "1 person here now", ">archived<", ">live<"} {
		if status != 200 || !strings.Contains(index, want) {
			t.Errorf("index page (%d) lacks %q", status, want)
		}
	}
	status, notes, _ := ts.do(t, "GET", "/p/main/notes", "")
	for _, want := range []string{`<h1 id="title" title="Written by T w">Title`, "<em>notes</em>", `href="https://example.org/deck"`, "Deck", `Written by</h2>`, `T w <span class="muted">100%</span>`} {
		if status != 200 || !strings.Contains(notes, want) {
			t.Errorf("notes page (%d) lacks %q", status, want)
		}
	}
	for _, bad := range []string{"<b>raw</b>", "javascript:"} {
		if strings.Contains(notes, bad) {
			t.Errorf("notes page passes %q through", bad)
		}
	}
	if status, _, _ := ts.do(t, "GET", "/p/nope/notes", ""); status != 404 {
		t.Errorf("notes of an unknown pad: %d", status)
	}
}

// TestAdminChangesReachEditors: archiving reconnects editors, deleting
// disconnects them for good.
func TestAdminChangesReachEditors(t *testing.T) {
	ts := newTestServer(t, Config{})
	c := dial(t, ts, "main")
	c.join("ed", -1)
	if status, body, _ := ts.do(t, "PATCH", "/api/v1/pads/main", `{"state":"archived"}`, bearer...); status != 200 {
		t.Fatalf("archive: %d %s", status, body)
	}
	if _, err := c.tryRead(); websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Fatalf("after archiving the connection ended with %v, want going away", err)
	}
	c = dial(t, ts, "main")
	if w := c.join("ed", -1); !w.ReadOnly {
		t.Fatalf("welcome after archiving: %+v", w)
	}
	if status, body, _ := ts.do(t, "DELETE", "/api/v1/pads/main", "", bearer...); status != 204 {
		t.Fatalf("delete: %d %s", status, body)
	}
	if _, err := c.tryRead(); websocket.CloseStatus(err) != protocol.StatusUnknownPad {
		t.Fatalf("after deleting the connection ended with %v, want %d", err, protocol.StatusUnknownPad)
	}
}

// TestOpenAPIUpdateRequest fails if the PATCH body's schema and
// updateRequest name different fields.
func TestOpenAPIUpdateRequest(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	var documented, fields []string
	for name := range doc.Components.Schemas["UpdateRequest"].Properties {
		documented = append(documented, name)
	}
	typ := reflect.TypeFor[updateRequest]()
	for i := range typ.NumField() {
		fields = append(fields, typ.Field(i).Tag.Get("json"))
	}
	slices.Sort(documented)
	slices.Sort(fields)
	if !slices.Equal(documented, fields) {
		t.Errorf("UpdateRequest documents %v, updateRequest has %v", documented, fields)
	}
}

// TestOpenAPIMatchesRoutes fails if a route is missing from the OpenAPI
// document or the document names a route that does not exist.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	ts := newTestServer(t, Config{})
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	param := regexp.MustCompile(`:([A-Za-z]+)`)
	routes := map[string]bool{}
	for _, r := range ts.srv.echo.Routes() {
		path := param.ReplaceAllString(r.Path, "{$1}")
		path = strings.Replace(path, "*", "{path}", 1)
		routes[strings.ToLower(r.Method)+" "+path] = true
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method != "parameters" {
				documented[method+" "+path] = true
			}
		}
	}
	var missing, extra []string
	for r := range routes {
		if !documented[r] {
			missing = append(missing, r)
		}
	}
	for d := range documented {
		if !routes[d] {
			extra = append(extra, d)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("routes missing from openapi.json: %v", missing)
	}
	if len(extra) > 0 {
		t.Errorf("openapi.json names routes that do not exist: %v", extra)
	}
	if len(routes) < 15 {
		t.Errorf("only %d routes found", len(routes))
	}
	status, _, header := ts.do(t, "GET", "/api/v1/openapi.json", "")
	if status != http.StatusOK || !strings.HasPrefix(header.Get("Content-Type"), "application/json") {
		t.Errorf("serving the document: %d %s", status, header.Get("Content-Type"))
	}
}

// TestLinksPerSessionAreCapped: anyone may add slide links, but not more
// than conference.MaxLinks to one session.
func TestLinksPerSessionAreCapped(t *testing.T) {
	ts := newTestServer(t, Config{})
	ctx := context.Background()
	var last string
	for i := range conference.MaxLinks - 1 {
		l, err := ts.store.AddLink(ctx, "main", conference.Link{Title: "Deck " + itoa(i), URL: "https://example.org/" + itoa(i)})
		if err != nil {
			t.Fatal(err)
		}
		last = l.ID
	}
	const link = `{"title":"One more","url":"https://example.org/more"}`
	if status, body, _ := ts.do(t, "POST", "/api/v1/pads/main/links", link); status != 201 {
		t.Fatalf("link number %d: %d %s", conference.MaxLinks, status, body)
	}
	status, body, _ := ts.do(t, "POST", "/api/v1/pads/main/links", link)
	if status != 409 || !strings.Contains(body, codeTooManyLinks) {
		t.Fatalf("link number %d: %d %s, want 409 %s", conference.MaxLinks+1, status, body, codeTooManyLinks)
	}
	if status, body, _ := ts.do(t, "DELETE", "/api/v1/pads/main/links/"+last, "", bearer...); status != 204 {
		t.Fatalf("delete a link: %d %s", status, body)
	}
	if status, body, _ := ts.do(t, "POST", "/api/v1/pads/main/links", link); status != 201 {
		t.Fatalf("a link after one was removed: %d %s", status, body)
	}
}
