package stack

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/moby/moby/api/types/swarm"

	"github.com/berth-compose/berth/progress"
)

// tasksShown and logLines bound what a failure quotes.
const (
	tasksShown = 3
	logLines   = 10
)

// wait follows a service until it has converged on the spec the plan
// sent, showing its counts as they change.
func (a *applier) wait(ctx context.Context, act Action) error {
	id := act.TargetID
	if created := a.id("service:" + act.Service); created != "" {
		id = created
	}
	last, cause := "", ""
	stable := a.stability(act)
	for {
		svc, err := a.e.InspectService(ctx, id)
		if err != nil {
			return err
		}
		tasks, err := a.e.ListTasks(ctx, id)
		if err != nil {
			return err
		}
		c := assess(svc, tasks, act.SpecHash, act.TaskHash, act.Completed, a.start, stable)
		// The swarm says why it rolls back only while it does; once done
		// its message is just "rollback completed".
		if us := svc.UpdateStatus; us != nil && us.State == swarm.UpdateStateRollbackStarted && us.Message != "" {
			cause = us.Message
		}
		if c.failure != "" && cause != "" {
			c.failure += " (" + cause + ")"
		}
		if c.failure != "" {
			return a.failure(ctx, svc.Spec.Name, c)
		}
		if c.done {
			a.emit(act, progress.Done, doneText(c.text), nil)
			return nil
		}
		if c.text != last {
			a.emit(act, progress.Working, c.text, nil)
			last = c.text
		}
		if err := sleep(ctx, a.opts.Poll); err != nil {
			return err
		}
	}
}

// stability says when a running task of a service this plan created or
// updated counts: once this wait has seen it running for Stable. A task
// whose command exits at once is reported running for a moment, and the
// swarm then restarts it; without the window such a crash loop would pass
// for a converged service. Tasks of a service the plan left alone ran
// before the deploy began, and count at once.
func (a *applier) stability(act Action) func(swarm.Task) bool {
	touched := slices.ContainsFunc(act.After, func(id string) bool {
		k := a.byID[id].Kind
		return k == CreateService || k == UpdateService
	})
	if !touched || a.opts.Stable <= 0 {
		return nil
	}
	seen := map[string]time.Time{} // task → when this wait first saw it running
	return func(t swarm.Task) bool {
		first, ok := seen[t.ID]
		if !ok {
			seen[t.ID] = a.opts.Now()
			return false
		}
		return a.opts.Now().Sub(first) >= a.opts.Stable
	}
}

// doneText turns "3/3 running" into "Running 3/3".
func doneText(text string) string {
	counts, state, ok := strings.Cut(text, " ")
	if !ok || state == "" {
		return text
	}
	return strings.ToUpper(state[:1]) + state[1:] + " " + counts
}

// ConvergeError is a service that could not converge: why, and the failed
// tasks with what they said.
type ConvergeError struct {
	Reason string
	Tasks  []TaskFailure
}

// TaskFailure is one failed task, as a user needs to see it.
type TaskFailure struct {
	Name, ID, Node, State, Err string
	Logs                       string // its last lines of output
}

func (e *ConvergeError) Error() string {
	var b strings.Builder
	b.WriteString(e.Reason)
	for _, t := range e.Tasks {
		fmt.Fprintf(&b, "\n  task %s (%s) on node %s: %s: %s", t.Name, t.ID, t.Node, t.State, t.Err)
		if logs := strings.TrimRight(t.Logs, "\n"); logs != "" {
			b.WriteString("\n    its last output:")
			for _, l := range strings.Split(logs, "\n") {
				b.WriteString("\n    | " + l)
			}
		}
	}
	return b.String()
}

// failure gathers the newest failed tasks, their nodes and the output of
// the newest.
func (a *applier) failure(ctx context.Context, service string, c verdict) error {
	e := &ConvergeError{Reason: c.failure}
	nodes := map[string]string{}
	if list, err := a.e.ListNodes(ctx); err == nil {
		for _, n := range list {
			nodes[n.ID] = n.Description.Hostname
		}
	}
	for i, t := range c.failed {
		if i == tasksShown {
			break
		}
		f := TaskFailure{Name: taskName(service, t), ID: shortID(t.ID), Node: orKey(nodes[t.NodeID], t.NodeID), State: string(t.Status.State), Err: orKey(t.Status.Err, t.Status.Message)}
		if i == 0 {
			f.Logs, _ = a.e.TaskLogs(ctx, t.ID, logLines)
		}
		e.Tasks = append(e.Tasks, f)
	}
	return e
}

// taskName is the name docker gives a task: service.slot, or service.node
// for global ones.
func taskName(svc string, t swarm.Task) string {
	if t.Slot > 0 {
		return fmt.Sprintf("%s.%d", svc, t.Slot)
	}
	return svc + "." + t.NodeID
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
