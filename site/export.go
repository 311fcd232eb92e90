package site

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/notes"
)

// Conference is what an export reads: the conference and a way to read
// each pad's text.
type Conference struct {
	// Title is the conference's title.
	Title string
	// Sessions are every session, links included.
	Sessions []conference.Session
	// Text returns a pad's latest text and revision.
	Text func(ctx context.Context, id string) (text string, rev int, err error)
	// Notes, if not nil, keeps the rendered notes for other readers.
	Notes *notes.Cache
}

// Dest receives the files of an export, one at a time: the writer Create
// returns is written before the next Create. *zip.Writer is a Dest.
type Dest interface {
	Create(name string) (io.Writer, error)
}

// programmeJSON is conference.json: the programme and where each
// session's files are.
type programmeJSON struct {
	Title    string        `json:"title"`
	Exported time.Time     `json:"exported"`
	Sessions []sessionJSON `json:"sessions"`
}

type sessionJSON struct {
	conference.Session
	Day  string `json:"day,omitempty"`
	Rev  int    `json:"rev"`
	HTML string `json:"html"`
	MD   string `json:"md"`
}

// Export writes the conference as a static site into dst: index.html,
// pages.css (the stylesheet every page links), sessions/ID.html (no
// scripts, relative links), sessions/ID.md (the pad text as is), and
// conference.json (the programme with every session's metadata, slide
// links and files). It reads and renders a few pads at a time (in
// parallel, ahead of writing), so memory does not grow with the
// conference. c.Text may be called from several goroutines at once.
func (p *Pages) Export(ctx context.Context, dst Dest, c Conference) error {
	entries := make([]Entry, len(c.Sessions))
	for i, s := range c.Sessions {
		entries[i] = Entry{Session: s}
	}
	days, bofs := Programme(entries)
	ordered := bofs[:0:0]
	for _, d := range days {
		ordered = append(ordered, d.Sessions...)
	}
	ordered = append(ordered, bofs...)

	index := IndexPage{Page: Page{Title: c.Title, Site: c.Title, URLs: staticURLs(0)}, Days: days, BoFs: bofs}
	if err := writeFile(dst, "index.html", func(w io.Writer) error { return p.Index(w, index) }); err != nil {
		return err
	}
	if err := writeFile(dst, StylesheetFile, func(w io.Writer) error { _, err := w.Write(Stylesheet); return err }); err != nil {
		return err
	}
	prog := programmeJSON{Title: c.Title, Exported: time.Now().UTC().Truncate(time.Second), Sessions: make([]sessionJSON, 0, len(ordered))}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for ch := range p.renderAhead(ctx, c, ordered) {
		r := <-ch
		if r.err != nil {
			return fmt.Errorf("export session %q: %w", r.e.ID, r.err)
		}
		html, md := sessionFile(r.e.ID, "html"), sessionFile(r.e.ID, "md")
		if err := writeFile(dst, html, func(w io.Writer) error { _, err := r.page.WriteTo(w); return err }); err != nil {
			return err
		}
		if err := writeFile(dst, md, func(w io.Writer) error { _, err := io.WriteString(w, r.text); return err }); err != nil {
			return err
		}
		prog.Sessions = append(prog.Sessions, sessionJSON{Session: r.e.Session, Day: r.e.Slot.Day, Rev: r.rev, HTML: html, MD: md})
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return writeFile(dst, "conference.json", func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(prog)
	})
}

// renderedSession is a session's text and notes page, made ahead of
// writing.
type renderedSession struct {
	e    Entry
	text string
	rev  int
	page bytes.Buffer
	err  error
}

// renderAhead reads and renders the sessions' pages, up to
// runtime.GOMAXPROCS (at most 4) at once, ahead of the writer, which
// receives them in order: one channel per session, each yielding its
// result. Memory is bounded by the sessions in flight. It stops when ctx
// is done.
func (p *Pages) renderAhead(ctx context.Context, c Conference, entries []Entry) <-chan chan *renderedSession {
	ahead := min(runtime.GOMAXPROCS(0), 4)
	queue := make(chan chan *renderedSession, ahead-1)
	go func() {
		defer close(queue)
		for _, e := range entries {
			ch := make(chan *renderedSession, 1)
			select {
			case queue <- ch:
			case <-ctx.Done():
				return
			}
			go func() { ch <- p.renderSession(ctx, c, e) }()
		}
	}()
	return queue
}

// renderSession reads a session's text and renders its static page.
func (p *Pages) renderSession(ctx context.Context, c Conference, e Entry) *renderedSession {
	r := &renderedSession{e: e}
	r.text, r.rev, r.err = c.Text(ctx, e.ID)
	if r.err != nil {
		return r
	}
	data, err := NotesData(e.Session, c.Title, staticURLs(1), r.text, r.rev, r.rev, nil, c.Notes)
	if err == nil {
		err = p.Notes(&r.page, data)
	}
	r.err = err
	return r
}

// writeFile creates name in dst and fills it with write.
func writeFile(dst Dest, name string, write func(io.Writer) error) error {
	w, err := dst.Create(name)
	if err == nil {
		err = write(w)
	}
	if err != nil {
		return fmt.Errorf("export %s: %w", name, err)
	}
	return nil
}

// WriteZip writes the conference's export (see Export) as a zip archive
// to w, streaming: nothing is kept once it is written.
func (p *Pages) WriteZip(ctx context.Context, w io.Writer, c Conference) error {
	zw := zip.NewWriter(w)
	// Notes compress well even at the fastest level; one compressor
	// (about a megabyte of state) serves every file in turn.
	var fw *flate.Writer
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		if fw == nil {
			var err error
			fw, err = flate.NewWriter(out, flate.BestSpeed)
			return fw, err
		}
		fw.Reset(out)
		return fw, nil
	})
	if err := p.Export(ctx, zipDest{zw}, c); err != nil {
		return err
	}
	return zw.Close()
}

// zipDest creates compressed, dated zip entries.
type zipDest struct{ zw *zip.Writer }

// Create implements Dest.
func (z zipDest) Create(name string) (io.Writer, error) {
	return z.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Now()})
}

// ExportDir exports c into the directory dir (see Export), made if
// missing. dir must be new, empty, or hold an earlier export (its
// conference.json says so); then the files that export wrote and this one
// did not (those of sessions deleted since) are removed afterwards, and
// nothing else in dir is touched. A dir with other files is refused.
func (p *Pages) ExportDir(ctx context.Context, dir string, c Conference) error {
	earlier, err := earlierExport(dir)
	if err != nil {
		return err
	}
	dst, err := NewDirDest(dir)
	if err != nil {
		return err
	}
	err = p.Export(ctx, dst, c)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	for _, name := range earlier {
		if !dst.written[name] {
			if err := os.Remove(filepath.Join(dir, filepath.FromSlash(name))); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("export: removing %s of a deleted session: %w", name, err)
			}
		}
	}
	return nil
}

// earlierExport returns the files an earlier export wrote into dir, by
// its conference.json: none when dir is missing or empty, an error when
// dir holds files but no export.
func earlierExport(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(entries) == 0) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	notExport := fmt.Errorf("export: %s is not empty and holds no confpad export (no readable conference.json); choose a new or empty directory", dir)
	b, err := os.ReadFile(filepath.Join(dir, "conference.json"))
	if err != nil {
		return nil, notExport
	}
	var prog programmeJSON
	if err := json.Unmarshal(b, &prog); err != nil || prog.Exported.IsZero() {
		return nil, notExport
	}
	files := []string{"index.html", StylesheetFile, "conference.json"}
	for _, s := range prog.Sessions {
		for _, f := range []string{s.HTML, s.MD} {
			if isSessionFile(f) {
				files = append(files, f)
			}
		}
	}
	return files, nil
}

// isSessionFile reports whether name is a session's file as an export
// writes it (sessionFile): sessions/ID.html or sessions/ID.md.
func isSessionFile(name string) bool {
	dir, base := path.Split(name)
	id, ext, ok := strings.Cut(base, ".")
	return dir == "sessions/" && ok && (ext == "html" || ext == "md") && conference.ValidID(id)
}

// DirDest writes an export's files under a directory. Close it after the
// export to close the last file.
type DirDest struct {
	dir     string
	cur     *os.File
	written map[string]bool // the names created
}

// NewDirDest makes dir (and its parents) and returns a Dest writing into
// it. Files already there with the export's names are replaced.
func NewDirDest(dir string) (*DirDest, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return &DirDest{dir: dir, written: map[string]bool{}}, nil
}

// Create implements Dest: it closes the previous file and creates name,
// a slash-separated path inside the directory.
func (d *DirDest) Create(name string) (io.Writer, error) {
	if err := d.Close(); err != nil {
		return nil, err
	}
	if !filepath.IsLocal(filepath.FromSlash(name)) {
		return nil, fmt.Errorf("export: %q is not inside the directory", name)
	}
	path := filepath.Join(d.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	d.cur = f
	d.written[name] = true
	return f, nil
}

// Close closes the file being written, if any.
func (d *DirDest) Close() error {
	if d.cur == nil {
		return nil
	}
	err := d.cur.Close()
	d.cur = nil
	return err
}

// PlainText is a session's .txt export: a header with the session's
// title, time, room, speakers and slide links, a blank line, and the pad
// text as is.
func PlainText(sess conference.Session, text string) string {
	var b strings.Builder
	b.WriteString(sess.Title + "\n")
	for _, f := range []struct{ name, value string }{
		{"Time", sess.Time}, {"Room", sess.Room}, {"Speakers", strings.Join(sess.Speakers, ", ")},
	} {
		if f.value != "" {
			b.WriteString(f.name + ": " + f.value + "\n")
		}
	}
	for _, l := range sess.Links {
		b.WriteString("Slides: " + l.Title + " <" + l.URL + ">\n")
	}
	b.WriteString("\n" + text)
	return b.String()
}
