package htmlcheck

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
)

// Unzip reads every file of a zip archive (such as /export.zip) into a
// map from name to content.
func Unzip(data []byte) (map[string]string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	files := make(map[string]string, len(zr.File))
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		content, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		files[f.Name] = string(content)
	}
	return files, nil
}
