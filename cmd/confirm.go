package cmd

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// confirmer answers the planner's questions: yes with -y; else the user at
// the terminal says; without a terminal (CI, a pipe) the answer is no, so
// nothing is lost that nobody agreed to lose.
func confirmer(deps *Deps, yes bool) func(question string) bool {
	return func(question string) bool {
		if yes {
			return true
		}
		if !isTerminal(deps.In) {
			return false
		}
		fmt.Fprintf(deps.Err, "%s [y/N] ", question)
		line, _ := bufio.NewReader(deps.In).ReadString('\n')
		answer := strings.ToLower(strings.TrimSpace(line))
		return answer == "y" || answer == "yes"
	}
}

// isTerminal reports whether r is a terminal (a character device).
func isTerminal(r any) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
