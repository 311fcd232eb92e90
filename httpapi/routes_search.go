package httpapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/search"
	"github.com/confpad/confpad/site"
)

// Limits of a search request's results.
const (
	defaultSearchLimit = 10
	maxSearchLimit     = 50
)

// codeBadQuery is the error code of a search query that cannot be run.
const codeBadQuery = "bad_query"

// searcher is the server's full-text search: the index and the Indexer
// that keeps it current from the pads' commits.
type searcher struct {
	s       *Server
	index   search.Index
	indexer *search.Indexer
}

// newSearcher starts indexing every session's pad into s.cfg.Search (a
// new search.Memory if nil). In cluster mode the Indexer follows every
// pad's feed, so each replica indexes every pad, not only those its
// editors use. Texts of pads the engine has loaded are taken from it;
// the others are read from the Log, so indexing loads no pad into the
// engine and keeps none loaded.
func newSearcher(s *Server) (*searcher, error) {
	index := s.cfg.Search
	if index == nil {
		index = search.NewMemory()
	}
	indexer := search.NewIndexer(search.IndexerConfig{
		Index:  index,
		Text:   s.indexText,
		Pads:   s.sessionIDs,
		Feed:   s.cfg.Feed,
		Logger: s.log,
	})
	return &searcher{s: s, index: index, indexer: indexer}, nil
}

// close stops indexing.
func (se *searcher) close() { se.indexer.Close() }

// remove drops a deleted session's pad from the index.
func (se *searcher) remove(ctx context.Context, pad string) {
	if err := se.indexer.Remove(ctx, pad); err != nil {
		se.s.log.Warn("removing a deleted session from the search index", "pad", pad, "err", err)
	}
}

// indexText returns a pad's text and head for the index: the engine's
// copy if the pad is loaded (a busy pad is indexed every
// search.DefaultDelay, and replaying it from the log each time cost W2,
// 16 busy pads, 4 % of the server's CPU), else as the Log has them,
// without loading the pad (collab.LoadIntact, as the engine loads it).
func (s *Server) indexText(ctx context.Context, pad string) (string, int, error) {
	if text, head, ok := s.engine.LoadedText(pad); ok {
		return text, head, nil
	}
	snap, recs, err := collab.LoadIntact(ctx, s.cfg.Log, pad)
	if err != nil {
		return "", 0, err
	}
	doc, err := collab.Replay(snap, recs)
	if err != nil {
		return "", 0, fmt.Errorf("pad %q: %w", pad, err)
	}
	return doc.String(), snap.Rev + len(recs), nil
}

// sessionIDs lists the ids of every session: the pads to index.
func (s *Server) sessionIDs(ctx context.Context) ([]string, error) {
	sessions, err := s.cfg.Catalog.Sessions(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(sessions))
	for i, sess := range sessions {
		ids[i] = sess.ID
	}
	return ids, nil
}

// searchResult is one hit as the API shows it.
type searchResult struct {
	Pad        string         `json:"pad"`
	Title      string         `json:"title"`
	Line       int            `json:"line"`
	Snippet    string         `json:"snippet"`
	Highlights []search.Range `json:"highlights"`
	URL        string         `json:"url"`
	parts      []search.Part
}

// searchResults is the body of GET /api/v1/search.
type searchResults struct {
	Query   string         `json:"query"`
	Results []searchResult `json:"results"`
}

// find runs a query and returns the results, best first: each a session
// that still exists, with its title, the line of the first match and a
// snippet of it. A query that cannot be run is a 400 bad_query.
func (se *searcher) find(ctx context.Context, q string, limit int) (searchResults, error) {
	res := searchResults{Query: q, Results: []searchResult{}}
	query, err := search.ParseQuery(q)
	if err != nil {
		return res, apiError(http.StatusBadRequest, codeBadQuery, err.Error())
	}
	hits, err := se.index.Search(ctx, query, limit)
	if err != nil {
		se.s.log.Error("search failed", "err", err)
		return res, apiError(http.StatusServiceUnavailable, codeUnavailable, "search is unavailable; try again")
	}
	sessions, err := se.s.cfg.Catalog.Sessions(ctx)
	if err != nil {
		return res, catalogError(err)
	}
	titles := make(map[string]string, len(sessions))
	for _, sess := range sessions {
		titles[sess.ID] = sess.Title
	}
	for _, h := range hits {
		title, ok := titles[h.Pad]
		if !ok {
			continue // deleted; the index is told soon
		}
		res.Results = append(res.Results, searchResult{
			Pad: h.Pad, Title: title, Line: h.Snippet.Line,
			Snippet: h.Snippet.Text, Highlights: h.Snippet.Highlights,
			URL:   "/p/" + url.PathEscape(h.Pad) + "/notes#L" + strconv.Itoa(h.Snippet.Line),
			parts: h.Snippet.Parts(),
		})
	}
	return res, nil
}

// searchAPI answers GET /api/v1/search?q=...&limit=N: the sessions whose
// notes match, best first, each with the line and a snippet where the
// query matched; the snippet is plain text with highlight ranges (code
// points).
func (s *Server) searchAPI(c echo.Context) error {
	limit, err := queryInt(c, "limit", defaultSearchLimit, 1, maxSearchLimit)
	if err != nil {
		return err
	}
	res, err := s.search.find(c.Request().Context(), c.QueryParam("q"), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// searchPage serves GET /search?q=...: the search form and the results,
// each linking to its line on the notes page; no JavaScript needed.
// Without q it shows only the form; a query that cannot be run is shown
// with its reason (status 400).
func (s *Server) searchPage(c echo.Context) error {
	q := c.QueryParam("q")
	title, err := s.cfg.Catalog.Title(c.Request().Context())
	if err != nil {
		return catalogError(err)
	}
	data := site.SearchPage{Page: site.Page{Title: "Search", Site: siteTitle(title), URLs: site.LiveURLs()}, Query: q}
	status := http.StatusOK
	if _, asked := c.QueryParams()["q"]; asked {
		data.Title, data.Searched = "Search: "+q, true
		res, err := s.search.find(c.Request().Context(), q, maxSearchLimit)
		var he *httpError
		switch {
		case errors.As(err, &he) && he.Status == http.StatusBadRequest:
			data.Error, status = he.Message, http.StatusBadRequest
		case err != nil:
			return err
		}
		for _, r := range res.Results {
			data.Results = append(data.Results, site.SearchResult{Title: r.Title, URL: r.URL, Line: r.Line, Parts: r.parts})
		}
	}
	return renderPage(c, status, func(b *bytes.Buffer) error { return s.pages.Search(b, data) })
}
