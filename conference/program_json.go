package conference

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// jsonWalker reads a JSON program token by token, so that every field and
// every error knows its line.
type jsonWalker struct {
	data []byte
	dec  *json.Decoder
}

// parseJSONProgram reads a JSON program file.
func parseJSONProgram(data []byte) (rawProgram, error) {
	w := &jsonWalker{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	w.dec.UseNumber()
	var r rawProgram
	_, err := w.object("", "a program", func(key string) (err error) {
		switch key {
		case "title":
			r.title, r.titleLine, err = w.str("", "title")
			return err
		case "bofs":
			r.bofs, err = w.boolean("", "bofs")
			return err
		case "sessions":
			r.sessionsLine = lineAt(data, w.dec.InputOffset())
			return w.array("", "sessions", func(i int) error {
				s, err := w.session(i)
				if err == nil && i >= MaxProgramSessions {
					err = posError(s.start, "", &FieldError{"sessions", fmt.Sprintf("has more than %d sessions", MaxProgramSessions)})
				}
				r.sessions = append(r.sessions, s)
				return err
			})
		}
		return posError(lineAt(data, w.dec.InputOffset()), "", unknownField(key, programFields))
	})
	if err != nil {
		return rawProgram{}, err
	}
	if _, err := w.dec.Token(); err != io.EOF {
		return rawProgram{}, w.fail("", errors.New("unexpected data after the program"))
	}
	return r, nil
}

// session reads session i (counting from 0).
func (w *jsonWalker) session(i int) (rawSession, error) {
	label := fmt.Sprintf("session %d", i+1)
	s := rawSession{lines: map[string]int{}}
	start, err := w.object(label, label, func(key string) error {
		line := lineAt(w.data, w.dec.InputOffset())
		if !isSessionField(key) {
			return posError(line, label, unknownField(key, sessionFields))
		}
		if key != "speakers" {
			v, line, err := w.str(label, key)
			if err != nil {
				return err
			}
			s.setField(key, v, line)
			return nil
		}
		s.lines[key] = line
		return w.array(label, key, func(j int) error {
			field := fmt.Sprintf("speakers[%d]", j)
			name, line, err := w.str(label, field)
			if err == nil && j >= MaxSpeakers {
				err = posError(line, label, &FieldError{"speakers", fmt.Sprintf("has more than %d names", MaxSpeakers)})
			}
			s.Speakers = append(s.Speakers, name)
			s.lines[field] = line
			return err
		})
	})
	s.start = start
	return s, err
}

// next reads a token and returns it with the line where it ends.
func (w *jsonWalker) next(label string) (json.Token, int, error) {
	tok, err := w.dec.Token()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, 0, w.fail(label, err)
	}
	return tok, lineAt(w.data, w.dec.InputOffset()), nil
}

// fail turns a decoding error into a *ProgramError at its line.
func (w *jsonWalker) fail(label string, err error) error {
	off := w.dec.InputOffset()
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		off = syn.Offset
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = errors.New("unexpected end of file")
	}
	return posError(lineAt(w.data, off), label, err)
}

// object reads a JSON object, calling fn with each key; fn reads the
// key's value. A key may appear once. what names the object in errors.
// It returns the line of the object's '{'.
func (w *jsonWalker) object(label, what string, fn func(key string) error) (int, error) {
	tok, start, err := w.next(label)
	if err != nil {
		return 0, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return start, posError(start, label, fmt.Errorf("%s must be an object, not %s", what, jsonKind(tok)))
	}
	seen := map[string]bool{}
	for w.dec.More() {
		tok, line, err := w.next(label)
		if err != nil {
			return start, err
		}
		key, _ := tok.(string) // inside an object the decoder returns keys as strings
		if seen[key] {
			return start, posError(line, label, fmt.Errorf("field %q appears twice", key))
		}
		seen[key] = true
		if err := fn(key); err != nil {
			return start, err
		}
	}
	_, _, err = w.next(label) // the '}'; the decoder checks the pairing
	return start, err
}

// array reads a JSON array, or null as an empty one, calling fn with the
// index of each element; fn reads the element.
func (w *jsonWalker) array(label, field string, fn func(i int) error) error {
	tok, line, err := w.next(label)
	if err != nil || tok == nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return posError(line, label, fmt.Errorf("%s must be a list, not %s", field, jsonKind(tok)))
	}
	for i := 0; w.dec.More(); i++ {
		if err := fn(i); err != nil {
			return err
		}
	}
	_, _, err = w.next(label) // the ']'
	return err
}

// str reads a string, or null as "", and returns it with its line.
func (w *jsonWalker) str(label, field string) (string, int, error) {
	tok, line, err := w.next(label)
	if err != nil {
		return "", 0, err
	}
	switch v := tok.(type) {
	case string:
		return v, line, nil
	case nil:
		return "", line, nil
	}
	return "", line, posError(line, label, fmt.Errorf("%s must be a string, not %s", field, jsonKind(tok)))
}

// boolean reads true, false, or null as false.
func (w *jsonWalker) boolean(label, field string) (bool, error) {
	tok, line, err := w.next(label)
	if err != nil {
		return false, err
	}
	switch v := tok.(type) {
	case bool:
		return v, nil
	case nil:
		return false, nil
	}
	return false, posError(line, label, fmt.Errorf("%s must be true or false, not %s", field, jsonKind(tok)))
}

// jsonKind names the kind of value a token starts, for error messages.
func jsonKind(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '[' {
			return "a list"
		}
		return "an object"
	case json.Number:
		return "a number"
	case bool:
		return "true or false"
	case string:
		return "a string"
	}
	return "null"
}
