package watch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-compose/berth/engine"
)

// Engine is what carrying out a batch asks of the engine.
type Engine interface {
	ListContainers(ctx context.Context, f engine.Filter) ([]engine.Container, error)
	CopyToContainer(ctx context.Context, id string, opts engine.CopyOptions) error
	CreateExec(ctx context.Context, container string, spec engine.ExecSpec) (string, error)
	StartExec(ctx context.Context, id string) error
	InspectExec(ctx context.Context, id string) (engine.ExecState, error)
	StopContainer(ctx context.Context, id string, timeout *time.Duration) error
	StartContainer(ctx context.Context, id string) error
}

// Syncer carries out batches for one project.
type Syncer struct {
	Engine  Engine
	Project string
	Rules   []Rule
	// Rebuild rebuilds the service's image and recreates its containers.
	Rebuild func(ctx context.Context, service string) error
	// Notice gets one line per step: what is being done (msg, a whole
	// sentence) to which service.
	Notice func(service, msg string)
}

// work is what one batch needs done, gathered from the rules that cover
// its paths.
type work struct {
	rebuild, restart bool
	copies           []copyEntry
	deletes          []string // container paths
	execs            []types.ServiceHook
}

// plan sorts the batch's paths into work. A path is looked at now, not
// when its event came: gone means delete.
func (s *Syncer) plan(b Batch) work {
	var w work
	execs := map[int]bool{}
	for i, r := range s.Rules {
		if r.Service != b.Service {
			continue
		}
		for _, p := range b.Paths {
			if !r.Covers(p) || (b.Initial && r.Target == "") {
				continue
			}
			switch r.Action {
			case types.WatchActionRebuild:
				w.rebuild = true
			case types.WatchActionRestart:
				w.restart = true
			default:
				if _, err := os.Lstat(p); err != nil {
					w.deletes = append(w.deletes, r.ContainerPath(p))
				} else {
					w.copies = append(w.copies, copyEntry{Local: p, Container: r.ContainerPath(p), rule: r})
				}
				if b.Initial {
					continue
				}
				w.restart = w.restart || r.Action == types.WatchActionSyncRestart
				if r.Action == types.WatchActionSyncExec && !execs[i] {
					execs[i] = true
					w.execs = append(w.execs, r.Exec)
				}
			}
		}
	}
	return w
}

// Apply carries out one batch in every running container of its service.
// A rebuild supersedes the rest: the new containers start from the files
// as they are.
func (s *Syncer) Apply(ctx context.Context, b Batch) error {
	w := s.plan(b)
	if w.rebuild {
		s.notice(b.Service, fmt.Sprintf("Rebuilding service %s: %d files changed", b.Service, len(b.Paths)))
		if s.Rebuild == nil {
			return fmt.Errorf("service %s: rebuilding is not available here", b.Service)
		}
		return s.Rebuild(ctx, b.Service)
	}
	if len(w.copies)+len(w.deletes) == 0 && !w.restart {
		return nil
	}
	ctrs, err := s.containers(ctx, b.Service)
	if err != nil {
		return err
	}
	if n := len(w.copies) + len(w.deletes); n > 0 {
		s.notice(b.Service, fmt.Sprintf("Syncing service %s: %d files", b.Service, n))
	}
	if w.restart {
		s.notice(b.Service, fmt.Sprintf("Restarting service %s", b.Service))
	}
	var errs []error
	for _, c := range ctrs {
		if err := s.applyTo(ctx, c, w); err != nil {
			errs = append(errs, fmt.Errorf("service %s, container %s: %w", b.Service, c.Name, err))
		}
	}
	return errors.Join(errs...)
}

// applyTo does w in one container: deletes first, so a path turned from
// a file into a directory (or back) can be copied, then the copy, the
// commands and the restart.
func (s *Syncer) applyTo(ctx context.Context, c engine.Container, w work) error {
	if len(w.deletes) > 0 {
		sort.Strings(w.deletes)
		cmd := append([]string{"rm", "-rf", "--"}, w.deletes...)
		if err := s.run(ctx, c.ID, engine.ExecSpec{Cmd: cmd}); err != nil {
			return fmt.Errorf("removing %v: %w", w.deletes, err)
		}
	}
	if len(w.copies) > 0 {
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(writeBatchTar(pw, w.copies)) }()
		err := s.Engine.CopyToContainer(ctx, c.ID, engine.CopyOptions{DestDir: "/", Archive: pr})
		pr.Close()
		if err != nil {
			return err
		}
	}
	for _, h := range w.execs {
		spec := engine.ExecSpec{Cmd: h.Command, User: h.User, Privileged: h.Privileged, WorkingDir: h.WorkingDir, Env: envList(h.Environment)}
		if err := s.run(ctx, c.ID, spec); err != nil {
			return fmt.Errorf("running %v: %w", h.Command, err)
		}
	}
	if w.restart {
		if err := s.Engine.StopContainer(ctx, c.ID, nil); err != nil {
			return err
		}
		return s.Engine.StartContainer(ctx, c.ID)
	}
	return nil
}

func (s *Syncer) notice(service, msg string) {
	if s.Notice != nil {
		s.Notice(service, msg)
	}
}

// The labels docker compose puts on a service's containers.
const (
	labelProject = "com.docker.compose.project"
	labelService = "com.docker.compose.service"
	labelOneoff  = "com.docker.compose.oneoff"
)

// containers lists the running containers of service, one-off ones left
// out: a `run` container is no part of the watched service.
func (s *Syncer) containers(ctx context.Context, service string) ([]engine.Container, error) {
	all, err := s.Engine.ListContainers(ctx, engine.Filter{Labels: []string{labelProject + "=" + s.Project, labelService + "=" + service}})
	if err != nil {
		return nil, fmt.Errorf("listing the containers of service %s: %w", service, err)
	}
	var out []engine.Container
	for _, c := range all {
		if c.State == engine.StateRunning && c.Labels[labelOneoff] != "True" {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("service %s has no running container to sync into: start it (berth up -d %s)", service, service)
	}
	return out, nil
}

// run execs spec in the container and waits for it; a non-zero exit is an
// error.
func (s *Syncer) run(ctx context.Context, container string, spec engine.ExecSpec) error {
	id, err := s.Engine.CreateExec(ctx, container, spec)
	if err != nil {
		return err
	}
	if err := s.Engine.StartExec(ctx, id); err != nil {
		return err
	}
	for wait := time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		st, err := s.Engine.InspectExec(ctx, id)
		if err != nil {
			return err
		}
		if !st.Running {
			if st.ExitCode != 0 {
				return fmt.Errorf("exited with code %d", st.ExitCode)
			}
			return nil
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// envList is exec.environment as KEY=VALUE, sorted; a key with no value
// is left out, as it names nothing to set.
func envList(m types.MappingWithEquals) []string {
	var out []string
	for k, v := range m {
		if v != nil {
			out = append(out, k+"="+*v)
		}
	}
	sort.Strings(out)
	return out
}
