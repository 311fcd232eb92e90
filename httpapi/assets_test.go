package httpapi

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"testing"

	"github.com/confpad/confpad/frontend"
)

// TestAssetsRevalidateAndCompress: pad.js comes with an ETag, a repeated
// request with If-None-Match is 304 without a body, and a client that
// accepts gzip gets the same bytes compressed, under another ETag.
func TestAssetsRevalidateAndCompress(t *testing.T) {
	ts := newTestServer(t, Config{})
	want, err := fs.ReadFile(frontend.Assets(), "pad.js")
	if err != nil {
		t.Fatal(err)
	}
	// A transport that neither asks for gzip nor decompresses by itself.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	t.Cleanup(client.CloseIdleConnections)
	get := func(header ...string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest("GET", ts.http.URL+"/assets/pad.js", nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, body
	}

	res, body := get()
	etag := res.Header.Get("ETag")
	switch {
	case res.StatusCode != 200 || !bytes.Equal(body, want):
		t.Fatalf("plain: status %d, %d bytes, want 200 and %d bytes", res.StatusCode, len(body), len(want))
	case etag == "" || res.Header.Get("Content-Encoding") != "":
		t.Fatalf("plain: ETag %q, Content-Encoding %q", etag, res.Header.Get("Content-Encoding"))
	case !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript"):
		t.Errorf("plain: Content-Type %q", res.Header.Get("Content-Type"))
	case !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding"):
		t.Errorf("plain: Vary %q", res.Header.Get("Vary"))
	}
	if res, body := get("If-None-Match", etag); res.StatusCode != http.StatusNotModified || len(body) != 0 {
		t.Errorf("revalidation: status %d with %d bytes, want 304 and none", res.StatusCode, len(body))
	}

	res, body = get("Accept-Encoding", "br;q=1, gzip;q=0.8")
	gzETag := res.Header.Get("ETag")
	if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "gzip" || gzETag == "" || gzETag == etag {
		t.Fatalf("gzip: status %d, Content-Encoding %q, ETag %q (plain %q)", res.StatusCode, res.Header.Get("Content-Encoding"), gzETag, etag)
	}
	if len(body) >= len(want)/2 || res.Header.Get("Content-Length") != itoa(len(body)) {
		t.Errorf("gzip: %d bytes (Content-Length %s) for %d plain", len(body), res.Header.Get("Content-Length"), len(want))
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("gzip body decompresses to %d bytes (%v), want pad.js", len(got), err)
	}
	if res, _ := get("Accept-Encoding", "gzip", "If-None-Match", gzETag); res.StatusCode != http.StatusNotModified {
		t.Errorf("gzip revalidation: status %d, want 304", res.StatusCode)
	}
	if res, _ := get("Accept-Encoding", "gzip;q=0", "If-None-Match", gzETag); res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 with the gzip ETag: status %d, Content-Encoding %q, want the plain file", res.StatusCode, res.Header.Get("Content-Encoding"))
	}
	if res, _ := get(); res.Header.Get("ETag") != etag {
		t.Errorf("ETag changed from %q to %q between requests", etag, res.Header.Get("ETag"))
	}
}

func TestAcceptsGzip(t *testing.T) {
	cases := []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"GZip", true},
		{"x-gzip", true},
		{"gzip, deflate, br", true},
		{"br, gzip;q=0.5", true},
		{"deflate, br", false},
		{"gzip;q=0", false},
		{"gzip; q=0.000", false},
		{"gzip;q=1.0", true},
		{"gzip;q=nonsense", false},
		{"gzip;q=2", false},
		{"gzip;q=NaN", false},
		{"*", true},
		{"*;q=0", false},
		{"*, gzip;q=0", false},
		{"br;q=1, *;q=0.1", true},
		{"gzipped", false},
		{",,;;=,", false},
	}
	for _, tc := range cases {
		if got := acceptsGzip(tc.header); got != tc.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tc.header, got, tc.want)
		}
	}
}

// FuzzAcceptsGzip: the Accept-Encoding parser never panics, accepts only
// headers that name gzip or *, and always accepts a plain "gzip" coding
// at the front.
func FuzzAcceptsGzip(f *testing.F) {
	for _, seed := range []string{"gzip, deflate, br", "br;q=1, gzip;q=0.5", "*;q=0", "gzip;q=0", "x-gzip;Q=1e-3"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		got := acceptsGzip(header)
		lower := strings.ToLower(header)
		if got && !strings.Contains(lower, "gzip") && !strings.Contains(lower, "*") {
			t.Fatalf("accepts gzip in %q", header)
		}
		if !strings.Contains(lower, "gzip") && !acceptsGzip("gzip,"+header) {
			t.Fatalf("refuses gzip in %q", "gzip,"+header)
		}
	})
}
