package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/swarm"
)

// These tests need a real engine that is a swarm manager, and change it:
// they run only with BERTH_ENGINE_TESTS=1 (and DOCKER_HOST naming the
// engine), and remove what they make. BERTH_ENGINE_TEST_IMAGE names an
// image the engine holds and may push to a registry it reaches.

func swarmEngine(t *testing.T) (*Client, context.Context) {
	t.Helper()
	if os.Getenv("BERTH_ENGINE_TESTS") != "1" {
		t.Skip("set BERTH_ENGINE_TESTS=1 to run against the engine at DOCKER_HOST")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	c, err := Connect(ctx, os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	st, err := c.SwarmStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.LocalState != "active" || !st.ControlAvailable {
		t.Fatalf("the engine is no swarm manager: %+v", st)
	}
	return c, ctx
}

func testImage() string {
	if ref := os.Getenv("BERTH_ENGINE_TEST_IMAGE"); ref != "" {
		return ref
	}
	return "127.0.0.1:5000/berth-digest-test:1"
}

// eventually polls check until it holds or ctx ends: the swarm acts on a
// spec after the call that stored it returns.
func eventually(ctx context.Context, t *testing.T, what string, check func() (bool, error)) {
	t.Helper()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	start := time.Now()
	for {
		ok, err := check()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if ok {
			t.Logf("%s after %v", what, time.Since(start).Round(time.Millisecond))
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: gave up: %v", what, ctx.Err())
		case <-tick.C:
		}
	}
}

func TestEngineImageDigest(t *testing.T) {
	c, ctx := swarmEngine(t)
	ref := testImage()
	if err := c.PushImage(ctx, ref, RegistryAuth{}, nil); err != nil {
		t.Fatalf("pushing the test image: %v", err)
	}
	got, err := c.ImageDigest(ctx, ref, RegistryAuth{})
	if err != nil {
		t.Fatal(err)
	}
	name, _, _ := strings.Cut(ref[strings.LastIndex(ref, "/"):], ":")
	if want := ref[:strings.LastIndex(ref, "/")] + name + "@sha256:"; !strings.HasPrefix(got, want) || len(got) != len(want)+64 {
		t.Errorf("ImageDigest(%s) = %q, want %s<64 hex>", ref, got, want)
	}
	t.Logf("ImageDigest(%s) = %s", ref, got)

	for _, tt := range []struct {
		ref      string
		notFound bool
	}{
		{"busybox:latest", false},
		{strings.TrimSuffix(ref, ":1") + ":no-such-tag", true},
		{"127.0.0.1:5999/nothing-listens:1", false},
	} {
		start := time.Now()
		_, err := c.ImageDigest(ctx, tt.ref, RegistryAuth{})
		took := time.Since(start)
		if err == nil {
			t.Errorf("ImageDigest(%s): no error", tt.ref)
			continue
		}
		if IsNotFound(err) != tt.notFound {
			t.Errorf("ImageDigest(%s): IsNotFound = %v, want %v (%v)", tt.ref, IsNotFound(err), tt.notFound, err)
		}
		t.Logf("ImageDigest(%s) failed after %v: %v", tt.ref, took.Round(time.Millisecond), err)
	}
}

// TestEngineSwarmRoundTrip makes a config, a secret, an overlay network and
// a service using all three, updates the service, reads its tasks and
// logs, checks what the manager refuses, and removes everything.
func TestEngineSwarmRoundTrip(t *testing.T) {
	c, ctx := swarmEngine(t)
	suffix := fmt.Sprintf("%d", time.Now().UnixNano()%1_000_000)
	name := "berthswarmtest" + suffix
	labels := map[string]string{"berth.test": name}
	image, err := c.ImageDigest(ctx, testImage(), RegistryAuth{})
	if err != nil {
		t.Fatal(err)
	}

	nodes, err := c.ListNodes(ctx)
	if err != nil || len(nodes) == 0 {
		t.Fatalf("ListNodes = %d nodes, %v", len(nodes), err)
	}
	t.Logf("nodes: %s %s role=%s state=%s", nodes[0].ID, nodes[0].Description.Hostname, nodes[0].Spec.Role, nodes[0].Status.State)

	cfgID, err := c.CreateConfig(ctx, swarm.ConfigSpec{Annotations: swarm.Annotations{Name: name + "_cfg", Labels: labels}, Data: []byte("config body\n")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logErr(t, c.RemoveConfig(context.Background(), cfgID)) })
	secID, err := c.CreateSecret(ctx, swarm.SecretSpec{Annotations: swarm.Annotations{Name: name + "_sec", Labels: labels}, Data: []byte("s3cret")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logErr(t, c.RemoveSecret(context.Background(), secID)) })
	if _, err := c.CreateSecret(ctx, swarm.SecretSpec{Annotations: swarm.Annotations{Name: name + "_sec"}, Data: []byte("x")}); !IsConflict(err) {
		t.Errorf("a second secret under the same name: IsConflict false (%v)", err)
	}
	netID, err := c.CreateNetwork(ctx, NetworkSpec{Name: name + "_net", Driver: "overlay", Attachable: true, Labels: labels})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logErr(t, c.RemoveNetwork(context.Background(), netID)) })

	secrets, err := c.ListSecrets(ctx, Filter{Labels: []string{"berth.test=" + name}})
	if err != nil || len(secrets) != 1 || len(secrets[0].Spec.Data) != 0 {
		t.Errorf("ListSecrets = %+v, %v; want one, without data", secrets, err)
	}
	configs, err := c.ListConfigs(ctx, Filter{Labels: []string{"berth.test=" + name}})
	if err != nil || len(configs) != 1 || string(configs[0].Spec.Data) != "config body\n" {
		t.Errorf("ListConfigs = %+v, %v; want one, with its data", configs, err)
	}

	grace := time.Second
	replicas := uint64(1)
	spec := swarm.ServiceSpec{
		Annotations: swarm.Annotations{Name: name, Labels: labels},
		TaskTemplate: swarm.TaskSpec{
			ContainerSpec: &swarm.ContainerSpec{
				Image:           image,
				Command:         []string{"sh", "-c", "echo to-stdout; echo to-stderr >&2; exec sleep 600"},
				Env:             []string{"ROUND=1"},
				StopGracePeriod: &grace,
				Configs: []*swarm.ConfigReference{{ConfigID: cfgID, ConfigName: name + "_cfg",
					File: &swarm.ConfigReferenceFileTarget{Name: "/cfg", UID: "0", GID: "0", Mode: 0o444}}},
				Secrets: []*swarm.SecretReference{{SecretID: secID, SecretName: name + "_sec",
					File: &swarm.SecretReferenceFileTarget{Name: "sec", UID: "0", GID: "0", Mode: 0o400}}},
			},
			Networks: []swarm.NetworkAttachmentConfig{{Target: name + "_net", Aliases: []string{"app"}}},
		},
		Mode:         swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &replicas}},
		UpdateConfig: &swarm.UpdateConfig{Parallelism: 1, Monitor: time.Second, FailureAction: swarm.UpdateFailureActionRollback, Order: swarm.UpdateOrderStopFirst},
	}
	id, warnings, err := c.CreateService(ctx, spec, RegistryAuth{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("created service %s (%s), warnings %q", name, id, warnings)
	removed := false
	t.Cleanup(func() {
		if !removed {
			logErr(t, c.RemoveService(context.Background(), id))
		}
	})
	if _, _, err := c.CreateService(ctx, spec, RegistryAuth{}); !IsConflict(err) {
		t.Errorf("a second service under the same name: IsConflict false (%v)", err)
	}

	var running swarm.Task
	eventually(ctx, t, "a running task", func() (bool, error) {
		tasks, err := c.ListTasks(ctx, id)
		if err != nil || len(tasks) == 0 {
			return false, err
		}
		running = tasks[0]
		if running.Status.State == swarm.TaskStateFailed || running.Status.State == swarm.TaskStateRejected {
			return false, fmt.Errorf("task %s: %s %s", running.ID, running.Status.State, running.Status.Err)
		}
		return running.Status.State == swarm.TaskStateRunning, nil
	})

	svc, err := c.InspectService(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if svc.ID != id {
		t.Errorf("InspectService by name = %s, want %s", svc.ID, id)
	}
	t.Logf("stored network target %q (asked %q), endpoint spec %+v, update status %+v, image %q",
		svc.Spec.TaskTemplate.Networks[0].Target, spec.TaskTemplate.Networks[0].Target, svc.Spec.EndpointSpec, svc.UpdateStatus, svc.Spec.TaskTemplate.ContainerSpec.Image)
	if _, err := c.InspectService(ctx, name+"-missing"); !IsNotFound(err) {
		t.Errorf("InspectService of a missing service: IsNotFound false (%v)", err)
	}

	listed, err := c.ListServices(ctx, Filter{Labels: []string{"berth.test=" + name}})
	if err != nil || len(listed) != 1 {
		t.Fatalf("ListServices = %d, %v; want 1", len(listed), err)
	}
	if st := listed[0].ServiceStatus; st == nil || st.DesiredTasks != 1 {
		t.Errorf("ServiceStatus = %+v, want 1 desired task", st)
	} else {
		t.Logf("service status: %+v", *st)
	}

	eventually(ctx, t, "both lines in the task's logs", func() (bool, error) {
		logs, err := c.TaskLogs(ctx, running.ID, -1)
		return strings.Contains(logs, "to-stdout") && strings.Contains(logs, "to-stderr"), err
	})
	if logs, err := c.TaskLogs(ctx, running.ID, 1); err != nil || strings.Count(logs, "\n") != 1 {
		t.Errorf("TaskLogs(tail 1) = %q, %v; want one line", logs, err)
	}
	var stdout, stderr bytes.Buffer
	if err := c.StreamServiceLogs(ctx, id, LogOptions{Tail: -1}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if stdout.String() != "to-stdout\n" || stderr.String() != "to-stderr\n" {
		t.Errorf("service logs: stdout %q, stderr %q", stdout.String(), stderr.String())
	}
	if err := c.StreamServiceLogs(ctx, id, LogOptions{Until: "1s"}, &stdout, &stderr); err == nil {
		t.Error("service logs with until: no error")
	}
	followCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- c.StreamServiceLogs(followCtx, id, LogOptions{Follow: true, Tail: 0}, &bytes.Buffer{}, &bytes.Buffer{})
	}()
	stop()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("following service logs, cancelled: %v, want context.Canceled", err)
	}

	for what, err := range map[string]error{
		"config":  c.RemoveConfig(ctx, cfgID),
		"secret":  c.RemoveSecret(ctx, secID),
		"network": c.RemoveNetwork(ctx, netID),
	} {
		if what == "network" && !IsInUse(err) || what != "network" && !IsObjectInUse(err) {
			t.Errorf("removing the %s in use: %v", what, err)
		} else {
			t.Logf("removing the %s in use: %v", what, err)
		}
	}

	next := svc.Spec
	next.TaskTemplate.ContainerSpec.Env = []string{"ROUND=2"}
	if _, err := c.UpdateService(ctx, id, svc.Version.Index, next, RegistryAuth{}); err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateService(ctx, id, svc.Version.Index, next, RegistryAuth{})
	if !IsOutOfSequence(err) || IsConflict(err) {
		t.Errorf("update at a stale version: IsOutOfSequence %v, IsConflict %v (%v)", IsOutOfSequence(err), IsConflict(err), err)
	}
	t.Logf("update at a stale version: %v", err)
	eventually(ctx, t, "the update completed", func() (bool, error) {
		s, err := c.InspectService(ctx, id)
		return err == nil && s.UpdateStatus != nil && s.UpdateStatus.State == swarm.UpdateStateCompleted, err
	})
	updated, err := c.InspectService(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after the update: version %d (was %d), status %+v, previous env %v",
		updated.Version.Index, svc.Version.Index, *updated.UpdateStatus, updated.PreviousSpec.TaskTemplate.ContainerSpec.Env)
	tasks, err := c.ListTasks(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	for i, task := range tasks {
		t.Logf("task %d: %s slot %d desired %s state %s created %s", i, task.ID, task.Slot, task.DesiredState, task.Status.State, task.CreatedAt.Format(time.RFC3339Nano))
		if i > 0 && task.CreatedAt.After(tasks[i-1].CreatedAt) {
			t.Errorf("tasks not newest first at %d", i)
		}
	}
	if len(tasks) < 2 || tasks[0].Spec.ContainerSpec.Env[0] != "ROUND=2" || tasks[len(tasks)-1].DesiredState != swarm.TaskStateShutdown {
		t.Errorf("want the new task first and the old one shut down")
	}

	if err := c.RemoveService(ctx, id); err != nil {
		t.Fatal(err)
	}
	removed = true
	if err := c.RemoveService(ctx, id); !IsNotFound(err) {
		t.Errorf("removing the service twice: IsNotFound false (%v)", err)
	}
	// What a teardown right after the service's removal meets: the spec
	// reference is gone at once, the task's container not yet.
	logErr(t, c.RemoveConfig(ctx, cfgID))
	logErr(t, c.RemoveSecret(ctx, name+"_sec"))
	logErr(t, c.RemoveNetwork(ctx, netID))
	if _, err := c.ListTasks(ctx, id); err != nil {
		t.Logf("tasks of the removed service: %v", err)
	}
}

func logErr(t *testing.T, err error) {
	if err != nil && !IsNotFound(err) {
		t.Logf("cleaning up: %v", err)
	}
}

// TestEngineServiceFacts checks on the engine what enginetest.Fake copies
// of it: how a stored spec differs from the one sent, that an update
// leaving the task template alone has no update status, and how a failed
// update rolls back.
func TestEngineServiceFacts(t *testing.T) {
	c, ctx := swarmEngine(t)
	image, err := c.ImageDigest(ctx, testImage(), RegistryAuth{})
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("berthswarmfacts%d", time.Now().UnixNano()%1_000_000)
	grace := time.Second
	spec := swarm.ServiceSpec{
		Annotations: swarm.Annotations{Name: name},
		TaskTemplate: swarm.TaskSpec{ContainerSpec: &swarm.ContainerSpec{
			Image: image, Args: []string{"sleep", "600"}, StopGracePeriod: &grace}},
		UpdateConfig: &swarm.UpdateConfig{Monitor: time.Second, FailureAction: swarm.UpdateFailureActionRollback},
	}
	id, _, err := c.CreateService(ctx, spec, RegistryAuth{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logErr(t, c.RemoveService(context.Background(), id)) })

	stored, err := c.InspectService(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	s := stored.Spec
	if s.Labels == nil || len(s.Labels) != 0 || s.TaskTemplate.ContainerSpec.Isolation != "default" ||
		s.TaskTemplate.Runtime != swarm.RuntimeContainer || s.Mode.Replicated == nil || *s.Mode.Replicated.Replicas != 1 {
		t.Errorf("stored spec %+v, mode %+v: want labels {}, isolation default, runtime container, one replica", s, s.Mode)
	}

	s.Labels = map[string]string{"only": "labels"}
	if _, err := c.UpdateService(ctx, id, stored.Version.Index, s, RegistryAuth{}); err != nil {
		t.Fatal(err)
	}
	relabelled, err := c.InspectService(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if relabelled.UpdateStatus != nil {
		t.Errorf("after a labels-only update: update status %+v, want none", *relabelled.UpdateStatus)
	}

	failing := relabelled.Spec
	failing.TaskTemplate.ContainerSpec.Args = []string{"false"}
	if _, err := c.UpdateService(ctx, id, relabelled.Version.Index, failing, RegistryAuth{}); err != nil {
		t.Fatal(err)
	}
	var seen []string
	eventually(ctx, t, "the rollback completed", func() (bool, error) {
		svc, err := c.InspectService(ctx, id)
		if err != nil || svc.UpdateStatus == nil {
			return false, err
		}
		if st := string(svc.UpdateStatus.State) + ": " + svc.UpdateStatus.Message; len(seen) == 0 || seen[len(seen)-1] != st {
			seen = append(seen, st)
		}
		return svc.UpdateStatus.State == swarm.UpdateStateRollbackCompleted, nil
	})
	t.Logf("update states seen: %q", seen)
	back, err := c.InspectService(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if back.UpdateStatus.Message != "rollback completed" || back.PreviousSpec != nil || back.Spec.TaskTemplate.ContainerSpec.Args[0] != "sleep" {
		t.Errorf("after the rollback: status %+v, previous spec %v, args %v", *back.UpdateStatus, back.PreviousSpec != nil, back.Spec.TaskTemplate.ContainerSpec.Args)
	}
	tasks, err := c.ListTasks(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		t.Logf("task %s: desired %s, state %s %q, args %v", task.ID, task.DesiredState, task.Status.State, task.Status.Err, task.Spec.ContainerSpec.Args)
	}
}
