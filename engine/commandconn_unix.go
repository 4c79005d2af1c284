//go:build unix && !linux

package engine

import (
	"os/exec"
	"syscall"
)

// detach starts the command in its own session, as the docker CLI does, so
// the SIGINT of a Ctrl-C reaches berth alone: berth winds down and still
// needs the connection for that.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
}
