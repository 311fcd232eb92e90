package conference

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Limits on the metadata of a session and on program files. Lengths count
// characters (Unicode code points) except where they say bytes.
const (
	// MaxIDLen is the longest session id.
	MaxIDLen = 64
	// MaxTitleLen is the longest title; time, room and each speaker's
	// name have the same limit.
	MaxTitleLen = 200
	// MaxDescriptionLen is the longest description.
	MaxDescriptionLen = 4000
	// MaxSpeakers is the most speakers a session may list.
	MaxSpeakers = 50
	// MaxProgramSessions bounds the sessions of one program.
	MaxProgramSessions = 1000
	// MaxProgramBytes bounds the size of a program file.
	MaxProgramBytes = 4 << 20
)

// Program is a conference as a program file defines it. Only the metadata
// fields of each Session (ID, Title, Description, Time, Room, Speakers) are
// used; state, links and notes belong to the running conference.
type Program struct {
	// Title is the conference title; it must not be empty.
	Title string
	// BoFs lets anyone start birds-of-a-feather sessions (KindBoF) on the
	// day; a program file sets it with `bofs: true`.
	BoFs bool
	// Sessions are the conference's sessions in program order, with
	// unique ids.
	Sessions []Session
}

// ProgramError is what is wrong with a program, and where: File and Line
// are set when the program came from a file (Line 0 when no line applies),
// Session names the session ("" for the conference itself).
type ProgramError struct {
	// File is the program file's name as given to ParseProgram.
	File string
	// Line is the 1-based line of the problem, or 0.
	Line int
	// Session labels the session, as `session "id"` or `session N` when
	// it has no id.
	Session string
	// Err is the problem itself, often a *FieldError.
	Err error
}

// Error formats the problem as `file:line: session "id": problem`,
// leaving out the parts that are not known.
func (e *ProgramError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			b.WriteString(":" + strconv.Itoa(e.Line))
		}
		b.WriteString(": ")
	}
	if e.Session != "" {
		b.WriteString(e.Session + ": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the underlying problem (a *FieldError for a bad field).
func (e *ProgramError) Unwrap() error { return e.Err }

// FieldError says which field is wrong and why, e.g. "title is empty".
type FieldError struct {
	// Field is the field name as written in a program file ("title"),
	// with an index for list items ("speakers[2]").
	Field string
	// Problem completes the sentence "<field> ...", as in "is empty".
	Problem string
}

// Error returns the field name followed by the problem.
func (e *FieldError) Error() string { return e.Field + " " + e.Problem }

// ValidID reports whether id is a valid session id: 1 to 64 characters
// from a-z, 0-9 and '-'. Session ids appear in URLs (/p/{id}).
func ValidID(id string) bool {
	if id == "" || len(id) > MaxIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// ValidateSession checks the metadata fields of a session: a valid id, a
// single-line title with at least one visible character (HasVisible),
// and lengths within the limits above. It
// returns nil or a *FieldError. State, links and times are not checked.
func ValidateSession(s Session) error {
	switch {
	case s.ID == "":
		return &FieldError{"id", "is empty"}
	case !ValidID(s.ID):
		return &FieldError{"id", fmt.Sprintf("%q is not a slug (1 to %d of a-z, 0-9, '-')", s.ID, MaxIDLen)}
	}
	if strings.TrimSpace(s.Title) == "" {
		return &FieldError{"title", "is empty"}
	}
	if problem := TextProblem(s.Title, MaxTitleLen, false); problem == "" && !HasVisible(s.Title) {
		return &FieldError{"title", "has no visible character"}
	}
	if !ValidPolicy(s.Policy) {
		return &FieldError{"policy", fmt.Sprintf("%q is not %q or %q", s.Policy, PolicyOpen, PolicyLink)}
	}
	fields := []struct {
		name, value string
		max         int
		multiline   bool
	}{
		{"title", s.Title, MaxTitleLen, false},
		{"description", s.Description, MaxDescriptionLen, true},
		{"time", s.Time, MaxTitleLen, false},
		{"room", s.Room, MaxTitleLen, false},
	}
	for _, f := range fields {
		if problem := TextProblem(f.value, f.max, f.multiline); problem != "" {
			return &FieldError{f.name, problem}
		}
	}
	if len(s.Speakers) > MaxSpeakers {
		return &FieldError{"speakers", fmt.Sprintf("has more than %d names", MaxSpeakers)}
	}
	for i, name := range s.Speakers {
		field := fmt.Sprintf("speakers[%d]", i)
		if strings.TrimSpace(name) == "" {
			return &FieldError{field, "is empty"}
		}
		if problem := TextProblem(name, MaxTitleLen, false); problem != "" {
			return &FieldError{field, problem}
		}
	}
	return nil
}

// Validate checks a program built in code (Default, or one assembled by
// hand): a non-empty conference title, at least one and at most
// MaxProgramSessions sessions, each valid by ValidateSession, with unique
// ids. It returns nil or a *ProgramError without file or line.
func (p Program) Validate() error {
	return validate(p, "", nil)
}

// linesOf tells validate where each part of a program is in its file.
type linesOf interface {
	// line returns the line of a field of session i (i < 0 for the
	// conference itself), or 0 if it is not known.
	line(i int, field string) int
}

// validate checks p and reports the first problem with its file and line.
func validate(p Program, file string, where linesOf) error {
	fail := func(i int, label string, err error) error {
		e := &ProgramError{File: file, Session: label, Err: err}
		if where != nil {
			field := ""
			var fe *FieldError
			if errors.As(err, &fe) {
				field = fe.Field
			}
			e.Line = where.line(i, field)
		}
		return e
	}
	if strings.TrimSpace(p.Title) == "" {
		return fail(-1, "", &FieldError{"title", "is empty"})
	}
	if problem := TextProblem(p.Title, MaxTitleLen, false); problem != "" {
		return fail(-1, "", &FieldError{"title", problem})
	}
	switch {
	case len(p.Sessions) == 0:
		return fail(-1, "", &FieldError{"sessions", "is empty: a program needs at least one session"})
	case len(p.Sessions) > MaxProgramSessions:
		return fail(-1, "", &FieldError{"sessions", fmt.Sprintf("has more than %d sessions", MaxProgramSessions)})
	}
	first := make(map[string]int, len(p.Sessions))
	for i, s := range p.Sessions {
		label := fmt.Sprintf("session %d", i+1)
		if s.ID != "" {
			label = fmt.Sprintf("session %q", s.ID)
		}
		if err := ValidateSession(s); err != nil {
			return fail(i, label, err)
		}
		if j, dup := first[s.ID]; dup {
			prev := fmt.Sprintf("session %d", j+1)
			if where != nil {
				prev = fmt.Sprintf("line %d", where.line(j, "id"))
			}
			return fail(i, label, &FieldError{"id", "is used twice (first at " + prev + ")"})
		}
		first[s.ID] = i
	}
	return nil
}

// ParseProgram reads a program file, JSON or YAML as filename's extension
// says (.json, .yaml, .yml), and validates it as Program.Validate does. A
// program file has this shape:
//
//	title: Linux Plumbers Conference 2011
//	sessions:
//	  - id: tracing                  # a slug: [a-z0-9-]{1,64}, unique
//	    title: Tracing               # required
//	    description: Ftrace, perf and LTTng under one roof.
//	    time: Thu 9:00-12:30         # free text, optional
//	    room: Salon C                # optional
//	    speakers: [Steven Rostedt]   # optional
//	    policy: link                 # optional: open (default) or link
//	bofs: true                       # optional: anyone may start a BoF
//
// Unknown fields are errors, so that a typo does not silently lose data.
//
// Text fields are trimmed of surrounding white space. Errors are
// *ProgramError values naming filename, the line and the field, such as
// `program.yaml:12: session "tracing": title is empty`.
func ParseProgram(data []byte, filename string) (Program, error) {
	if len(data) > MaxProgramBytes {
		return Program{}, &ProgramError{File: filename, Err: fmt.Errorf("file is larger than %d bytes", MaxProgramBytes)}
	}
	var (
		raw rawProgram
		err error
		ext = strings.ToLower(filepath.Ext(filename))
	)
	switch ext {
	case ".json":
		raw, err = parseJSONProgram(data)
	case ".yaml", ".yml":
		raw, err = parseYAMLProgram(data)
	default:
		return Program{}, &ProgramError{File: filename, Err: fmt.Errorf("unknown program format %q (want .json, .yaml or .yml)", ext)}
	}
	if err != nil {
		var pe *ProgramError
		if !errors.As(err, &pe) {
			pe = &ProgramError{Err: err}
		}
		pe.File = filename
		return Program{}, pe
	}
	p := raw.program()
	if err := validate(p, filename, raw); err != nil {
		return Program{}, err
	}
	return p, nil
}

// rawProgram is a program as read from a file, with the line of each part.
type rawProgram struct {
	title        string
	titleLine    int
	bofs         bool
	sessionsLine int
	sessions     []rawSession
}

// rawSession is one session as read from a file, with the line where it
// starts and the line of each field (by field name, "speakers[i]" for
// speaker names).
type rawSession struct {
	Session
	start int
	lines map[string]int
}

// line implements linesOf.
func (r rawProgram) line(i int, field string) int {
	if i < 0 {
		switch field {
		case "title":
			if r.titleLine > 0 {
				return r.titleLine
			}
		case "sessions":
			if r.sessionsLine > 0 {
				return r.sessionsLine
			}
		}
		return 1
	}
	s := r.sessions[i]
	if l, ok := s.lines[field]; ok {
		return l
	}
	if strings.HasPrefix(field, "speakers[") {
		if l, ok := s.lines["speakers"]; ok {
			return l
		}
	}
	return s.start
}

// program returns the parsed program with its text fields trimmed.
func (r rawProgram) program() Program {
	p := Program{Title: strings.TrimSpace(r.title), BoFs: r.bofs, Sessions: make([]Session, len(r.sessions))}
	for i, rs := range r.sessions {
		s := rs.Session
		s.Title = strings.TrimSpace(s.Title)
		s.Description = strings.TrimSpace(s.Description)
		s.Time = strings.TrimSpace(s.Time)
		s.Room = strings.TrimSpace(s.Room)
		s.Policy = strings.TrimSpace(s.Policy)
		s.Speakers = nil
		if len(rs.Speakers) > 0 {
			speakers := make([]string, len(rs.Speakers))
			for j, name := range rs.Speakers {
				speakers[j] = strings.TrimSpace(name)
			}
			s.Speakers = speakers
		}
		p.Sessions[i] = s
	}
	return p
}

// setField stores a text field of a session read from a file and its
// line; name is one of the text fields in sessionFields.
func (s *rawSession) setField(name, value string, line int) {
	switch name {
	case "id":
		s.ID = value
	case "title":
		s.Title = value
	case "description":
		s.Description = value
	case "time":
		s.Time = value
	case "room":
		s.Room = value
	case "policy":
		s.Policy = value
	}
	s.lines[name] = line
}

// Field names of a program file, for error messages.
const (
	programFields = "title, sessions, bofs"
	sessionFields = "id, title, description, time, room, speakers, policy"
)

// unknownField is the error for a field a program file may not have.
func unknownField(name, known string) error {
	return fmt.Errorf("unknown field %q (known fields: %s)", name, known)
}

// isSessionField reports whether name is a field of a session.
func isSessionField(name string) bool {
	return slices.Contains(strings.Split(sessionFields, ", "), name)
}

// lineAt returns the 1-based line of byte offset off in data.
func lineAt(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return 1 + bytes.Count(data[:off], []byte{'\n'})
}

// posError is a problem found while reading a file, before File is known.
func posError(line int, session string, err error) *ProgramError {
	return &ProgramError{Line: line, Session: session, Err: err}
}
