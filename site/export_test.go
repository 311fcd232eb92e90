package site_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/internal/htmlcheck"
	"github.com/confpad/confpad/site"
)

// testConference is a conference whose notes, titles, speakers and slide
// links hold every XSS payload and code-like line.
func testConference(t testing.TB) (site.Conference, map[string]string) {
	t.Helper()
	payloads := htmlcheck.Lines("../testdata/xss/payloads.txt")
	code := htmlcheck.Lines("../testdata/xss/code-lines.txt")
	texts := map[string]string{
		"xss":   strings.Join(payloads, "\n\n"),
		"code":  strings.Join(code, "\n"),
		"empty": "",
		"bof-x": "# BoF\n\n" + strings.Join(code, "\n\n"),
	}
	sessions := []conference.Session{
		{ID: "xss", Title: payloads[0], Speakers: payloads[2:5], Time: payloads[5], Room: payloads[6], Description: payloads[7], State: conference.StateLive,
			Links: []conference.Link{{ID: "1", Title: payloads[12], URL: "javascript:__xss(99)"}, {ID: "2", Title: "ok", URL: "https://example.org/s.pdf"}}},
		{ID: "code", Title: "Code <T>", Time: "Thu 9:00", Order: 1, State: conference.StateArchived},
		{ID: "empty", Title: "Empty", Time: "Thu 8:00", Order: 2, State: conference.StateLive},
		{ID: "bof-x", Title: "A BoF", Kind: conference.KindBoF, State: conference.StateLive},
	}
	conf := site.Conference{Title: "Conf <b>2026</b>", Sessions: sessions, Text: func(_ context.Context, id string) (string, int, error) {
		text, ok := texts[id]
		if !ok {
			return "", 0, fmt.Errorf("no pad %q", id)
		}
		return text, len(text) % 7, nil
	}}
	return conf, texts
}

// checkExport checks the files of an export: every session's page and
// Markdown, the index and conference.json; pages run nothing, their
// relative links resolve to files of the export, the Markdown is the
// pad text byte for byte and code-like lines appear verbatim.
func checkExport(t *testing.T, files map[string]string, texts map[string]string) {
	t.Helper()
	code := htmlcheck.Lines("../testdata/xss/code-lines.txt")
	for id, text := range texts {
		if got, ok := files["sessions/"+id+".md"]; !ok || got != text {
			t.Errorf("sessions/%s.md = %q (present %v), want the pad text %q", id, got, ok, text)
		}
		if _, ok := files["sessions/"+id+".html"]; !ok {
			t.Errorf("no sessions/%s.html", id)
		}
	}
	for name, body := range files {
		if !strings.HasSuffix(name, ".html") {
			continue
		}
		p := htmlcheck.Parse(body)
		if len(p.Dangers) > 0 {
			t.Errorf("%s: %q", name, p.Dangers)
		}
		for _, l := range p.Links {
			if strings.Contains(l, ":") || strings.HasPrefix(l, "/") || strings.HasPrefix(l, "#") {
				continue
			}
			target := path.Join(path.Dir(name), l)
			if _, ok := files[target]; !ok {
				t.Errorf("%s links to %q, which is not in the export", name, l)
			}
		}
		if strings.Contains(body, `href="/`) {
			t.Errorf("%s has an absolute link", name)
		}
		if name == "sessions/code.html" || name == "sessions/bof-x.html" {
			for _, l := range code {
				if !strings.Contains(p.Text, l) {
					t.Errorf("%s lacks the line %q", name, l)
				}
			}
		}
	}
	var prog struct {
		Title    string `json:"title"`
		Sessions []struct {
			ID, Kind, Day, HTML, MD string
			Links                   []conference.Link
		} `json:"sessions"`
	}
	if err := json.Unmarshal([]byte(files["conference.json"]), &prog); err != nil {
		t.Fatalf("conference.json: %v", err)
	}
	var order []string
	for _, s := range prog.Sessions {
		order = append(order, s.ID)
		if files[s.HTML] == "" || s.MD != "sessions/"+s.ID+".md" {
			t.Errorf("conference.json: session %s's files %q, %q", s.ID, s.HTML, s.MD)
		}
	}
	if got, want := strings.Join(order, " "), "empty code xss bof-x"; got != want {
		t.Errorf("conference.json lists %q, want the programme order %q", got, want)
	}
	if prog.Title != "Conf <b>2026</b>" || len(prog.Sessions[2].Links) != 2 {
		t.Errorf("conference.json: title %q, links of xss %v", prog.Title, prog.Sessions[2].Links)
	}
	index := files["index.html"]
	for _, want := range []string{`href="sessions/code.html"`, `href="sessions/bof-x.md"`, "Thursday", "BoFs", "Conf &lt;b&gt;2026&lt;/b&gt;"} {
		if !strings.Contains(index, want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
}

func TestWriteZip(t *testing.T) {
	pages, err := site.NewPages()
	if err != nil {
		t.Fatal(err)
	}
	conf, texts := testConference(t)
	var buf bytes.Buffer
	if err := pages.WriteZip(t.Context(), &buf, conf); err != nil {
		t.Fatal(err)
	}
	files, err := htmlcheck.Unzip(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	// index.html, pages.css and conference.json, and two per session.
	if len(files) != 3+2*len(texts) {
		t.Errorf("%d files in the zip, want %d", len(files), 3+2*len(texts))
	}
	if files[site.StylesheetFile] != string(site.Stylesheet) {
		t.Errorf("the zip's %s is not the pages' stylesheet", site.StylesheetFile)
	}
	checkExport(t, files, texts)
}

func TestExportToDirectory(t *testing.T) {
	pages, err := site.NewPages()
	if err != nil {
		t.Fatal(err)
	}
	conf, texts := testConference(t)
	dir := filepath.Join(t.TempDir(), "out", "site")
	dst, err := site.NewDirDest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := pages.Export(t.Context(), dst, conf); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	checkExport(t, files, texts)
	if _, err := dst.Create("../escape.html"); err == nil {
		t.Error("DirDest created a file outside its directory")
	}
}

func TestExportStopsOnAPadError(t *testing.T) {
	pages, err := site.NewPages()
	if err != nil {
		t.Fatal(err)
	}
	conf, _ := testConference(t)
	conf.Sessions = append(conf.Sessions, conference.Session{ID: "lost", Title: "Lost", Created: time.Now()})
	err = pages.WriteZip(t.Context(), io.Discard, conf)
	if err == nil || !strings.Contains(err.Error(), `"lost"`) {
		t.Errorf("error = %v, want one naming the session", err)
	}
}

func TestPlainText(t *testing.T) {
	sess := conference.Session{Title: "Tracing", Time: "Thu 9:00", Speakers: []string{"Ann", "Bo"},
		Links: []conference.Link{{Title: "Slides", URL: "https://example.org/s"}}}
	got := site.PlainText(sess, "Vec<T>\n")
	want := "Tracing\nTime: Thu 9:00\nSpeakers: Ann, Bo\nSlides: Slides <https://example.org/s>\n\nVec<T>\n"
	if got != want {
		t.Errorf("PlainText = %q, want %q", got, want)
	}
}

// BenchmarkWriteZip exports conferences of 25, 100 and 400 sessions of
// 100 KB of Markdown each as a zip (the goal: 100 sessions under a
// second). peak-heap-MB is the most heap in use while writing, sampled
// after each pad is read: streaming keeps it flat as the archive grows.
func BenchmarkWriteZip(b *testing.B) {
	pages, err := site.NewPages()
	if err != nil {
		b.Fatal(err)
	}
	const size = 100 << 10
	// Notes as people take them: a heading every kilobyte or so, with
	// paragraphs, lists, links, code and the odd <angle bracket>.
	var para strings.Builder
	for i := 0; para.Len() < size; i++ {
		fmt.Fprintf(&para, "## Topic %d\n\nThe speaker explained how `Vec<T>` is laid out, with [the slides](https://example.org/slides/%d.pdf) and a demo. "+
			"Questions from the room about scheduling latency, RCU grace periods and the page cache; a < b > c in the worst case.\n\n"+
			"- first point: send kill -9 <pid> only as a last resort\n- second point is **important** and _subtle_\n- third point, see www.example.org/%d\n\n"+
			"```c\n#include <linux/sched.h>\nstatic int answer(void) { return 42; }\n```\n\n"+
			"> Someone asked whether this is upstream yet; the answer was: not yet, patches are on the list.\n\n"+
			"Follow-up: compare with the numbers from last year, and write down the open questions before the BoF tonight. "+
			"Action items go to the mailing list, and the notes stay here for everyone who could not attend the session.\n\n", i, i, i)
	}
	text := para.String()[:size]
	for _, sessions := range []int{25, 100, 400} {
		b.Run(fmt.Sprintf("sessions=%d", sessions), func(b *testing.B) {
			var peak uint64
			var ms runtime.MemStats
			conf := site.Conference{Title: "Big", Text: func(context.Context, string) (string, int, error) {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
				return text, 1, nil
			}}
			for i := range sessions {
				conf.Sessions = append(conf.Sessions, conference.Session{ID: fmt.Sprintf("s%03d", i), Title: fmt.Sprintf("Session %d", i), Time: "Thu 9:00", State: conference.StateLive})
			}
			b.SetBytes(int64(sessions * size))
			b.ReportAllocs()
			for b.Loop() {
				if err := pages.WriteZip(b.Context(), io.Discard, conf); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}
