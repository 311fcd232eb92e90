package conference

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// programFile is the JSON form of a program file, for tests that write one.
type programFile struct {
	Title    string        `json:"title"`
	BoFs     bool          `json:"bofs,omitempty"`
	Sessions []sessionFile `json:"sessions"`
}

type sessionFile struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Time        string   `json:"time,omitempty"`
	Room        string   `json:"room,omitempty"`
	Speakers    []string `json:"speakers,omitempty"`
}

// programJSON encodes p as a JSON program file.
func programJSON(t testing.TB, p Program) []byte {
	t.Helper()
	f := programFile{Title: p.Title, BoFs: p.BoFs}
	for _, s := range p.Sessions {
		f.Sessions = append(f.Sessions, sessionFile{s.ID, s.Title, s.Description, s.Time, s.Room, s.Speakers})
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

var wantExample = Program{
	Title: "Plumbers 2026",
	BoFs:  true,
	Sessions: []Session{
		{ID: "tracing", Title: "Tracing", Description: "Ftrace, perf and LTTng.\nAll of them.", Time: "Thu 9:00", Room: "Salon C", Speakers: []string{"Steven", "Mathieu"}},
		{ID: "rt", Title: "Real Time"},
	},
}

const exampleYAML = `# a comment
title: Plumbers 2026
bofs: true
sessions:
  - id: tracing
    title: "  Tracing  "
    description: |
      Ftrace, perf and LTTng.
      All of them.
    time: Thu 9:00
    room: Salon C
    speakers: [Steven, " Mathieu"]
  - id: rt
    title: Real Time
    speakers: []
`

const exampleJSON = `{
  "title": "Plumbers 2026",
  "bofs": true,
  "sessions": [
    {
      "id": "tracing",
      "title": "Tracing",
      "description": "Ftrace, perf and LTTng.\nAll of them.\n",
      "time": "Thu 9:00",
      "room": "Salon C",
      "speakers": ["Steven", "Mathieu"]
    },
    {"id": "rt", "title": "Real Time", "speakers": null, "room": null}
  ]
}`

func TestParseProgramValid(t *testing.T) {
	tests := []struct {
		name, file, data string
	}{
		{"yaml", "p.yaml", exampleYAML},
		{"yml extension", "conf/P.YML", exampleYAML},
		{"json", "p.json", exampleJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseProgram([]byte(tt.data), tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p, wantExample) {
				t.Errorf("got %#v\nwant %#v", p, wantExample)
			}
		})
	}
}

func TestParseProgramAliases(t *testing.T) {
	data := "title: Plumbers 2026\nsessions:\n  - &rt {id: rt, title: &t Real Time}\n  - {id: rt2, title: *t, speakers: &who [Ann]}\n  - {id: rt3, title: X, speakers: *who}\n"
	p, err := ParseProgram([]byte(data), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Sessions[1].Title; got != "Real Time" {
		t.Errorf("aliased title = %q", got)
	}
	if got := p.Sessions[2].Speakers; !reflect.DeepEqual(got, []string{"Ann"}) {
		t.Errorf("aliased speakers = %q", got)
	}
}

// TestParseProgramPolicy: a session's optional policy is read, trimmed,
// and absent where not given.
func TestParseProgramPolicy(t *testing.T) {
	data := "title: C\nsessions:\n  - {id: a, title: A, policy: ' link '}\n  - {id: b, title: B}\n"
	p, err := ParseProgram([]byte(data), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{p.Sessions[0].Policy, p.Sessions[1].Policy}; !reflect.DeepEqual(got, []string{PolicyLink, ""}) {
		t.Errorf("policies = %q, want [link \"\"]", got)
	}
}

func TestParseProgramErrors(t *testing.T) {
	session := func(fields string) string {
		return "title: Conf\nsessions:\n  - id: a\n    title: A\n  - " + fields + "\n"
	}
	tests := []struct {
		name, file, data string
		want             string // the whole error message
		line             int
	}{
		{"empty session title", "program.yaml", session("id: tracing\n    title: \"  \""),
			`program.yaml:6: session "tracing": title is empty`, 6},
		{"missing session title", "p.yaml", session("id: tracing\n    room: C"),
			`p.yaml:5: session "tracing": title is empty`, 5},
		{"missing id", "p.yaml", session("title: T"),
			`p.yaml:5: session 2: id is empty`, 5},
		{"id not a slug", "p.yaml", session("title: T\n    id: Tracing"),
			`p.yaml:6: session "Tracing": id "Tracing" is not a slug (1 to 64 of a-z, 0-9, '-')`, 6},
		{"id too long", "p.yaml", session("title: T\n    id: " + strings.Repeat("a", 65)),
			`p.yaml:6: session "` + strings.Repeat("a", 65) + `": id "` + strings.Repeat("a", 65) + `" is not a slug (1 to 64 of a-z, 0-9, '-')`, 6},
		{"duplicate id", "p.yaml", session("title: B\n    id: a"),
			`p.yaml:6: session "a": id is used twice (first at line 3)`, 6},
		{"unknown session field", "p.yaml", session("id: b\n    title: B\n    speaker: Ann"),
			`p.yaml:7: session 2: unknown field "speaker" (known fields: id, title, description, time, room, speakers, policy)`, 7},
		{"unknown policy", "p.yaml", session("id: b\n    title: B\n    policy: closed"),
			`p.yaml:7: session "b": policy "closed" is not "open" or "link"`, 7},
		{"bofs not a boolean", "p.yaml", "title: C\nbofs: maybe\n",
			`p.yaml:2: bofs must be true or false, not "maybe"`, 2},
		{"bofs not a boolean in JSON", "p.json", "{\"title\": \"C\",\n\"bofs\": \"yes\"}",
			`p.json:2: bofs must be true or false, not a string`, 2},
		{"unknown top field", "p.yaml", "title: C\nsesions: []\n",
			`p.yaml:2: unknown field "sesions" (known fields: title, sessions, bofs)`, 2},
		{"duplicate field", "p.yaml", session("id: b\n    title: B\n    title: C"),
			`p.yaml:7: session 2: field "title" appears twice`, 7},
		{"empty speaker", "p.yaml", session("id: b\n    title: B\n    speakers:\n      - Ann\n      - \"\""),
			`p.yaml:9: session "b": speakers[1] is empty`, 9},
		{"title on two lines", "p.yaml", session("id: b\n    title: \"B\\nC\""),
			`p.yaml:6: session "b": title must be a single line`, 6},
		{"control character", "p.yaml", session("id: b\n    title: B\n    room: \"R\\x07\""),
			`p.yaml:7: session "b": room contains the control character U+0007`, 7},
		{"title too long", "p.yaml", session("id: b\n    title: " + strings.Repeat("é", 201)),
			`p.yaml:6: session "b": title is longer than 200 characters`, 6},
		{"session not a mapping", "p.yaml", session("just text"),
			`p.yaml:5: session 2: session 2 must be a mapping, not text`, 5},
		{"title a list", "p.yaml", session("id: b\n    title: [B]"),
			`p.yaml:6: session 2: title must be text, not a list`, 6},
		{"sessions a mapping", "p.yaml", "title: C\nsessions:\n  id: a\n",
			`p.yaml:3: sessions must be a list, not a mapping`, 3},
		{"no sessions", "p.yaml", "title: C\nsessions: []\n",
			`p.yaml:2: sessions is empty: a program needs at least one session`, 2},
		{"no title", "p.yaml", "sessions: [{id: a, title: A}]\n",
			`p.yaml:1: title is empty`, 1},
		{"syntax error", "p.yaml", "title: C\nsessions:\n  - id: a\n    title: A: b\n",
			`p.yaml:4: mapping values are not allowed in this context`, 4},
		{"unterminated quote", "p.yaml", "title: C\nsessions:\n  - id: a\n    title: \"A\n",
			`p.yaml:4: found unexpected end of stream`, 4},
		{"empty file", "p.yaml", "",
			`p.yaml:1: the file is empty`, 1},
		{"two documents", "p.yaml", "title: C\n---\ntitle: D\n",
			`p.yaml:2: more than one YAML document; a program is one`, 2},
		{"not a mapping", "p.yaml", "- a\n- b\n",
			`p.yaml:1: a program must be a mapping, not a list`, 1},
		{"json empty title", "program.json", "{\"title\": \"C\", \"sessions\": [\n {\"id\": \"a\", \"title\": \"A\"},\n {\"id\": \"tracing\",\n  \"title\": \"\"}]}",
			`program.json:4: session "tracing": title is empty`, 4},
		{"json syntax error", "p.json", "{\"title\": \"C\",\n \"sessions\": [\n {\"id\": \"a\" \"title\": \"A\"}]}",
			`p.json:3: session 1: invalid character '"' after object key:value pair`, 3},
		{"json number id", "p.json", "{\"title\": \"C\",\n \"sessions\": [{\n  \"id\": 7}]}",
			`p.json:3: session 1: id must be a string, not a number`, 3},
		{"json trailing data", "p.json", "{\"title\": \"C\", \"sessions\": [{\"id\": \"a\", \"title\": \"A\"}]}\n{}",
			`p.json:2: unexpected data after the program`, 2},
		{"json truncated", "p.json", "{\"title\": \"C\",\n \"sessions\": [",
			`p.json:2: unexpected end of file`, 2},
		{"json duplicate key", "p.json", "{\"title\": \"C\",\n\"title\": \"D\"}",
			`p.json:2: field "title" appears twice`, 2},
		{"json not an object", "p.json", "\n[1]",
			`p.json:2: a program must be an object, not a list`, 2},
		{"json speakers not a list", "p.json", "{\"title\": \"C\", \"sessions\": [{\"id\": \"a\", \"title\": \"A\",\n \"speakers\": \"Ann\"}]}",
			`p.json:2: session 1: speakers must be a list, not a string`, 2},
		{"json unknown field", "p.json", "{\"title\": \"C\", \"sessions\": [{\"id\": \"a\",\n \"tilte\": \"A\"}]}",
			`p.json:2: session 1: unknown field "tilte" (known fields: id, title, description, time, room, speakers, policy)`, 2},
		{"json too many speakers", "p.json", `{"title": "C", "sessions": [{"id": "a", "title": "A", "speakers": [` + strings.Repeat(`"x",`, 50) + `"y"]}]}`,
			`p.json:1: session 1: speakers has more than 50 names`, 1},
		{"unknown format", "p.toml", "title = 'C'",
			`p.toml: unknown program format ".toml" (want .json, .yaml or .yml)`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseProgram([]byte(tt.data), tt.file)
			if err == nil {
				t.Fatalf("no error; parsed %+v", p)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got %s\nwant %s", err, tt.want)
			}
			var pe *ProgramError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ProgramError", err)
			}
			if pe.Line != tt.line {
				t.Errorf("Line = %d, want %d", pe.Line, tt.line)
			}
		})
	}
}

func TestParseProgramSizeLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString("title: C\nsessions:\n")
	for i := 0; i <= MaxProgramSessions; i++ {
		b.WriteString("  - {id: s" + strings.Repeat("x", i%7) + ", title: T}\n")
	}
	_, err := ParseProgram([]byte(b.String()), "p.yaml")
	if want := "p.yaml:1003: sessions has more than 1000 sessions"; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
	_, err = ParseProgram(make([]byte, MaxProgramBytes+1), "p.json")
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("error = %v, want a size error", err)
	}
}

func TestValidateSession(t *testing.T) {
	tests := []struct {
		s    Session
		want string // "" for valid
	}{
		{Session{ID: "a", Title: "A"}, ""},
		{Session{ID: "0-9-z", Title: "A", Description: "line\n\tline", Speakers: []string{"Ann"}}, ""},
		{Session{ID: strings.Repeat("z", 64), Title: "A"}, ""},
		{Session{ID: "", Title: "A"}, "id is empty"},
		{Session{ID: "a_b", Title: "A"}, `id "a_b" is not a slug (1 to 64 of a-z, 0-9, '-')`},
		{Session{ID: "é", Title: "A"}, `id "é" is not a slug (1 to 64 of a-z, 0-9, '-')`},
		{Session{ID: "a", Title: " \t"}, "title is empty"},
		{Session{ID: "a", Title: "A\x00"}, "title contains the control character U+0000"},
		{Session{ID: "a", Title: "\u202e"}, "title contains the bidirectional control U+202E, which would reorder the text around it"},
		{Session{ID: "a", Title: "\u3164\u3164"}, "title has no visible character"},
		{Session{ID: "a", Title: "\u2800"}, "title has no visible character"},
		{Session{ID: "a", Title: "\u0301\u0301"}, "title has no visible character"},
		{Session{ID: "a", Title: "\u115f\u1160 \uffa0"}, "title has no visible character"},
		{Session{ID: "a", Title: "e\u0301 \u3164"}, ""},
		{Session{ID: "a", Title: "\u05e9\u05dc\u05d5\u05dd 🏳\ufe0f\u200d🌈"}, ""},
		{Session{ID: "a", Title: "A", Description: "\xff"}, "description is not valid UTF-8"},
		{Session{ID: "a", Title: "A", Description: strings.Repeat("ü", MaxDescriptionLen+1)}, "description is longer than 4000 characters"},
		{Session{ID: "a", Title: "A", Time: "9:00\n10:00"}, "time must be a single line"},
		{Session{ID: "a", Title: "A", Speakers: make([]string, MaxSpeakers+1)}, "speakers has more than 50 names"},
		{Session{ID: "a", Title: "A", Speakers: []string{"Ann", " "}}, "speakers[1] is empty"},
	}
	for _, tt := range tests {
		err := ValidateSession(tt.s)
		got := ""
		if err != nil {
			got = err.Error()
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Errorf("ValidateSession(%+v): %T is not a *FieldError", tt.s, err)
			}
		}
		if got != tt.want {
			t.Errorf("ValidateSession(%+v) = %q, want %q", tt.s, got, tt.want)
		}
	}
}

func TestProgramValidate(t *testing.T) {
	ok := Session{ID: "a", Title: "A"}
	tests := []struct {
		p    Program
		want string
	}{
		{Program{Title: "C", Sessions: []Session{ok}}, ""},
		{Program{Title: "", Sessions: []Session{ok}}, "title is empty"},
		{Program{Title: "C"}, "sessions is empty: a program needs at least one session"},
		{Program{Title: "C", Sessions: []Session{ok, {Title: "B"}}}, "session 2: id is empty"},
		{Program{Title: "C", Sessions: []Session{ok, ok}}, `session "a": id is used twice (first at session 1)`},
	}
	for _, tt := range tests {
		err := tt.p.Validate()
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("Validate(%+v) = %q, want %q", tt.p, got, tt.want)
		}
	}
}

// FuzzParseProgram checks that ParseProgram never panics, that what it
// accepts is a valid program, and that writing an accepted program out as
// JSON and reading it back gives the same program.
func FuzzParseProgram(f *testing.F) {
	f.Add([]byte(exampleYAML), true)
	f.Add([]byte(exampleJSON), false)
	f.Fuzz(func(t *testing.T, data []byte, isYAML bool) {
		name := "p.json"
		if isYAML {
			name = "p.yaml"
		}
		p, err := ParseProgram(data, name)
		if err != nil {
			var pe *ProgramError
			if !errors.As(err, &pe) || pe.File != name {
				t.Fatalf("error %v (%T) is not a *ProgramError naming %s", err, err, name)
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("accepted an invalid program: %v", err)
		}
		again, err := ParseProgram(programJSON(t, p), "again.json")
		if err != nil {
			t.Fatalf("re-reading %+v: %v", p, err)
		}
		if !reflect.DeepEqual(again, p) {
			t.Fatalf("round trip changed the program:\n got %#v\nwant %#v", again, p)
		}
	})
}
