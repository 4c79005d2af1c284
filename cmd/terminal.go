package cmd

import (
	"errors"
	"os"

	"golang.org/x/term"
)

// isTerminal reports whether r or w is a terminal. A character device is
// not enough: /dev/null is one too, and output sent there must stay plain.
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}

// useColor decides whether output written to w may carry colours and other
// escape codes: --ansi always says yes, never says no; auto (the default)
// says yes only on a terminal and when NO_COLOR is unset, so no escape code
// reaches a pipe, a file or a CI log.
func useColor(deps *Deps, global *globalOptions, w any) bool {
	switch global.Ansi {
	case "always":
		return true
	case "never":
		return false
	}
	return deps.Getenv("NO_COLOR") == "" && isTerminal(w)
}

// checkTerminalInput refuses a TTY fed from input that is no terminal (a
// pipe, a file), for exec and run: raw mode and sizes need a terminal,
// and docker refuses the same.
func checkTerminalInput(deps *Deps, tty, stdin bool) error {
	if tty && stdin && !isTerminal(deps.In) {
		return errors.New("a terminal for the container needs your input to be a terminal too: add -T to run it without one")
	}
	return nil
}
