package redistest

import (
	"os/exec"
	"syscall"
)

// DieWithParent makes the kernel send sig to cmd's process when the test
// process dies (Linux's parent-death signal), so that a test binary killed
// by its -timeout, whose cleanups never run, leaves no server behind. Call
// it before cmd.Start; other SysProcAttr fields are kept.
func DieWithParent(cmd *exec.Cmd, sig syscall.Signal) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = sig
}
