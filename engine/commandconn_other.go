//go:build !unix

package engine

import "os/exec"

// detach has nothing to do where a Ctrl-C is not a process-group signal.
func detach(*exec.Cmd) {}
