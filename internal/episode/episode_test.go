package episode

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/confpad/confpad/internal/testsink"
)

func TestTracker(t *testing.T) {
	full := errors.New("disk full")
	cases := []struct {
		name              string
		outcomes          []error
		failures, recover int
	}{
		{"all well", []error{nil, nil}, 0, 0},
		{"one episode", []error{nil, full, full, full, nil, nil}, 1, 1},
		{"two episodes", []error{full, nil, full, full, nil}, 2, 2},
		{"still failing", []error{full, full}, 1, 0},
		{"cancelled callers ignored", []error{context.Canceled, fmt.Errorf("x: %w", context.DeadlineExceeded), nil}, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out testsink.Buffer
			tr := &Tracker{Logger: slog.New(slog.NewTextHandler(&out, nil)), What: "storage: writes"}
			for _, err := range tc.outcomes {
				tr.Observe(err)
			}
			if n := strings.Count(out.String(), "writes are failing"); n != tc.failures {
				t.Errorf("%d failure lines, want %d:\n%s", n, tc.failures, out.String())
			}
			if n := strings.Count(out.String(), "writes succeed again"); n != tc.recover {
				t.Errorf("%d recovery lines, want %d:\n%s", n, tc.recover, out.String())
			}
			if tc.failures > 0 && !strings.Contains(out.String(), `err="disk full"`) {
				t.Errorf("the cause is not logged:\n%s", out.String())
			}
		})
	}
}

func ExampleTracker() {
	tr := &Tracker{Logger: slog.New(slog.NewTextHandler(exampleOut{}, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "failed_for" {
				return slog.Attr{}
			}
			return a
		},
	})), What: "storage: writes"}
	tr.Observe(errors.New("disk full"))
	tr.Observe(errors.New("disk full")) // the same episode: not logged again
	tr.Observe(nil)
	// Output:
	// level=ERROR msg="storage: writes are failing; not ready until one succeeds" err="disk full"
	// level=INFO msg="storage: writes succeed again" last_err="disk full"
}

// exampleOut writes the example's log to its output.
type exampleOut struct{}

func (exampleOut) Write(p []byte) (int, error) { fmt.Print(string(p)); return len(p), nil }
