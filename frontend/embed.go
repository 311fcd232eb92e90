// Package frontend embeds the built browser assets (frontend/dist) so that
// the Go binary serves the editor without Node at run time.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed dist
var dist embed.FS

// Assets returns the built assets: pad.html (the editor page shell),
// pad.js and pad.css, served by httpapi under /assets/.
func Assets() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory exists
	}
	return sub
}
