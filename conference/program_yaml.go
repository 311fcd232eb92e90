package conference

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// parseYAMLProgram reads a YAML program file (one document).
func parseYAMLProgram(data []byte) (rawProgram, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return rawProgram{}, posError(1, "", errors.New("the file is empty"))
		}
		return rawProgram{}, yamlError(err)
	}
	var more yaml.Node
	if err := dec.Decode(&more); err != io.EOF {
		if err != nil {
			return rawProgram{}, yamlError(err)
		}
		return rawProgram{}, posError(more.Line, "", errors.New("more than one YAML document; a program is one"))
	}
	if len(doc.Content) == 0 {
		return rawProgram{}, posError(1, "", errors.New("the file is empty"))
	}
	root, err := yamlValue(doc.Content[0], "", "a program", yaml.MappingNode)
	if err != nil {
		return rawProgram{}, err
	}
	var r rawProgram
	err = yamlMapping(root, "", func(key string, keyLine int, v *yaml.Node) (err error) {
		switch key {
		case "title":
			r.titleLine = keyLine
			r.title, err = yamlString(v, "", "title")
			return err
		case "sessions":
			r.sessionsLine = keyLine
			r.sessions, err = yamlSessions(v)
			return err
		case "bofs":
			r.bofs, err = yamlBool(v, "", "bofs")
			return err
		}
		return posError(keyLine, "", unknownField(key, programFields))
	})
	return r, err
}

// yamlSessions reads the list of sessions.
func yamlSessions(n *yaml.Node) ([]rawSession, error) {
	list, err := yamlValue(n, "", "sessions", yaml.SequenceNode)
	if err != nil || list == nil {
		return nil, err
	}
	if len(list.Content) > MaxProgramSessions {
		return nil, posError(list.Content[MaxProgramSessions].Line, "", &FieldError{"sessions", fmt.Sprintf("has more than %d sessions", MaxProgramSessions)})
	}
	sessions := make([]rawSession, len(list.Content))
	for i, item := range list.Content {
		label := fmt.Sprintf("session %d", i+1)
		m, err := yamlValue(item, label, label, yaml.MappingNode)
		if err != nil {
			return nil, err
		}
		s := rawSession{start: item.Line, lines: map[string]int{}}
		err = yamlMapping(m, label, func(key string, keyLine int, v *yaml.Node) error {
			if !isSessionField(key) {
				return posError(keyLine, label, unknownField(key, sessionFields))
			}
			if key == "speakers" {
				s.lines[key] = keyLine
				s.Speakers, err = yamlSpeakers(v, label, s.lines)
				return err
			}
			text, err := yamlString(v, label, key)
			if err != nil {
				return err
			}
			s.setField(key, text, keyLine)
			return nil
		})
		if err != nil {
			return nil, err
		}
		sessions[i] = s
	}
	return sessions, nil
}

// yamlSpeakers reads a list of speaker names, noting their lines.
func yamlSpeakers(n *yaml.Node, label string, lines map[string]int) ([]string, error) {
	list, err := yamlValue(n, label, "speakers", yaml.SequenceNode)
	if err != nil || list == nil {
		return nil, err
	}
	if len(list.Content) > MaxSpeakers {
		return nil, posError(list.Content[MaxSpeakers].Line, label, &FieldError{"speakers", fmt.Sprintf("has more than %d names", MaxSpeakers)})
	}
	names := make([]string, len(list.Content))
	for i, item := range list.Content {
		field := fmt.Sprintf("speakers[%d]", i)
		if names[i], err = yamlString(item, label, field); err != nil {
			return nil, err
		}
		lines[field] = item.Line
	}
	return names, nil
}

// yamlValue resolves an alias and checks that n is of the wanted kind; a
// null value is returned as nil.
func yamlValue(n *yaml.Node, label, what string, want yaml.Kind) (*yaml.Node, error) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return nil, nil
	}
	if n.Kind != want {
		return nil, posError(n.Line, label, fmt.Errorf("%s must be %s, not %s", what, yamlKind(want), yamlKind(n.Kind)))
	}
	return n, nil
}

// yamlMapping calls fn for each key of a mapping (which may be nil, for
// null) with the key's line and its value. A key may appear once.
func yamlMapping(m *yaml.Node, label string, fn func(key string, line int, v *yaml.Node) error) error {
	if m == nil {
		return nil
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if k.Kind != yaml.ScalarNode {
			return posError(k.Line, label, fmt.Errorf("a field name must be text, not %s", yamlKind(k.Kind)))
		}
		if seen[k.Value] {
			return posError(k.Line, label, fmt.Errorf("field %q appears twice", k.Value))
		}
		seen[k.Value] = true
		if err := fn(k.Value, k.Line, m.Content[i+1]); err != nil {
			return err
		}
	}
	return nil
}

// yamlString reads a scalar as text (null as ""); YAML numbers and
// booleans are taken as written.
func yamlString(n *yaml.Node, label, field string) (string, error) {
	v, err := yamlValue(n, label, field, yaml.ScalarNode)
	if err != nil || v == nil {
		return "", err
	}
	return v.Value, nil
}

// yamlBool reads true or false (null as false).
func yamlBool(n *yaml.Node, label, field string) (bool, error) {
	v, err := yamlValue(n, label, field, yaml.ScalarNode)
	if err != nil || v == nil {
		return false, err
	}
	if v.ShortTag() != "!!bool" {
		return false, posError(v.Line, label, fmt.Errorf("%s must be true or false, not %q", field, v.Value))
	}
	b, err := strconv.ParseBool(v.Value)
	if err != nil { // YAML 1.1 spellings such as "yes" are strings in yaml.v3
		return false, posError(v.Line, label, fmt.Errorf("%s must be true or false, not %q", field, v.Value))
	}
	return b, nil
}

// yamlKind names a node kind for error messages.
func yamlKind(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "text"
	}
	return "an alias"
}

// yamlError turns a yaml.v3 syntax error ("yaml: line 3: ...") into a
// *ProgramError at that line.
func yamlError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		num, text, found := strings.Cut(rest, ": ")
		if line, convErr := strconv.Atoi(num); convErr == nil && found {
			return posError(line, "", errors.New(text))
		}
	}
	return posError(0, "", errors.New(msg))
}
