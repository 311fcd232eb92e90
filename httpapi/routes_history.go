package httpapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/confpad/confpad/authors"
	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/etherpad"
	"github.com/confpad/confpad/protocol"
)

// Limits of the history routes: revisions per page, and the size of an
// imported file (a pad of the default 2 Mi code points, in UTF-8, with an
// Etherpad file's history around it).
const (
	defaultRevisionsPage = 100
	maxRevisionsPage     = 1000
	maxImportBytes       = 16 << 20
)

// Authors of the ops that the HTTP routes commit, until requests carry
// an author identity: a restore by the admin token, one by an editor, an
// import.
const (
	restoreAuthor       = "admin"
	editorRestoreAuthor = "restore"
	importAuthor        = "import"
)

// importPath is the route of imports, which take larger bodies than the
// rest of the API.
const importPath = "/api/v1/pads/:id/import"

var errImportTooLarge = apiError(http.StatusRequestEntityTooLarge, codeTooLarge, "the file is larger than 16 MiB")

// noSuchRevision is the error for a revision after the head.
func noSuchRevision(rev, head int) error {
	return apiError(http.StatusNotFound, codeNotFound,
		"revision "+strconv.Itoa(rev)+" does not exist: this pad has revisions 0 to "+strconv.Itoa(head))
}

// revisionError maps an engine error about revision rev: one after the
// head is 404 with the valid range, others as engineHTTPError.
func revisionError(err error, rev, head int) error {
	var ce *collab.Error
	if errors.As(err, &ce) && ce.Code == collab.CodeRevAhead {
		return noSuchRevision(rev, head)
	}
	return engineHTTPError(err)
}

// revisionJSON is one revision in GET /api/v1/pads/:id/revisions.
type revisionJSON struct {
	Rev      int       `json:"rev"`
	Time     time.Time `json:"time"`
	Author   string    `json:"author"`
	Inserted int       `json:"inserted"`
	Deleted  int       `json:"deleted"`
}

// revisionsJSON is the answer of GET /api/v1/pads/:id/revisions.
type revisionsJSON struct {
	Head      int            `json:"head"`
	Revisions []revisionJSON `json:"revisions"`
	// Next is the from of the next page; absent on the last page.
	Next *int `json:"next,omitempty"`
}

// queryInt reads the query parameter name as an integer from lo to hi,
// def if it is absent.
func queryInt(c echo.Context, name string, def, lo, hi int) (int, error) {
	q := c.QueryParam(name)
	if q == "" {
		return def, nil
	}
	v, err := strconv.Atoi(q)
	if err != nil || v < lo || v > hi {
		return 0, apiError(http.StatusBadRequest, codeBadRequest,
			name+" must be a number from "+strconv.Itoa(lo)+" to "+strconv.Itoa(hi))
	}
	return v, nil
}

// listRevisions answers GET /api/v1/pads/:id/revisions?from=F&limit=N:
// the revisions after F (default 0), at most N (default 100, at most
// 1000), oldest first, each with its time, author and the characters it
// inserted and deleted.
func (s *Server) listRevisions(c echo.Context) error {
	from, err := queryInt(c, "from", 0, 0, collab.MaxCount)
	if err != nil {
		return err
	}
	limit, err := queryInt(c, "limit", defaultRevisionsPage, 1, maxRevisionsPage)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	sess, err := s.cfg.Catalog.Session(ctx, c.Param("id"))
	if err != nil {
		return catalogError(err)
	}
	recs, head, err := s.engine.Records(ctx, sess.ID, from, limit)
	if err != nil {
		return revisionError(err, from, head)
	}
	out := revisionsJSON{Head: head, Revisions: make([]revisionJSON, len(recs))}
	for i, r := range recs {
		out.Revisions[i] = revisionJSON{Rev: r.Rev, Time: r.Time.UTC(), Author: r.Author, Inserted: r.Op.InsertLen(), Deleted: r.Op.DeleteLen()}
	}
	if next := from + len(recs); next < head {
		out.Next = &next
	}
	return c.JSON(http.StatusOK, out)
}

// changeJSON is the answer of restore and import: the revision the change
// became (the head, if it changed nothing) and its size.
type changeJSON struct {
	Rev      int `json:"rev"`
	Inserted int `json:"inserted"`
	Deleted  int `json:"deleted"`
}

// restoreRequest is the body of POST /api/v1/pads/:id/restore.
type restoreRequest struct {
	Rev *int `json:"rev"`
}

// restoreJSON is the answer of POST /api/v1/pads/:id/restore.
type restoreJSON struct {
	changeJSON
	Restored int `json:"restored"`
}

// restore answers POST /api/v1/pads/:id/restore {"rev": R}: one new op
// turns the head text into revision R's text, committed like an edit, so
// that live editors see it and edits made meanwhile are kept. Whoever may
// edit the session may restore (mayEdit: everyone under the open policy,
// the edit link's holders under the link policy, the admin). 404 for a
// revision that does not exist, 409 on an archived session.
func (s *Server) restore(c echo.Context) error {
	var req restoreRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Rev == nil || *req.Rev < 0 {
		return apiError(http.StatusBadRequest, codeBadRev, "rev must be a revision number >= 0")
	}
	sess, current, head, err := s.editableText(c)
	if err != nil {
		return err
	}
	if !s.mayEdit(c, sess) {
		return errViewOnly()
	}
	// The diff applies to current, at head; the pad may have moved since.
	old, latest, err := s.engine.Text(c.Request().Context(), sess.ID, *req.Rev)
	if err != nil {
		return revisionError(err, *req.Rev, latest)
	}
	author := editorRestoreAuthor
	if s.hasAdminToken(c.Request()) {
		author = restoreAuthor
	}
	res, err := s.commitChange(c, sess.ID, head, collab.Diff(current, old), author, nil)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, restoreJSON{changeJSON: res, Restored: *req.Rev})
}

// editableText reads the session of the request's pad, refusing an
// archived one, and its pad's text and head; errors are HTTP errors.
func (s *Server) editableText(c echo.Context) (conference.Session, string, int, error) {
	ctx := c.Request().Context()
	sess, err := s.cfg.Catalog.Session(ctx, c.Param("id"))
	if err != nil {
		return sess, "", 0, catalogError(err)
	}
	if sess.State == conference.StateArchived {
		return sess, "", 0, apiError(http.StatusConflict, protocol.ReadOnly, "this session is archived and read-only")
	}
	text, head, err := s.engine.Text(ctx, sess.ID, -1)
	if err != nil {
		return sess, "", 0, engineHTTPError(err)
	}
	return sess, text, head, nil
}

// commitChange submits op, made on revision base, to the pad as a new
// client of its own, by author, with runs, if not nil, saying who wrote
// the characters it inserts (collab.Submission.Runs); an empty op commits
// nothing.
func (s *Server) commitChange(c echo.Context, pad string, base int, op collab.Op, author string, runs []collab.Run) (changeJSON, error) {
	if op.Len() == 0 {
		return changeJSON{Rev: base}, nil
	}
	res, err := s.engine.Submit(c.Request().Context(), pad, collab.Submission{
		Client: author + "-" + uuid.NewString(), Seq: 1, Author: author, Runs: runs, Base: base, Op: op,
		// An admin's change is one op, as large as a pad: the per-op
		// limit is for clients typing.
		Bulk: true,
	})
	if err != nil {
		return changeJSON{}, engineHTTPError(err)
	}
	if !res.Duplicate {
		s.authorNotes.noteOp(pad, author, author, "", time.Now())
	}
	return changeJSON{Rev: res.Rev, Inserted: res.Op.InsertLen(), Deleted: res.Op.DeleteLen()}, nil
}

// importJSON is the answer of POST /api/v1/pads/:id/import.
type importJSON struct {
	changeJSON
	Mode   string `json:"mode"`
	Format string `json:"format"`
	// At is where the imported text starts in the pad at Rev, and
	// Characters its length, in code points.
	At         int `json:"at"`
	Characters int `json:"characters"`
	// Etherpad is what an .etherpad file said about the text's authors.
	Etherpad *etherpadJSON `json:"etherpad,omitempty"`
}

// etherpadJSON describes an imported Etherpad pad.
type etherpadJSON struct {
	Pad     string               `json:"pad"`
	Head    int                  `json:"head"`
	Authors []etherpadAuthorJSON `json:"authors"`
	// Attribution is who wrote each character of the imported text, in
	// Etherpad's author ids ("" for none), from At on.
	Attribution []collab.Run `json:"attribution"`
}

// etherpadAuthorJSON is an author of an imported Etherpad pad, with the
// characters of the imported text they wrote.
type etherpadAuthorJSON struct {
	// ID is the author's id in the file, Author their public author id
	// in confpad (protocol.EtherpadAuthorID).
	ID     string `json:"id"`
	Author string `json:"author"`
	Name   string `json:"name"`
	// Color is the file's colour, or if it gives none (or an index into
	// Etherpad's palette), one picked from Author as for a join without.
	Color      string `json:"color"`
	Characters int    `json:"characters"`
}

// runs returns who wrote each character of the imported text in confpad's
// author ids, after prefix characters of the importer's: the file's
// authors by their public author id, characters without an author the
// importer's.
func (ep *etherpadJSON) runs(prefix int) []collab.Run {
	runs := []collab.Run{{Author: importAuthor, Len: prefix}}
	for _, r := range ep.Attribution {
		author := importAuthor
		if r.Author != "" {
			author = protocol.EtherpadAuthorID(r.Author)
		}
		runs = append(runs, collab.Run{Author: author, Len: r.Len})
	}
	return collab.NewAttribution(runs...).Runs()
}

// importText answers POST /api/v1/pads/:id/import?mode=append|replace
// &format=text|markdown|etherpad: the body's text becomes one op that
// appends it to the pad (default) or replaces the pad's text with it. The
// format defaults to etherpad for a JSON body and text otherwise.
//
// The op is the importer's (importAuthor); an .etherpad file's text keeps
// its authors: the op's runs give each character to its author in the
// file, under the public id protocol.EtherpadAuthorID gives, and the
// author table learns their names and colours. A replace by an .etherpad
// file replaces the whole text, so that all of it has the file's
// attribution; other replaces change only what differs.
func (s *Server) importText(c echo.Context) error {
	mode := c.QueryParam("mode")
	if mode == "" {
		mode = "append"
	}
	if mode != "append" && mode != "replace" {
		return apiError(http.StatusBadRequest, codeBadRequest, `mode must be "append" or "replace"`)
	}
	format := c.QueryParam("format")
	if format == "" {
		format = "text"
		if strings.HasPrefix(c.Request().Header.Get("Content-Type"), "application/json") {
			format = "etherpad"
		}
	}
	if format != "text" && format != "markdown" && format != "etherpad" {
		return apiError(http.StatusBadRequest, codeBadRequest, `format must be "text", "markdown" or "etherpad"`)
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errImportTooLarge
		}
		return apiError(http.StatusBadRequest, codeBadRequest, "reading the file: "+err.Error())
	}
	text, ep, err := importedText(body, format)
	if err != nil {
		return err
	}
	sess, current, head, err := s.editableText(c)
	if err != nil {
		return err
	}
	out := importJSON{Mode: mode, Format: format, Characters: utf8.RuneCountInString(text), Etherpad: ep}
	var op collab.Op
	prefix := 0 // characters the import adds before the file's text
	switch {
	case mode == "replace" && ep != nil:
		op = replaceAll(current, text)
	case mode == "replace":
		op = collab.Diff(current, text)
	default:
		if current != "" && !strings.HasSuffix(current, "\n") && text != "" {
			text = "\n" + text
			out.At++
			prefix = 1
		}
		n := utf8.RuneCountInString(current)
		out.At += n
		op = collab.Normalize(collab.NewOp(collab.Skip(n), collab.Insert(text)))
	}
	var runs []collab.Run
	if ep != nil {
		runs = ep.runs(prefix)
	}
	if out.changeJSON, err = s.commitChange(c, sess.ID, head, op, importAuthor, runs); err != nil {
		return err
	}
	if ep != nil {
		s.noteImportedAuthors(c.Request().Context(), sess.ID, ep)
	}
	return c.JSON(http.StatusOK, out)
}

// replaceAll returns the op that deletes all of current and inserts text.
func replaceAll(current, text string) collab.Op {
	var cs []collab.Component
	if n := utf8.RuneCountInString(current); n > 0 {
		cs = append(cs, collab.Delete(n))
	}
	return collab.NewOp(append(cs, collab.Insert(text))...)
}

// noteImportedAuthors writes the names and colours of the authors of an
// imported .etherpad file who wrote some of its text to the author table
// (they made no op here: their counts of ops and edit times stay as they
// were). What cannot be written now stays pending for the next flush.
func (s *Server) noteImportedAuthors(ctx context.Context, pad string, ep *etherpadJSON) {
	for _, a := range ep.Authors {
		if a.Characters > 0 {
			s.authorNotes.note(pad, authors.Author{ID: a.Author, Name: a.Name, Color: a.Color})
		}
	}
	if err := s.authorNotes.flush(ctx, pad); err != nil {
		s.log.Warn("writing the author table failed", "pad", pad, "err", err)
	}
}

// importedText returns the text of an imported file in format, and for an
// .etherpad file what it says about authors; errors are HTTP errors.
func importedText(body []byte, format string) (string, *etherpadJSON, error) {
	if format == "etherpad" {
		pad, err := etherpad.Parse(body)
		if err != nil {
			return "", nil, apiError(http.StatusBadRequest, codeBadRequest, "not a valid .etherpad file: "+err.Error())
		}
		info, err := etherpadInfo(pad)
		return pad.Text, info, err
	}
	if !utf8.Valid(body) {
		return "", nil, apiError(http.StatusBadRequest, codeBadRequest, "the file is not UTF-8 text")
	}
	text := strings.TrimPrefix(string(body), "\ufeff")
	return strings.ReplaceAll(text, "\r\n", "\n"), nil, nil
}

// etherpadInfo describes the authors of an imported Etherpad pad; their
// names and colours must pass the checks of a name and colour given at
// join. An author the file names without a globalAuthor record has no
// name.
func etherpadInfo(pad *etherpad.Pad) (*etherpadJSON, error) {
	chars := map[string]int{}
	for _, r := range pad.Attribution {
		chars[r.Author] += r.Len
	}
	out := &etherpadJSON{Pad: pad.ID, Head: pad.Head, Attribution: pad.Attribution, Authors: make([]etherpadAuthorJSON, len(pad.Authors))}
	if out.Attribution == nil {
		out.Attribution = []collab.Run{}
	}
	for i, a := range pad.Authors {
		name, err := protocol.CleanName(a.Name)
		if err != nil {
			return nil, apiError(http.StatusBadRequest, codeBadRequest, "not a valid .etherpad file: the name of author "+a.ID+" "+err.Error())
		}
		author := protocol.EtherpadAuthorID(a.ID)
		color := protocol.DefaultColor(author)
		if a.Color != "" {
			if color, err = protocol.CleanColor(a.Color); err != nil {
				return nil, apiError(http.StatusBadRequest, codeBadRequest, "not a valid .etherpad file: the colour of author "+a.ID+" "+err.Error())
			}
		}
		out.Authors[i] = etherpadAuthorJSON{ID: a.ID, Author: author, Name: name, Color: color, Characters: chars[a.ID]}
	}
	return out, nil
}
