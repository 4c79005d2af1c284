package cmd

import (
	"strings"
	"testing"

	"github.com/berth-compose/berth/convergence"
	"github.com/berth-compose/berth/engine"
)

// ctr is a container of service with number n, in state.
func ctr(name, service, n string, state engine.ContainerState, oneoff bool) engine.Container {
	labels := map[string]string{convergence.LabelService: service, convergence.LabelContainerNumber: n, convergence.LabelOneoff: "False"}
	if oneoff {
		labels[convergence.LabelOneoff] = "True"
	}
	return engine.Container{Name: name, State: state, Labels: labels}
}

func TestPickServiceContainer(t *testing.T) {
	cs := []engine.Container{
		ctr("p-web-run-1", "web", "1", engine.StateRunning, true),
		ctr("p-web-10", "web", "10", engine.StateRunning, false),
		ctr("p-web-2", "web", "2", engine.StatePaused, false),
		ctr("p-web-1", "web", "1", engine.StateRunning, false),
		ctr("p-web-3", "web", "3", engine.StateExited, false),
		ctr("p-db-1", "db", "1", engine.StateExited, false),
		ctr("p-job-run-4", "job", "4", engine.StateRunning, true),
	}
	tests := []struct {
		service string
		index   int
		want    string // the container's name, or the error's text
	}{
		{"web", 0, "p-web-1"}, // the service's own before a run container of its number
		{"web", 1, "p-web-1"},
		{"web", 2, "p-web-2"}, // paused is still up
		{"web", 10, "p-web-10"},
		{"web", 3, `service "web" has no running container number 3`},
		{"db", 0, `service "db" has no running container: start it with`},
		{"job", 0, "p-job-run-4"}, // a run container when it is all there is
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			c, err := pickServiceContainer(cs, tt.service, tt.index)
			got := c.Name
			if err != nil {
				got = err.Error()
			}
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("pick(%s, %d) = %q, want %q", tt.service, tt.index, got, tt.want)
			}
		})
	}
}
