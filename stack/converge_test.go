package stack

import (
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/swarm"
)

var deployStart = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)

func replicated(n uint64, hash string) swarm.Service {
	s := swarm.Service{ID: "svc1"}
	s.Spec.Name = "shop_web"
	s.Spec.Labels = map[string]string{LabelSpecHash: hash}
	s.Spec.Mode.Replicated = &swarm.ReplicatedService{Replicas: &n}
	s.Spec.TaskTemplate.ContainerSpec = &swarm.ContainerSpec{}
	return s
}

func task(slot int, taskHash string, desired, state swarm.TaskState, created time.Time) swarm.Task {
	t := swarm.Task{ID: "t" + string(rune('0'+slot)) + string(state), Slot: slot, DesiredState: desired, NodeID: "node-1"}
	t.CreatedAt = created
	t.Spec.ContainerSpec = &swarm.ContainerSpec{Labels: map[string]string{LabelTaskHash: taskHash}}
	t.Status.State = state
	if state == swarm.TaskStateFailed {
		t.Status.Err = "task: non-zero exit (1)"
	}
	return t
}

func withUpdate(s swarm.Service, state swarm.UpdateState, msg string, action string) swarm.Service {
	s.UpdateStatus = &swarm.UpdateStatus{State: state, Message: msg}
	s.Spec.UpdateConfig = &swarm.UpdateConfig{FailureAction: swarm.FailureAction(action)}
	return s
}

func TestAssess(t *testing.T) {
	later := deployStart.Add(time.Second)
	running, shutdown := swarm.TaskStateRunning, swarm.TaskStateShutdown
	cases := []struct {
		name      string
		svc       swarm.Service
		tasks     []swarm.Task
		completed bool
		done      bool
		text      string
		failure   string // a part of it
		failed    int
		stable    func(swarm.Task) bool
	}{
		{name: "scaled to zero is done once nothing runs", svc: replicated(0, "S"), done: true, text: "0/0 running",
			tasks: []swarm.Task{task(1, "T", shutdown, shutdown, later)}},
		{name: "scaled to zero waits for the last task to stop", svc: replicated(0, "S"), text: "0/0 running",
			tasks: []swarm.Task{task(1, "T", shutdown, running, later)}},
		{name: "a task the swarm cannot place says why", svc: replicated(1, "S"), text: "0/1 running (pending: no suitable node (scheduling constraints not satisfied on 1 node))",
			tasks: func() []swarm.Task {
				tk := task(1, "T", running, swarm.TaskStatePending, later)
				tk.Status.Err = "no suitable node (scheduling constraints not satisfied on 1 node)"
				return []swarm.Task{tk}
			}()},
		{name: "a job's earlier run does not count", completed: true, text: "0/1 completed", svc: func() swarm.Service {
			s := replicated(1, "S")
			s.Spec.Mode = swarm.ServiceMode{ReplicatedJob: &swarm.ReplicatedJob{}}
			s.JobStatus = &swarm.JobStatus{JobIteration: swarm.Version{Index: 9}}
			return s
		}(), tasks: func() []swarm.Task {
			tk := task(1, "T", swarm.TaskStateComplete, swarm.TaskStateComplete, later)
			tk.JobIteration = &swarm.Version{Index: 5}
			return []swarm.Task{tk}
		}()},
		{name: "a task not yet stable does not count", svc: replicated(1, "S"), text: "0/1 running",
			stable: func(swarm.Task) bool { return false },
			tasks:  []swarm.Task{task(1, "T", running, running, later)}},
		{name: "all running", svc: replicated(2, "S"), done: true, text: "2/2 running",
			tasks: []swarm.Task{task(1, "T", running, running, later), task(2, "T", running, running, later)}},
		{name: "old tasks do not count", svc: replicated(2, "S"), text: "1/2 running",
			tasks: []swarm.Task{task(1, "T", running, running, later), task(2, "OLD", running, running, later)}},
		{name: "starting is not running", svc: replicated(1, "S"), text: "0/1 running",
			tasks: []swarm.Task{task(1, "T", running, swarm.TaskStateStarting, later)}},
		{name: "being shut down is not running", svc: replicated(1, "S"), text: "0/1 running",
			tasks: []swarm.Task{task(1, "T", shutdown, running, later)}},
		{name: "update still monitoring", svc: withUpdate(replicated(1, "S"), swarm.UpdateStateUpdating, "", "pause"), text: "1/1 running",
			tasks: []swarm.Task{task(1, "T", running, running, later)}},
		{name: "update completed", svc: withUpdate(replicated(1, "S"), swarm.UpdateStateCompleted, "", "pause"), done: true, text: "1/1 running",
			tasks: []swarm.Task{task(1, "T", running, running, later)}},
		{name: "rolled back", svc: withUpdate(replicated(1, "OLD"), swarm.UpdateStateRollbackCompleted, "update rolled back due to failure", "rollback"),
			failure: "rolled it back: update rolled back due to failure", failed: 1,
			tasks: []swarm.Task{task(1, "T", shutdown, swarm.TaskStateFailed, later), task(1, "OLD", running, running, later)}},
		{name: "rolling back waits", svc: withUpdate(replicated(1, "OLD"), swarm.UpdateStateRollbackStarted, "", "rollback"), text: "rolling back"},
		{name: "changed by someone else", svc: replicated(1, "OTHER"), failure: "changed by someone else"},
		{name: "paused", svc: withUpdate(replicated(1, "S"), swarm.UpdateStatePaused, "update paused due to failure", "pause"), failure: "paused"},
		{name: "a crash loop gives up", svc: replicated(1, "S"), failure: "3 of its tasks failed", failed: 3, text: "0/1 running",
			tasks: []swarm.Task{task(1, "T", shutdown, swarm.TaskStateFailed, later), task(1, "T", shutdown, swarm.TaskStateFailed, later), task(1, "T", running, swarm.TaskStateFailed, later)}},
		{name: "one failure is not yet a crash loop", svc: replicated(1, "S"), failed: 1, text: "0/1 running",
			tasks: []swarm.Task{task(1, "T", shutdown, swarm.TaskStateFailed, later)}},
		{name: "failures of an earlier deploy do not count", svc: replicated(1, "S"), text: "0/1 running",
			tasks: []swarm.Task{task(1, "T", shutdown, swarm.TaskStateFailed, deployStart.Add(-time.Hour)), task(1, "T", shutdown, swarm.TaskStateFailed, deployStart.Add(-time.Hour)), task(1, "T", shutdown, swarm.TaskStateFailed, deployStart.Add(-time.Hour))}},
		{name: "while swarm judges an update, it decides", svc: withUpdate(replicated(1, "S"), swarm.UpdateStateUpdating, "", "rollback"), failed: 3, text: "0/1 running",
			tasks: []swarm.Task{task(1, "T", shutdown, swarm.TaskStateFailed, later), task(1, "T", shutdown, swarm.TaskStateFailed, later), task(1, "T", shutdown, swarm.TaskStateFailed, later)}},
		{name: "restart none fails at once", svc: func() swarm.Service {
			s := replicated(1, "S")
			s.Spec.TaskTemplate.RestartPolicy = &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionNone}
			return s
		}(), failure: "1 of its tasks failed", failed: 1, text: "0/1 running",
			tasks: []swarm.Task{task(1, "T", shutdown, swarm.TaskStateFailed, later)}},
		{name: "a job completes", completed: true, done: true, text: "1/1 completed", svc: func() swarm.Service {
			s := replicated(1, "S")
			s.Spec.Mode = swarm.ServiceMode{ReplicatedJob: &swarm.ReplicatedJob{}}
			return s
		}(), tasks: []swarm.Task{task(1, "T", swarm.TaskStateComplete, swarm.TaskStateComplete, later)}},
		{name: "global counts the nodes it placed tasks on", done: true, text: "2/2 running", svc: func() swarm.Service {
			s := replicated(1, "S")
			s.Spec.Mode = swarm.ServiceMode{Global: &swarm.GlobalService{}}
			return s
		}(), tasks: func() []swarm.Task {
			a, b := task(0, "T", running, running, later), task(0, "T", running, running, later)
			b.NodeID = "node-2"
			return []swarm.Task{a, b}
		}()},
		{name: "global with no task yet is not done", text: "0/0 running", svc: func() swarm.Service {
			s := replicated(1, "S")
			s.Spec.Mode = swarm.ServiceMode{Global: &swarm.GlobalService{}}
			return s
		}()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := assess(tc.svc, tc.tasks, "S", "T", tc.completed, deployStart, tc.stable)
			if c.done != tc.done || c.text != tc.text || len(c.failed) != tc.failed {
				t.Errorf("done %v text %q failed %d; want %v %q %d", c.done, c.text, len(c.failed), tc.done, tc.text, tc.failed)
			}
			if tc.failure == "" && c.failure != "" || !strings.Contains(c.failure, tc.failure) {
				t.Errorf("failure %q, want one with %q", c.failure, tc.failure)
			}
		})
	}
}

func TestDoneText(t *testing.T) {
	for in, want := range map[string]string{"3/3 running": "Running 3/3", "1/1 completed": "Completed 1/1", "odd": "odd"} {
		if got := doneText(in); got != want {
			t.Errorf("doneText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestConvergeErrorNamesTasksAndOutput(t *testing.T) {
	e := &ConvergeError{Reason: "3 of its tasks failed", Tasks: []TaskFailure{
		{Name: "shop_web.1", ID: "abc", Node: "node-1", State: "failed", Err: "task: non-zero exit (1)", Logs: "boom\nbye\n"},
	}}
	want := "3 of its tasks failed\n  task shop_web.1 (abc) on node node-1: failed: task: non-zero exit (1)\n    its last output:\n    | boom\n    | bye"
	if got := e.Error(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestVersionedName(t *testing.T) {
	a, b := VersionedName("shop_cfg", []byte("one")), VersionedName("shop_cfg", []byte("two"))
	if a == b || !strings.HasPrefix(a, "shop_cfg-") || len(a) != len("shop_cfg-")+10 {
		t.Errorf("names %q and %q", a, b)
	}
	if a != VersionedName("shop_cfg", []byte("one")) {
		t.Error("same content, different name")
	}
	long := VersionedName(strings.Repeat("x", 80), []byte("one"))
	if len(long) != maxObjectName {
		t.Errorf("long name has %d characters", len(long))
	}
}
