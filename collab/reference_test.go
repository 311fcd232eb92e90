package collab

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"testing"
)

// The differential test: every case in a vector file made by the npm package
// ot-text-unicode 4.0.0 itself (tools/otspec/gen.js) must give the same
// result here, compared as JSON bytes, and every case where the package
// threw must fail here too. The checked-in batch always runs; a fresh batch
// runs when CONFPAD_OT_VECTORS names one (make test generates it).

const checkedInVectors = "testdata/ot_vectors.json.gz"

func TestReferenceVectors(t *testing.T) {
	t.Run("checked-in", func(t *testing.T) { runVectorFile(t, checkedInVectors) })
	if path := os.Getenv("CONFPAD_OT_VECTORS"); path != "" {
		t.Run("fresh", func(t *testing.T) { runVectorFile(t, path) })
	}
}

// vectorFile is the output of tools/otspec/gen.js.
type vectorFile struct {
	Package string            `json:"package"`
	Seed    string            `json:"seed"`
	Count   int               `json:"count"`
	Cases   []json.RawMessage `json:"cases"`
}

// vectorCase is one case; which fields are set depends on K.
type vectorCase struct {
	K     string          `json:"k"`
	Doc   string          `json:"doc"`
	Op    json.RawMessage `json:"op"`
	Other json.RawMessage `json:"other"`
	A     json.RawMessage `json:"a"`
	B     json.RawMessage `json:"b"`
	Side  string          `json:"side"`
	Pos   int             `json:"pos"`
	Sel   [2]int          `json:"sel"`
	Out   json.RawMessage `json:"out"`
	Err   *string         `json:"err"`
}

func runVectorFile(t *testing.T, path string) {
	t.Helper()
	vf := readVectorFile(t, path)
	if len(vf.Cases) != vf.Count || vf.Count == 0 {
		t.Fatalf("%s: %d cases, header says %d", path, len(vf.Cases), vf.Count)
	}
	kinds := map[string]int{}
	failures := 0
	for i, raw := range vf.Cases {
		var c vectorCase
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatalf("%s case %d: %v", path, i, err)
		}
		kinds[c.K]++
		if err := c.check(); err != nil {
			failures++
			if failures <= 20 {
				t.Errorf("%s (seed %s) case %d: %v\n\tcase: %s", path, vf.Seed, i, err, raw)
			}
		}
	}
	if failures > 20 {
		t.Errorf("... %d failures in all", failures)
	}
	for _, k := range []string{"apply", "transform", "compose", "position", "selection", "normalize", "invert", "check"} {
		if kinds[k] == 0 {
			t.Errorf("%s has no %q cases", path, k)
		}
	}
	t.Logf("%s: %d cases from %s, seed %s: %v", path, len(vf.Cases), vf.Package, vf.Seed, kinds)
}

func readVectorFile(t *testing.T, path string) vectorFile {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	var vf vectorFile
	if err := json.Unmarshal(data, &vf); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return vf
}

// check runs the case through this package and compares.
func (c *vectorCase) check() error {
	got, err := c.run()
	if c.Err != nil {
		if err == nil {
			return fmt.Errorf("the package threw %q, Go gave %s", *c.Err, got)
		}
		return c.checkUnparsedFails()
	}
	if err != nil {
		return fmt.Errorf("Go failed: %v; the package gave %s", err, c.Out)
	}
	if !bytes.Equal(got, c.Out) {
		return fmt.Errorf("Go gave\n\t%s\nthe package gave\n\t%s", got, c.Out)
	}
	return nil
}

// run computes the case's result as JSON, parsing its ops with ParseOp.
func (c *vectorCase) run() ([]byte, error) {
	switch c.K {
	case "apply":
		op, err := ParseOp(c.Op)
		if err != nil {
			return nil, err
		}
		doc, err := Apply(c.Doc, op)
		return appendJSONString(nil, doc), err
	case "transform":
		return c.runOps(c.Op, c.Other, func(a, b Op) (Op, error) {
			return Transform(a, b, sideOf(c.Side))
		})
	case "compose":
		return c.runOps(c.A, c.B, Compose)
	case "position":
		op, err := ParseOp(c.Op)
		if err != nil {
			return nil, err
		}
		return strconv.AppendInt(nil, int64(TransformPosition(c.Pos, op)), 10), nil
	case "selection":
		op, err := ParseOp(c.Op)
		if err != nil {
			return nil, err
		}
		sel := TransformSelection(c.Sel, op)
		return fmt.Appendf(nil, "[%d,%d]", sel[0], sel[1]), nil
	case "normalize":
		op, err := looseOp(c.Op)
		if err != nil {
			return nil, err
		}
		return Normalize(op).MarshalJSON()
	case "invert":
		op, err := ParseOp(c.Op)
		if err != nil {
			return nil, err
		}
		inv, err := Invert(op)
		if err != nil {
			return nil, err
		}
		return inv.MarshalJSON()
	case "check":
		_, err := ParseOp(c.Op)
		return strconv.AppendBool(nil, err == nil), nil
	}
	return nil, fmt.Errorf("unknown case kind %q", c.K)
}

// runOps parses two ops and marshals f's result.
func (c *vectorCase) runOps(a, b json.RawMessage, f func(a, b Op) (Op, error)) ([]byte, error) {
	opA, err := ParseOp(a)
	if err != nil {
		return nil, err
	}
	opB, err := ParseOp(b)
	if err != nil {
		return nil, err
	}
	out, err := f(opA, opB)
	if err != nil {
		return nil, err
	}
	return out.MarshalJSON()
}

// checkUnparsedFails makes sure that where the package threw, the Go
// function itself fails too, not only ParseOp: it hands it the ops decoded
// without validation.
func (c *vectorCase) checkUnparsedFails() error {
	var err error
	switch c.K {
	case "apply":
		var op Op
		if op, err = looseOp(c.Op); err == nil {
			_, err = Apply(c.Doc, op)
		}
	case "transform", "compose":
		a, b := c.Op, c.Other
		if c.K == "compose" {
			a, b = c.A, c.B
		}
		var opA, opB Op
		if opA, err = looseOp(a); err == nil {
			if opB, err = looseOp(b); err == nil {
				if c.K == "compose" {
					_, err = Compose(opA, opB)
				} else {
					_, err = Transform(opA, opB, sideOf(c.Side))
				}
			}
		}
	case "invert":
		var op Op
		if op, err = looseOp(c.Op); err == nil {
			_, err = Invert(op)
		}
	default:
		return fmt.Errorf("unexpected error case of kind %q", c.K)
	}
	if err == nil {
		return errors.New("the package threw; Go fails to parse the input but accepts it unparsed")
	}
	return nil
}

func sideOf(s string) Side {
	switch s {
	case "left":
		return Left
	case "right":
		return Right
	}
	return 0
}

// looseOp decodes an op's JSON without any validation, the way a Go
// program might build a bad Op by hand: numbers become skips, strings
// inserts, {"d": ...} deletes (zero and empty ones become empty components).
func looseOp(data []byte) (Op, error) {
	var parts []any
	if err := json.Unmarshal(data, &parts); err != nil {
		return Op{}, err
	}
	op := make([]Component, 0, len(parts))
	for _, p := range parts {
		switch v := p.(type) {
		case float64:
			op = append(op, Skip(int(v)))
		case string:
			op = append(op, Insert(v))
		case map[string]any:
			switch d := v["d"].(type) {
			case float64:
				op = append(op, Delete(int(d)))
			case string:
				op = append(op, DeleteText(d))
			default:
				return Op{}, fmt.Errorf("component %v", v)
			}
		default:
			return Op{}, fmt.Errorf("component %v", p)
		}
	}
	return NewOp(op...), nil
}
