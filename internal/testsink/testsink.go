// Package testsink collects what code under test writes (its logs, its
// stderr) so that a test can read it, safely while other goroutines still
// write.
package testsink

import (
	"bytes"
	"sync"
)

// Buffer is an io.Writer whose contents can be read at any time; the zero
// value is ready to use.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
