package cmd

import (
	"errors"
	"strconv"

	"github.com/berth-compose/berth/convergence"
)

// ignoreOrphans applies COMPOSE_IGNORE_ORPHANS to up and create: the
// orphans are left out of the snapshot, so the plan neither warns about
// them nor removes them. docker compose reads it from the project's
// environment (the process's, then .env), and refuses it beside
// --remove-orphans, which asks for the opposite.
func ignoreOrphans(s *session, o *convergence.Observed, removeOrphans bool) (*convergence.Observed, error) {
	if on, _ := strconv.ParseBool(s.project.Environment["COMPOSE_IGNORE_ORPHANS"]); !on {
		return o, nil
	}
	if removeOrphans {
		return nil, errors.New("COMPOSE_IGNORE_ORPHANS keeps orphans out of up, and --remove-orphans (or COMPOSE_REMOVE_ORPHANS) asks to remove them: unset one of the two")
	}
	return convergence.WithoutOrphans(s.project, o), nil
}
