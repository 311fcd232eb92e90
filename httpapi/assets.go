package httpapi

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// asset is one built frontend file, prepared once when the server starts:
// its bytes and their gzip, each with its own strong ETag.
type asset struct {
	contentType string
	plain       []byte
	plainETag   string
	gzipped     []byte // nil when gzip would not make it smaller
	gzipETag    string
}

// assets serves the frontend's built files under /assets/. Each answer
// carries an ETag (a hash of the bytes sent) and "Cache-Control:
// no-cache", so browsers revalidate and get 304 Not Modified while the
// build is unchanged; clients that accept gzip get the compressed bytes.
type assets struct {
	files map[string]*asset // by path inside the assets FS
}

// newAssets reads every file of fsys and computes its hashes and gzip.
func newAssets(fsys fs.FS) (*assets, error) {
	a := &assets{files: map[string]*asset{}}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		f, err := newAsset(name, data)
		if err != nil {
			return err
		}
		a.files[name] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("preparing the frontend assets: %w", err)
	}
	return a, nil
}

func newAsset(name string, data []byte) (*asset, error) {
	f := &asset{contentType: mime.TypeByExtension(path.Ext(name)), plain: data, plainETag: etagOf(data, "")}
	if f.contentType == "" {
		f.contentType = http.DetectContentType(data)
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if buf.Len() < len(data) {
		f.gzipped, f.gzipETag = buf.Bytes(), etagOf(data, "-gzip")
	}
	return f, nil
}

// etagOf is a strong ETag for data; suffix tells representations of the
// same data apart.
func etagOf(data []byte, suffix string) string {
	sum := sha256.Sum256(data)
	return `"` + hex.EncodeToString(sum[:16]) + suffix + `"`
}

// serve answers GET /assets/*: the file, its gzip if the client accepts
// it, or 304 when If-None-Match names the ETag of what would be sent.
// Directories and unknown names are 404.
func (a *assets) serve(c echo.Context) error {
	f := a.files[c.Param("*")]
	if f == nil {
		return apiError(http.StatusNotFound, codeNotFound, "no such asset")
	}
	w, r := c.Response(), c.Request()
	h := w.Header()
	h.Set("Cache-Control", "no-cache")
	h.Add("Vary", "Accept-Encoding")
	h.Set("Content-Type", f.contentType)
	body, etag := f.plain, f.plainETag
	if f.gzipped != nil && acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body, etag = f.gzipped, f.gzipETag
		h.Set("Content-Encoding", "gzip")
		// ServeContent leaves Content-Length to us once Content-Encoding
		// is set (it sets it itself for ranges and drops it for 304).
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	h.Set("ETag", etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	return nil
}

// acceptsGzip reports whether an Accept-Encoding header value allows
// gzip: it names gzip (or x-gzip) with a q-value above 0, or does not name
// it but allows "*". A q-value that is not a number from 0 to 1 counts as
// 0.
func acceptsGzip(header string) bool {
	gz, star := -1.0, -1.0 // q-values; -1 while not named
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, v, ok := strings.Cut(p, "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || math.IsNaN(f) || f < 0 || f > 1 {
					f = 0
				}
				q = f
			}
		}
		switch strings.ToLower(strings.TrimSpace(coding)) {
		case "gzip", "x-gzip":
			gz = q
		case "*":
			star = q
		}
	}
	if gz >= 0 {
		return gz > 0
	}
	return star > 0
}
