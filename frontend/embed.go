// Package frontend embeds the built browser assets (frontend/dist) so that
// the Go binary serves the editor without Node at run time.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed dist
var dist embed.FS

// Assets returns the built assets, served by httpapi under /assets/:
// pad.html (the editor page shell, served for GET /p/{id}; it reads the pad
// id from the path), pad.js and pad.css (the editor, which links
// /assets/pad.js and /assets/pad.css), and site.css (the shared colours,
// type, cards, badges and Markdown styles, for server-rendered pages).
// Rebuild with `cd frontend && npm ci && npm run build`.
func Assets() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory exists
	}
	return sub
}
