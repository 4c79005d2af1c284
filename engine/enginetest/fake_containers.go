package enginetest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/berth-compose/berth/engine"
)

// containerRecord is what the fake holds about one container.
type containerRecord struct {
	engine.Container
	exitCode    int
	health      string
	healthcheck bool
	startedAt   time.Time
	finishedAt  time.Time
	// anonymous lists the volumes this container's spec left unnamed: the
	// only ones RemoveOptions.Volumes removes. A volume it got by name
	// stays, even one another container created anonymously, as in the
	// engine.
	anonymous []string
	output    []logEntry // what the container's command wrote, in order
	tty       bool
	openStdin bool
	stdinOnce bool
	stdin     []byte  // what attached streams wrote to its stdin
	size      [2]uint // its TTY's height and width, as last resized
	runs      int     // how many times it started: a followed run ends when this moves
	// changed is closed, and replaced, whenever output is added or the
	// container starts, stops or goes: followers of its logs wait on it.
	changed chan struct{}
	user    string                 // the spec's user, for CopyToContainer's CopyUIDGID
	files   map[string]engine.File // by path: what CopyToContainer wrote
	nodes   map[string]node        // by path: the directories and symlinks it made
	stats   []engine.StatsSample   // what FeedStats gave, in order
}

// setState moves the container to s and keeps Status and the health
// that goes with it in step. A stopped container with a healthcheck
// reports unhealthy, as the engine does.
func (c *containerRecord) setState(s engine.ContainerState) {
	if s == engine.StateRunning && c.State != engine.StatePaused {
		c.runs++
	}
	c.State = s
	c.notify()
	switch {
	case s == engine.StateRunning && c.healthcheck && c.health == "":
		c.health = "starting"
	case s == engine.StateExited && c.healthcheck:
		c.health = "unhealthy"
	}
	c.Status = c.status()
}

func (c *containerRecord) status() string {
	switch c.State {
	case engine.StateRunning:
		if c.health != "" {
			return fmt.Sprintf("Up (%s)", strings.Replace(c.health, "starting", "health: starting", 1))
		}
		return "Up"
	case engine.StatePaused:
		return "Up (Paused)"
	case engine.StateExited:
		return fmt.Sprintf("Exited (%d)", c.exitCode)
	case engine.StateCreated:
		return "Created"
	}
	return c.Status
}

func (c *containerRecord) running() bool {
	return c.State == engine.StateRunning || c.State == engine.StatePaused || c.State == engine.StateRestarting
}

func (c *containerRecord) details() engine.ContainerDetails {
	return engine.ContainerDetails{
		Container:  cloneContainer(c.Container),
		ExitCode:   c.exitCode,
		Health:     c.health,
		StartedAt:  c.startedAt,
		FinishedAt: c.finishedAt,
		TTY:        c.tty,
		OpenStdin:  c.openStdin,
		StdinOnce:  c.stdinOnce,
	}
}

// attributes are what the engine puts on a container's events: its labels,
// name and image, and extra for the event.
func (c *containerRecord) attributes(extra ...string) map[string]string {
	attrs := maps.Clone(c.Labels)
	if attrs == nil {
		attrs = map[string]string{}
	}
	attrs["name"], attrs["image"] = c.Name, c.Image
	for i := 0; i+1 < len(extra); i += 2 {
		attrs[extra[i]] = extra[i+1]
	}
	return attrs
}

func cloneContainer(c engine.Container) engine.Container {
	c.Labels = maps.Clone(c.Labels)
	c.Mounts = slices.Clone(c.Mounts)
	c.Networks = slices.Clone(c.Networks)
	return c
}

// WithContainers adds containers as they are, giving those without an id
// one. Volume mounts named like the engine's anonymous volumes (64 hex
// digits) count as the container's anonymous volumes.
func (f *Fake) WithContainers(cs ...engine.Container) *Fake {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range cs {
		if c.ID == "" {
			c.ID = f.newID("container")
		}
		rec := &containerRecord{Container: cloneContainer(c)}
		for _, m := range c.Mounts {
			if m.Type == "volume" && isAnonymousName(m.Name) {
				rec.anonymous = append(rec.anonymous, m.Name)
			}
		}
		f.containers[c.ID] = rec
	}
	return f
}

// ListContainers lists the containers that match flt, sorted by name.
func (f *Fake) ListContainers(ctx context.Context, flt engine.Filter) ([]engine.Container, error) {
	if err := f.begin(ctx, "ListContainers", filterLabels(flt)); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var all []engine.Container
	for _, c := range f.containers {
		all = append(all, c.Container)
	}
	return list(all, flt, func(c engine.Container) (string, map[string]string) { return c.Name, c.Labels }, cloneContainer), nil
}

// Containers returns every container's details, sorted by name, for tests
// to check the end state: it is not recorded and never fails.
func (f *Fake) Containers() []engine.ContainerDetails {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []engine.ContainerDetails{}
	for _, c := range f.containers {
		out = append(out, c.details())
	}
	slices.SortFunc(out, func(a, b engine.ContainerDetails) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Container returns the details of the container named name, for tests to
// check: it is not recorded and never fails; ok is false when there is none.
func (f *Fake) Container(name string) (d engine.ContainerDetails, ok bool) {
	for _, d := range f.Containers() {
		if d.Name == name {
			return d, true
		}
	}
	return engine.ContainerDetails{}, false
}

// InspectContainer finds a container by id, name or id prefix.
func (f *Fake) InspectContainer(ctx context.Context, id string) (engine.ContainerDetails, error) {
	if err := f.begin(ctx, "InspectContainer", id); err != nil {
		return engine.ContainerDetails{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.container("inspecting", id)
	if err != nil {
		return engine.ContainerDetails{}, err
	}
	return c.details(), nil
}

// container finds a container, or fails with an error that starts with
// verb, as the real client's do.
func (f *Fake) container(verb, ref string) (*containerRecord, error) {
	c, ok := lookup(f.containers, strings.TrimPrefix(ref, "/"), func(c *containerRecord) string { return c.Name })
	if !ok {
		return nil, fmt.Errorf("%s container %s: %w", verb, ref, noSuch("container", ref))
	}
	return c, nil
}

// CreateContainer creates a container from spec. The image must be known
// (WithImage or PullImage); named volumes it mounts are created if
// missing, and each unnamed one gets a fresh anonymous volume.
func (f *Fake) CreateContainer(ctx context.Context, spec engine.ContainerSpec) (string, error) {
	if err := f.begin(ctx, "CreateContainer", spec.Name); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	fail := func(err error) (string, error) { return "", fmt.Errorf("creating container %s: %w", spec.Name, err) }
	if spec.Config == nil || spec.Config.Image == "" {
		return fail(fmt.Errorf("config.Image is required"))
	}
	imageID, ok := f.images[normalizeRef(spec.Config.Image)]
	if !ok {
		return fail(noSuch("image", spec.Config.Image))
	}
	if err := f.nameFree(spec.Name, ""); err != nil {
		return fail(err)
	}
	nets, err := f.specNetworks(spec)
	if err != nil {
		return fail(err)
	}
	id := f.newID("container")
	name := orDefault(spec.Name, "fake_"+shortID(id))
	c := &containerRecord{Container: engine.Container{
		ID: id, Name: name, Image: spec.Config.Image, ImageID: imageID,
		Created: f.now(), Labels: maps.Clone(spec.Config.Labels), Networks: nets,
	}}
	c.healthcheck = hasHealthcheck(spec)
	c.user = spec.Config.User
	c.tty, c.openStdin, c.stdinOnce = spec.Config.Tty, spec.Config.OpenStdin, spec.Config.StdinOnce
	c.Mounts, c.anonymous = f.specMounts(spec)
	c.setState(engine.StateCreated)
	f.containers[id] = c
	f.emit("container", "create", id, c.attributes())
	return id, nil
}

func orDefault(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

func hasHealthcheck(spec engine.ContainerSpec) bool {
	h := spec.Config.Healthcheck
	return h != nil && len(h.Test) > 0 && h.Test[0] != "NONE"
}

// nameFree fails with a conflict when another container than self has name.
func (f *Fake) nameFree(name, self string) error {
	for _, c := range f.containers {
		if name != "" && c.Name == name && c.ID != self {
			return engine.ErrConflict.WithMessage(fmt.Sprintf(`Conflict. The container name "/%s" is already in use by container "%s". You have to remove (or rename) that container to be able to reuse that name.`, name, c.ID))
		}
	}
	return nil
}

// StartContainer starts a created or stopped container; starting a running
// one does nothing, as with the engine. A container with a healthcheck
// starts with health "starting": move it on with SetHealth.
func (f *Fake) StartContainer(ctx context.Context, id string) error {
	return f.change(ctx, "StartContainer", "starting", id, func(c *containerRecord) error {
		switch c.State {
		case engine.StateRunning:
			return nil
		case engine.StatePaused:
			return engine.ErrConflict.WithMessage("cannot start a paused container, try unpause instead")
		}
		c.exitCode, c.health, c.startedAt = 0, "", f.now()
		c.setState(engine.StateRunning)
		f.emit("container", "start", c.ID, c.attributes())
		return nil
	})
}

// StopContainer stops a running container at once, whatever the timeout,
// with exit code 0; stopping a stopped one does nothing.
func (f *Fake) StopContainer(ctx context.Context, id string, _ *time.Duration) error {
	return f.change(ctx, "StopContainer", "stopping", id, func(c *containerRecord) error {
		if !c.running() {
			return nil
		}
		f.emit("container", "kill", c.ID, c.attributes("signal", "15"))
		f.exit(c, 0)
		f.emit("container", "stop", c.ID, c.attributes())
		return nil
	})
}

// killCodes are the exit codes of a shell killed by these signals; other
// signals leave the container running.
var killCodes = map[string]int{"": 137, "SIGKILL": 137, "KILL": 137, "9": 137, "SIGTERM": 143, "TERM": 143, "15": 143, "SIGINT": 130, "INT": 130, "2": 130}

// KillContainer sends signal to a running container.
func (f *Fake) KillContainer(ctx context.Context, id, signal string) error {
	return f.change(ctx, "KillContainer", "killing", id, func(c *containerRecord) error {
		if !c.running() {
			return engine.ErrConflict.WithMessage(fmt.Sprintf("Cannot kill container: %s: Container %s is not running", id, c.ID))
		}
		f.emit("container", "kill", c.ID, c.attributes("signal", signal))
		if code, ok := killCodes[strings.ToUpper(signal)]; ok {
			f.exit(c, code)
		}
		return nil
	})
}

func (f *Fake) exit(c *containerRecord, code int) {
	c.exitCode, c.finishedAt = code, f.now()
	c.setState(engine.StateExited)
	f.emit("container", "die", c.ID, c.attributes("exitCode", fmt.Sprint(code)))
}

// RemoveContainer removes a stopped container (a running one only with
// Force) and, with Volumes, its anonymous volumes no other container uses.
func (f *Fake) RemoveContainer(ctx context.Context, id string, opts engine.RemoveOptions) error {
	return f.change(ctx, "RemoveContainer", "removing", id, func(c *containerRecord) error {
		if c.running() && !opts.Force {
			return engine.ErrConflict.WithMessage(fmt.Sprintf("You cannot remove a running container %s. Stop the container before attempting removal or force remove", c.ID))
		}
		if c.running() {
			f.emit("container", "kill", c.ID, c.attributes("signal", "9"))
			f.exit(c, 137)
		}
		delete(f.containers, c.ID)
		c.notify()
		f.emit("container", "destroy", c.ID, c.attributes())
		if opts.Volumes {
			for _, v := range c.anonymous {
				f.dropUnusedVolume(v)
			}
		}
		return nil
	})
}

// RenameContainer gives a container a free name.
func (f *Fake) RenameContainer(ctx context.Context, id, name string) error {
	if err := f.begin(ctx, "RenameContainer", id+" "+name); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.container("renaming", id)
	if err != nil {
		return err
	}
	if err := f.nameFree(name, c.ID); err != nil {
		return fmt.Errorf("renaming container %s to %s: %w", id, name, err)
	}
	old := c.Name
	c.Name = name
	f.emit("container", "rename", c.ID, c.attributes("oldName", "/"+old))
	return nil
}

// PauseContainer pauses a running container.
func (f *Fake) PauseContainer(ctx context.Context, id string) error {
	return f.change(ctx, "PauseContainer", "pausing", id, func(c *containerRecord) error {
		switch c.State {
		case engine.StatePaused:
			return engine.ErrConflict.WithMessage(fmt.Sprintf("Container %s is already paused", c.ID))
		case engine.StateRunning:
			c.setState(engine.StatePaused)
			f.emit("container", "pause", c.ID, c.attributes())
			return nil
		}
		return engine.ErrConflict.WithMessage(fmt.Sprintf("Container %s is not running", c.ID))
	})
}

// UnpauseContainer resumes a paused container. Like the engine, it fails
// on one that is not paused with an error that is no conflict.
func (f *Fake) UnpauseContainer(ctx context.Context, id string) error {
	return f.change(ctx, "UnpauseContainer", "unpausing", id, func(c *containerRecord) error {
		if c.State != engine.StatePaused {
			return fmt.Errorf("Container %s is not paused", c.ID)
		}
		c.setState(engine.StateRunning)
		f.emit("container", "unpause", c.ID, c.attributes())
		return nil
	})
}

// change runs one state change of an existing container under the lock,
// wrapping its error with verb and the container as the real client does.
func (f *Fake) change(ctx context.Context, method, verb, id string, do func(*containerRecord) error) error {
	if err := f.begin(ctx, method, id); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.container(verb, id)
	if err != nil {
		return err
	}
	if err := do(c); err != nil {
		return fmt.Errorf("%s container %s: %w", verb, id, err)
	}
	return nil
}
