package enginetest

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/berth-compose/berth/engine"
	"github.com/moby/moby/api/types/swarm"
)

// TaskScript decides what becomes of a service's new task: it gets the
// spec the task is made for and its slot (0 for a task per node) and
// returns the task's status. A zero State keeps the default: running, or
// complete for a job. The fake fills in Timestamp, Message and the
// container's id where the script leaves them out. It runs with the
// Fake's lock held, so it must not call the Fake.
type TaskScript func(spec swarm.ServiceSpec, slot int) swarm.TaskStatus

// ScriptTasks sets what becomes of the new tasks of the service named
// service, from its next create or update on: fail them, keep them
// starting. The spec a script gets tells an update from the rollback after
// it. A nil script brings the default back.
func (f *Fake) ScriptTasks(service string, script TaskScript) *Fake {
	f.mu.Lock()
	defer f.mu.Unlock()
	if script == nil {
		delete(f.swarm.scripts, service)
	} else {
		f.swarm.scripts[service] = script
	}
	return f
}

// TaskFailed is the status of a task whose command exited with code, as
// the engine words it.
func TaskFailed(code int) swarm.TaskStatus {
	return swarm.TaskStatus{
		State:           swarm.TaskStateFailed,
		Err:             fmt.Sprintf("task: non-zero exit (%d)", code),
		ContainerStatus: &swarm.ContainerStatus{ExitCode: code},
	}
}

// SetTaskStatus moves a task on, as its node would report it: a task kept
// starting by a script may now run, or fail. An update waiting on the task
// then completes, pauses or rolls back. It is not recorded and ignores
// Fail and OnCall.
func (f *Fake) SetTaskStatus(taskID string, st swarm.TaskStatus) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.task(taskID)
	if !ok {
		return fmt.Errorf("setting the status of task %s: %w", taskID, engine.ErrNotFound.WithMessage(fmt.Sprintf("task %s not found", taskID)))
	}
	t.Status = f.completeStatus(st)
	t.Version = f.swarm.write()
	t.UpdatedAt = t.Status.Timestamp
	if rec, ok := f.swarm.services[t.ServiceID]; ok {
		f.settle(rec)
	}
	return nil
}

// task finds a task by id or unique id prefix. The caller holds the
// Fake's lock.
func (f *Fake) task(ref string) (*swarm.Task, bool) {
	if ref == "" {
		return nil, false
	}
	return lookup(f.swarm.tasks, ref, func(t *swarm.Task) string { return t.ID })
}

// Tasks returns the tasks of the service named service (or with that id),
// newest first, for tests to check the end state: it is not recorded and
// never fails.
func (f *Fake) Tasks(service string) []swarm.Task {
	f.mu.Lock()
	defer f.mu.Unlock()
	rec, err := f.service(service)
	if err != nil {
		return nil
	}
	return f.tasksOf(rec.svc.ID)
}

// ListTasks lists every task of the service serviceID (an id or name),
// newest first. Unlike the engine, which prunes a slot's history to a few
// tasks, the fake keeps them all while the service exists.
func (f *Fake) ListTasks(ctx context.Context, serviceID string) ([]swarm.Task, error) {
	asking := "listing the tasks of service " + serviceID
	if err := f.swarmBegin(ctx, "ListTasks", serviceID, asking); err != nil {
		return nil, err
	}
	defer f.mu.Unlock()
	rec, err := f.service(serviceID)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", asking, err)
	}
	return f.tasksOf(rec.svc.ID), nil
}

func (f *Fake) tasksOf(serviceID string) []swarm.Task {
	out := []swarm.Task{}
	for _, t := range f.swarm.tasks {
		if t.ServiceID == serviceID {
			out = append(out, clone(*t))
		}
	}
	slices.SortFunc(out, func(a, b swarm.Task) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// place makes the tasks the service's spec asks for now, and returns the
// new ones in order. With replace, every task meant to run is shut down
// first and made anew from the spec; without, only the missing ones are
// made and those beyond the replica count shut down. A job's tasks are
// always made anew: each create or update runs it again. The caller holds
// the Fake's lock.
func (f *Fake) place(rec *serviceRecord, replace bool) []string {
	mode := rec.svc.Spec.Mode
	ready := f.swarm.readyNodes()
	var started []string
	start := func(slot int, node *swarm.Node) { started = append(started, f.newTask(rec, slot, node)) }
	switch {
	case mode.ReplicatedJob != nil:
		for slot := 1; slot <= int(*mode.ReplicatedJob.TotalCompletions); slot++ {
			start(slot, nodeForSlot(ready, slot))
		}
	case mode.GlobalJob != nil:
		for i := range ready {
			start(0, &ready[i])
		}
	case mode.Global != nil:
		have := map[string]bool{}
		for _, t := range f.liveTasks(rec) {
			if replace {
				f.shutdown(t)
			} else {
				have[t.NodeID] = true
			}
		}
		for i := range ready {
			if !have[ready[i].ID] {
				start(0, &ready[i])
			}
		}
	default:
		replicas := int(*mode.Replicated.Replicas)
		have := map[int]bool{}
		for _, t := range f.liveTasks(rec) {
			if replace || t.Slot > replicas {
				f.shutdown(t)
			} else {
				have[t.Slot] = true
			}
		}
		for slot := 1; slot <= replicas; slot++ {
			if !have[slot] {
				start(slot, nodeForSlot(ready, slot))
			}
		}
	}
	return started
}

// nodeForSlot spreads replicas over the ready nodes in turn; nil when no
// node is ready.
func nodeForSlot(ready []swarm.Node, slot int) *swarm.Node {
	if len(ready) == 0 {
		return nil
	}
	return &ready[(slot-1)%len(ready)]
}

// liveTasks are the service's tasks meant to run, by slot and node, so
// that shutting them down goes in a stable order.
func (f *Fake) liveTasks(rec *serviceRecord) []*swarm.Task {
	var out []*swarm.Task
	for _, t := range f.swarm.tasks {
		if t.ServiceID == rec.svc.ID && t.DesiredState == swarm.TaskStateRunning {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b *swarm.Task) int {
		return cmp.Or(cmp.Compare(a.Slot, b.Slot), cmp.Compare(a.NodeID, b.NodeID), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// newTask makes one task of the service's current spec on node (nil: no
// node is ready, and it waits), with the status its script gives it.
func (f *Fake) newTask(rec *serviceRecord, slot int, node *swarm.Node) string {
	spec := rec.svc.Spec
	job := isJob(spec.Mode)
	st := swarm.TaskStatus{State: swarm.TaskStateRunning}
	desired := swarm.TaskStateRunning
	if job {
		st.State, desired = swarm.TaskStateComplete, swarm.TaskStateComplete
	}
	if script := f.swarm.scripts[spec.Name]; script != nil {
		if s := script(clone(spec), slot); s.State != "" {
			st = s
		}
	}
	t := &swarm.Task{
		ID:           f.swarmID("task"),
		Annotations:  swarm.Annotations{Labels: map[string]string{}},
		Spec:         clone(spec.TaskTemplate),
		ServiceID:    rec.svc.ID,
		Slot:         slot,
		DesiredState: desired,
	}
	// A task's spec leaves the runtime out, as the engine's does.
	t.Spec.Runtime = ""
	if node != nil {
		t.NodeID = node.ID
	} else {
		st = swarm.TaskStatus{State: swarm.TaskStatePending, Message: "pending task scheduling", Err: "no suitable node (no node is ready)"}
	}
	t.Status = f.completeStatus(st)
	now := f.now()
	t.Meta = swarm.Meta{Version: f.swarm.write(), CreatedAt: now, UpdatedAt: now}
	if job {
		iteration := rec.svc.JobStatus.JobIteration
		t.JobIteration = &iteration
	}
	f.swarm.tasks[t.ID] = t
	return t.ID
}

// completeStatus fills in what a node reports along with a state: when,
// the message, and the container once there is one. The caller holds the
// Fake's lock.
func (f *Fake) completeStatus(st swarm.TaskStatus) swarm.TaskStatus {
	st = clone(st)
	if st.Timestamp.IsZero() {
		st.Timestamp = f.now()
	}
	if st.Message == "" {
		st.Message = stateMessages[st.State]
	}
	switch st.State {
	case swarm.TaskStateStarting, swarm.TaskStateRunning, swarm.TaskStateComplete, swarm.TaskStateFailed:
		if st.ContainerStatus == nil {
			st.ContainerStatus = &swarm.ContainerStatus{}
		}
		if st.ContainerStatus.ContainerID == "" {
			st.ContainerStatus.ContainerID = f.newID("container")
		}
	}
	return st
}

// stateMessages are the messages the engine gives a task's states.
var stateMessages = map[swarm.TaskState]string{
	swarm.TaskStatePending:   "pending task scheduling",
	swarm.TaskStateAssigned:  "scheduler assigned task to node",
	swarm.TaskStateAccepted:  "accepted",
	swarm.TaskStatePreparing: "preparing",
	swarm.TaskStateReady:     "ready",
	swarm.TaskStateStarting:  "starting",
	swarm.TaskStateRunning:   "started",
	swarm.TaskStateComplete:  "finished",
	swarm.TaskStateFailed:    "started",
	swarm.TaskStateRejected:  "preparing",
	swarm.TaskStateShutdown:  "shutdown",
}

// taskStateOrder is the order a task's states come in: those up to
// running can still be shut down, those after it are ends.
var taskStateOrder = []swarm.TaskState{
	swarm.TaskStateNew, swarm.TaskStateAllocated, swarm.TaskStatePending, swarm.TaskStateAssigned,
	swarm.TaskStateAccepted, swarm.TaskStatePreparing, swarm.TaskStateReady, swarm.TaskStateStarting,
	swarm.TaskStateRunning,
}

// shutdown stops a task: desired shutdown, and shut down unless it ended
// already (failed and complete tasks keep their state).
func (f *Fake) shutdown(t *swarm.Task) {
	t.DesiredState = swarm.TaskStateShutdown
	if slices.Contains(taskStateOrder, t.Status.State) {
		t.Status = f.completeStatus(swarm.TaskStatus{State: swarm.TaskStateShutdown, ContainerStatus: t.Status.ContainerStatus})
	}
	t.Version = f.swarm.write()
	t.UpdatedAt = f.now()
}

// failedEarly reports whether a task meant to run has ended: it failed,
// was rejected, or stopped by itself (an early termination, for swarm).
func failedEarly(t *swarm.Task) bool {
	return t.DesiredState == swarm.TaskStateRunning && !slices.Contains(taskStateOrder, t.Status.State)
}

// settle decides where the update or rollback under way stands, from the
// tasks it started, as the engine's updater would once they reported: a
// task that ended early triggers the failure action (pause by default),
// all of them running completes it, and anything else leaves it under
// way. The caller holds the Fake's lock.
func (f *Fake) settle(rec *serviceRecord) {
	if rec.rollout == nil || rec.svc.UpdateStatus == nil {
		return
	}
	var failed *swarm.Task
	running := 0
	for _, id := range rec.rollout {
		t, ok := f.swarm.tasks[id]
		if !ok {
			continue
		}
		if failed == nil && failedEarly(t) {
			failed = t
		}
		if t.Status.State == swarm.TaskStateRunning {
			running++
		}
	}
	rollingBack := rec.svc.UpdateStatus.State == swarm.UpdateStateRollbackStarted
	switch {
	case failed != nil && rollingBack:
		f.endRollout(rec, swarm.UpdateStateRollbackPaused, "rollback paused due to failure or early termination of task "+failed.ID, false)
	case failed != nil:
		f.onUpdateFailure(rec, failed)
	case running == len(rec.rollout) && rollingBack:
		f.endRollout(rec, swarm.UpdateStateRollbackCompleted, "rollback completed", true)
	case running == len(rec.rollout):
		f.endRollout(rec, swarm.UpdateStateCompleted, "update completed", true)
	}
}

// onUpdateFailure carries out the spec's failure action for a failed task
// of its update.
func (f *Fake) onUpdateFailure(rec *serviceRecord, failed *swarm.Task) {
	action := swarm.UpdateFailureActionPause
	if c := rec.svc.Spec.UpdateConfig; c != nil && c.FailureAction != "" {
		action = c.FailureAction
	}
	switch {
	case action == swarm.UpdateFailureActionContinue:
		f.endRollout(rec, swarm.UpdateStateCompleted, "update completed", true)
	case action == swarm.UpdateFailureActionRollback && rec.svc.PreviousSpec != nil:
		f.rollBack(rec, failed)
	default:
		f.endRollout(rec, swarm.UpdateStatePaused, "update paused due to failure or early termination of task "+failed.ID, false)
	}
}

// rollBack puts the previous spec back, as the engine's rollback does: it
// drops PreviousSpec, and the previous spec's tasks are made anew.
func (f *Fake) rollBack(rec *serviceRecord, failed *swarm.Task) {
	now := f.now()
	rec.svc.Spec = *rec.svc.PreviousSpec
	rec.svc.PreviousSpec = nil
	rec.svc.Version = f.swarm.write()
	rec.svc.UpdatedAt = now
	rec.svc.Endpoint = endpointOf(rec.svc.Spec)
	rec.svc.UpdateStatus = &swarm.UpdateStatus{
		State: swarm.UpdateStateRollbackStarted, StartedAt: &now,
		Message: "update rolled back due to failure or early termination of task " + failed.ID,
	}
	rec.rollout = f.place(rec, true)
	f.settle(rec)
}

// endRollout records how the update or rollback ended; done says it
// completed, rather than stopped half way.
func (f *Fake) endRollout(rec *serviceRecord, state swarm.UpdateState, message string, done bool) {
	st := &swarm.UpdateStatus{State: state, StartedAt: rec.svc.UpdateStatus.StartedAt, Message: message}
	if done {
		now := f.now()
		st.CompletedAt = &now
	}
	rec.svc.UpdateStatus = st
	rec.svc.Version = f.swarm.write()
	rec.rollout = nil
}

// serviceStatus counts a service's tasks as the engine's list does when
// asked for status. The caller holds the Fake's lock.
func (f *Fake) serviceStatus(rec *serviceRecord) *swarm.ServiceStatus {
	st := &swarm.ServiceStatus{}
	mode := rec.svc.Spec.Mode
	for _, t := range f.swarm.tasks {
		if t.ServiceID != rec.svc.ID {
			continue
		}
		if t.Status.State == swarm.TaskStateRunning && t.DesiredState == swarm.TaskStateRunning {
			st.RunningTasks++
		}
		if isJob(mode) && t.JobIteration != nil && *t.JobIteration == rec.svc.JobStatus.JobIteration {
			switch {
			case t.Status.State == swarm.TaskStateComplete:
				st.CompletedTasks++
			case slices.Contains(taskStateOrder, t.Status.State):
				st.DesiredTasks++ // still to run to its end
			}
		}
		if mode.Global != nil && t.DesiredState == swarm.TaskStateRunning {
			st.DesiredTasks++
		}
	}
	if mode.Replicated != nil {
		st.DesiredTasks = *mode.Replicated.Replicas
	}
	return st
}
