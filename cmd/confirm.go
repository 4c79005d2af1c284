package cmd

import (
	"bufio"
	"fmt"
	"strings"
)

// confirmer answers the planner's questions: yes with -y; else the user at
// the terminal says; without a terminal (CI, a pipe) the answer is no, so
// nothing is lost that nobody agreed to lose. Each question is asked once:
// a command that plans again gets the first answer.
func confirmer(deps *Deps, yes bool) func(question string) bool {
	answers := map[string]bool{}
	var in *bufio.Reader
	return func(question string) bool {
		if yes {
			return true
		}
		if answer, asked := answers[question]; asked {
			return answer
		}
		if !isTerminal(deps.In) {
			return false
		}
		if in == nil {
			in = bufio.NewReader(deps.In)
		}
		fmt.Fprintf(deps.Err, "%s [y/N] ", question)
		line, _ := in.ReadString('\n')
		answer := strings.ToLower(strings.TrimSpace(line))
		answers[question] = answer == "y" || answer == "yes"
		return answers[question]
	}
}
