package cmd

import (
	"bufio"
	"fmt"
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
