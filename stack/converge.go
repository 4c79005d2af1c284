package stack

import (
	"fmt"
	"time"

	"github.com/moby/moby/api/types/swarm"
)

// verdict is where one service stands against the spec berth sent.
type verdict struct {
	done bool
	// text is the progress line: "2/3 running".
	text string
	// failure, when set, ends the wait: why the service cannot converge.
	failure string
	// failed are the tasks of the sent spec that failed, newest first.
	failed []swarm.Task
}

// failedTasksLimit is how many failed tasks of the sent spec end a wait
// when swarm itself would go on retrying (restart condition any): enough
// to tell a crash loop from one unlucky start.
const failedTasksLimit = 3

// assess judges a service from one read of it and its tasks. taskHash is
// the LabelTaskHash of the tasks wanted; since is when the deploy began,
// so failures of an earlier deploy of the same spec do not count. stable
// says whether a running task has run long enough to count (nil: at once).
func assess(svc swarm.Service, tasks []swarm.Task, specHash, taskHash string, completed bool, since time.Time, stable func(swarm.Task) bool) verdict {
	us := svc.UpdateStatus
	state := swarm.UpdateState("")
	message := ""
	if us != nil {
		state, message = us.State, us.Message
	}
	var mine []swarm.Task
	for _, t := range tasks {
		if t.Spec.ContainerSpec != nil && t.Spec.ContainerSpec.Labels[LabelTaskHash] == taskHash && sameRun(svc, t) {
			mine = append(mine, t)
		}
	}
	c := verdict{failed: failedSince(mine, since)}
	if svc.Spec.Labels[LabelSpecHash] != specHash {
		switch state {
		case swarm.UpdateStateRollbackStarted:
			c.text = "rolling back"
		case swarm.UpdateStateRollbackCompleted, swarm.UpdateStateRollbackPaused:
			c.failure = "the update failed and the swarm rolled it back: " + message
		default:
			c.failure = "the service was changed by someone else while berth waited for it"
		}
		return c
	}
	if state == swarm.UpdateStatePaused {
		c.failure = "the update is paused (update_config.failure_action: pause): " + message
		return c
	}
	want := wanted(svc, mine)
	if completed {
		n := count(mine, func(t swarm.Task) bool { return t.Status.State == swarm.TaskStateComplete })
		c.text = fmt.Sprintf("%d/%d completed", n, want)
		c.done = want > 0 && n >= want
	} else {
		n := count(mine, func(t swarm.Task) bool {
			return t.DesiredState == swarm.TaskStateRunning && t.Status.State == swarm.TaskStateRunning && (stable == nil || stable(t))
		})
		c.text = fmt.Sprintf("%d/%d running", n, want)
		updating := state == swarm.UpdateStateUpdating || state == swarm.UpdateStateRollbackStarted
		// replicas: 0 is done once nothing runs; a global service with no
		// task yet is not, as the orchestrator may not have placed them.
		scaledToZero := svc.Spec.Mode.Replicated != nil && want == 0
		c.done = (want > 0 || scaledToZero) && n >= want && !updating &&
			(!scaledToZero || count(tasks, isRunning) == 0)
		if why := pendingReason(mine); !c.done && why != "" {
			c.text += " (" + why + ")"
		}
	}
	if !c.done && givesUp(svc, c.failed, want) {
		c.failure = fmt.Sprintf("%d of its tasks failed", len(c.failed))
	}
	return c
}

func isRunning(t swarm.Task) bool { return t.Status.State == swarm.TaskStateRunning }

// sameRun holds for the tasks of a job's current run: swarm runs a job
// again on every update, even one that keeps its template, and the
// completed tasks of the run before must not count.
func sameRun(svc swarm.Service, t swarm.Task) bool {
	if svc.JobStatus == nil || t.JobIteration == nil {
		return true
	}
	return t.JobIteration.Index == svc.JobStatus.JobIteration.Index
}

// pendingReason is what the swarm says of a task it cannot place yet
// ("no suitable node ..."), so a wait that will not end says why.
func pendingReason(tasks []swarm.Task) string {
	for _, t := range tasks {
		if t.Status.State == swarm.TaskStatePending && t.Status.Err != "" {
			return "pending: " + t.Status.Err
		}
	}
	return ""
}

// wanted is how many tasks of the spec should run (or complete).
func wanted(svc swarm.Service, mine []swarm.Task) int {
	m := svc.Spec.Mode
	switch {
	case m.Replicated != nil && m.Replicated.Replicas != nil:
		return int(*m.Replicated.Replicas)
	case m.ReplicatedJob != nil:
		if m.ReplicatedJob.TotalCompletions != nil {
			return int(*m.ReplicatedJob.TotalCompletions)
		}
		return 1
	}
	// Global modes: one task per eligible node, which only the tasks the
	// orchestrator made tell.
	slots := map[string]bool{}
	for _, t := range mine {
		if t.DesiredState == swarm.TaskStateRunning || t.DesiredState == swarm.TaskStateComplete {
			slots[t.NodeID] = true
		}
	}
	return len(slots)
}

// givesUp says when failed tasks end the wait. While swarm updates with
// failure_action rollback or pause, it judges failures itself, and the
// wait reads its verdict instead.
func givesUp(svc swarm.Service, failed []swarm.Task, want int) bool {
	if len(failed) == 0 {
		return false
	}
	if us := svc.UpdateStatus; us != nil && us.State == swarm.UpdateStateUpdating {
		if uc := svc.Spec.UpdateConfig; uc == nil || uc.FailureAction != swarm.UpdateFailureActionContinue {
			return false
		}
	}
	if rp := svc.Spec.TaskTemplate.RestartPolicy; rp != nil && rp.Condition == swarm.RestartPolicyConditionNone {
		return true
	}
	return len(failed) >= max(failedTasksLimit, want)
}

func failedSince(tasks []swarm.Task, since time.Time) []swarm.Task {
	var out []swarm.Task
	for _, t := range tasks {
		switch t.Status.State {
		case swarm.TaskStateFailed, swarm.TaskStateRejected:
			// A second of slack: the engine's clock and this one differ.
			if !t.CreatedAt.Before(since.Add(-time.Second)) {
				out = append(out, t)
			}
		}
	}
	return out
}

func count(tasks []swarm.Task, ok func(swarm.Task) bool) int {
	n := 0
	for _, t := range tasks {
		if ok(t) {
			n++
		}
	}
	return n
}
