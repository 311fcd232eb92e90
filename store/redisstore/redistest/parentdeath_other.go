//go:build !linux

package redistest

import (
	"os/exec"
	"syscall"
)

// DieWithParent does nothing outside Linux, which alone has a parent-death
// signal: there a test binary killed by its -timeout may leave servers
// behind.
func DieWithParent(cmd *exec.Cmd, sig syscall.Signal) {}
