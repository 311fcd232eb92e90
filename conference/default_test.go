package conference

import (
	"reflect"
	"strings"
	"testing"
)

// The microconference titles of the seed file (seed/lpc2011-microconferences.txt
// in the shared project notes), some of them implied only by their text.
var lpc2011Titles = []string{
	"Audio", "Bufferbloat and Networking", "Cloud", "Containers and Cgroups",
	"Desktop", "Development Tools", "Early Boot and Init Systems",
	"Embedded Build Systems", "File and Storage Systems", "Mobile",
	"Power Management", "Real Time", "Scaling", "Tracing",
	"Unified Memory Management", "Virtualization",
}

func TestDefault(t *testing.T) {
	p := Default()
	if p.Title != "Linux Plumbers Conference 2011" {
		t.Errorf("Title = %q", p.Title)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	var titles []string
	for i, s := range p.Sessions {
		titles = append(titles, s.Title)
		if want := strings.ToLower(strings.ReplaceAll(s.Title, " ", "-")); s.ID != want {
			t.Errorf("session %q: id %q, want the title's slug %q", s.Title, s.ID, want)
		}
		if i > 0 && s.ID <= p.Sessions[i-1].ID {
			t.Errorf("session %q is not in id order", s.ID)
		}
		d := s.Description
		sentences := strings.Count(d, ". ") + 1
		if d == "" || !strings.HasSuffix(d, ".") || sentences > 2 || len(d) > 300 {
			t.Errorf("session %q: description should be one or two short sentences: %q", s.ID, d)
		}
		if s.State != "" || s.Links != nil || s.Time != "" || s.Room != "" {
			t.Errorf("session %q sets more than program metadata: %+v", s.ID, s)
		}
	}
	if !reflect.DeepEqual(titles, lpc2011Titles) {
		t.Errorf("titles\n got %q\nwant %q", titles, lpc2011Titles)
	}
}

func TestDefaultIsAFreshCopy(t *testing.T) {
	a := Default()
	a.Title = "changed"
	a.Sessions[0].Title = "changed"
	b := Default()
	if b.Title == "changed" || b.Sessions[0].Title == "changed" {
		t.Error("changing one Default() result changed the next")
	}
}

func TestDefaultRoundTripsAsAProgramFile(t *testing.T) {
	p, err := ParseProgram(programJSON(t, Default()), "default.json")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p, Default()) {
		t.Errorf("got %+v\nwant %+v", p, Default())
	}
}
