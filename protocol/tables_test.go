package protocol

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/coder/websocket"
)

// docTable returns the rows of the Markdown table in doc whose header row
// is header, as cells without surrounding spaces.
func docTable(t *testing.T, doc, header string) [][]string {
	t.Helper()
	lines := strings.Split(doc, "\n")
	start := -1
	for i, l := range lines {
		if l == header {
			start = i + 2 // past the header and the --- row
			break
		}
	}
	if start < 0 {
		t.Fatalf("docs/protocol.md has no table %q", header)
	}
	var rows [][]string
	for _, l := range lines[start:] {
		if !strings.HasPrefix(l, "|") {
			break
		}
		cells := strings.Split(strings.Trim(l, "|"), " | ")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		rows = append(rows, cells)
	}
	return rows
}

// samePolicies fails unless got and want hold the same codes with the same
// policies; where names the source of got.
func samePolicies(t *testing.T, where string, got, want map[string]string) {
	t.Helper()
	for code, p := range want {
		switch g, ok := got[code]; {
		case !ok:
			t.Errorf("%s does not list code %s", where, code)
		case g != p:
			t.Errorf("%s gives code %s the policy %q, package protocol %q", where, code, g, p)
		}
	}
	for code := range got {
		if _, ok := want[code]; !ok {
			t.Errorf("%s lists code %s, which package protocol does not define", where, code)
		}
	}
}

func errorPolicies() map[string]string {
	m := map[string]string{}
	for _, e := range ErrorCodes {
		m[e.Code] = e.Policy.String()
	}
	return m
}

func closePolicies() map[string]string {
	m := map[string]string{}
	for _, c := range CloseCodes {
		m[strconv.Itoa(int(c.Code))] = c.Policy.String()
	}
	return m
}

// TestDocsTables: the error-code and close-code tables of docs/protocol.md
// list exactly the package's codes, with the same policies, and every
// close reason the server sends is in its code's row.
func TestDocsTables(t *testing.T) {
	b, err := os.ReadFile("../docs/protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	got := map[string]string{}
	for _, row := range docTable(t, doc, "| code | meaning | what the client does | policy |") {
		got[strings.Trim(row[0], "`")] = row[len(row)-1]
	}
	samePolicies(t, "the error-code table", got, errorPolicies())

	got = map[string]string{}
	reasons := map[string]string{}
	for _, row := range docTable(t, doc, "| code | reason | reconnect? | policy |") {
		got[row[0]] = row[len(row)-1]
		reasons[row[0]] = row[1]
	}
	samePolicies(t, "the close-code table", got, closePolicies())
	closes := []Close{CloseRestarting, CloseUnavailable, CloseIdle, CloseKeepalive, CloseTooSlow, CloseTooMany, CloseNoJoin,
		CloseTooBig, CloseUnknownPad, CloseDeleted, CloseReplaced, CloseHistoryChanged,
		CloseStateChanged("archived"), CloseStateChanged("live"), CloseAccessChanged}
	for _, c := range closes {
		row := reasons[strconv.Itoa(int(c.Code))]
		if !strings.Contains(strings.ToLower(row), strings.ToLower(c.Reason)) {
			t.Errorf("the close-code table's row %d does not give the reason %q", c.Code, c.Reason)
		}
	}
}

// TestEditorTables: the browser editor's tables (frontend/src/protocol.js)
// are the package's.
func TestEditorTables(t *testing.T) {
	b, err := os.ReadFile("../frontend/src/protocol.js")
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	entries := func(name string, key string) map[string]string {
		start := strings.Index(src, "export const "+name+" = new Map([")
		end := strings.Index(src[max(start, 0):], "]);")
		if start < 0 || end < 0 {
			t.Fatalf("protocol.js has no Map %s", name)
		}
		m := map[string]string{}
		re := regexp.MustCompile(`(?m)^\s*\[` + key + `, '(\w+)'\],$`)
		for _, e := range re.FindAllStringSubmatch(src[start:start+end], -1) {
			m[e[1]] = e[2]
		}
		return m
	}
	samePolicies(t, "protocol.js ERROR_POLICY", entries("ERROR_POLICY", `'([a-z_]+)'`), errorPolicies())
	samePolicies(t, "protocol.js CLOSE_POLICY", entries("CLOSE_POLICY", `(\d+)`), closePolicies())
}

func TestPolicyLookups(t *testing.T) {
	for _, tt := range []struct {
		code string
		want Policy
		ok   bool
	}{
		{RevAhead, Resync, true},
		{Unavailable, Retry, true},
		{UnknownPad, Stop, true},
		{"from_a_newer_server", Stop, false},
	} {
		if p, ok := ErrorPolicy(tt.code); p != tt.want || ok != tt.ok {
			t.Errorf("ErrorPolicy(%q) = %v, %v; want %v, %v", tt.code, p, ok, tt.want, tt.ok)
		}
	}
	for _, tt := range []struct {
		code websocket.StatusCode
		want Policy
	}{
		{StatusHistoryChanged, Resync},
		{StatusReplaced, Stop},
		{websocket.StatusGoingAway, Retry},
		{-1, Retry}, // no close frame: the connection dropped
		{websocket.StatusAbnormalClosure, Retry},
	} {
		if p := ClosePolicy(tt.code); p != tt.want {
			t.Errorf("ClosePolicy(%d) = %v, want %v", tt.code, p, tt.want)
		}
	}
	if CloseDeleted.Policy() != Stop || CloseTooSlow.Policy() != Retry {
		t.Error("Close.Policy does not follow the close code")
	}
}
