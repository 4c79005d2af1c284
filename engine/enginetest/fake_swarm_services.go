package enginetest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/berth-compose/berth/engine"
	"github.com/distribution/reference"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client/pkg/versions"
)

// serviceRecord is a service as the manager keeps it, with what the fake
// needs to carry an update through.
type serviceRecord struct {
	svc swarm.Service
	// rollout lists, in order, the tasks the update or rollback under way
	// started; nil when none is under way. settle decides how it ends.
	rollout []string
	// auth is the login the nodes pull with: the last one given, since an
	// update without one keeps it, as the engine does.
	auth engine.RegistryAuth
}

// ServiceRegistryAuth is the login the nodes would pull the service's
// image with, for tests of what berth sends; false for no login or no
// such service. It is not recorded and never fails.
func (f *Fake) ServiceRegistryAuth(service string) (engine.RegistryAuth, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rec, err := f.service(service)
	if err != nil || rec.auth == (engine.RegistryAuth{}) {
		return engine.RegistryAuth{}, false
	}
	return rec.auth, true
}

// service finds a service by id, name or id prefix. The caller holds the
// Fake's lock.
func (f *Fake) service(ref string) (*serviceRecord, error) {
	if rec, ok := lookup(f.swarm.services, ref, func(r *serviceRecord) string { return r.svc.Spec.Name }); ok {
		return rec, nil
	}
	return nil, engine.ErrNotFound.WithMessage(fmt.Sprintf("service %s not found", ref))
}

// serviceNamed is the service of that name, nil when none (or name is
// ""). Unlike service it takes no id: a new name that happens to begin an
// id is no conflict. The caller holds the Fake's lock.
func (f *Fake) serviceNamed(name string) *serviceRecord {
	for _, rec := range f.swarm.services {
		if name != "" && rec.svc.Spec.Name == name {
			return rec
		}
	}
	return nil
}

// ListServices lists the services whose labels match flt, sorted by name,
// with their task counts at API 1.41 and later, as the client asks then.
func (f *Fake) ListServices(ctx context.Context, flt engine.Filter) ([]swarm.Service, error) {
	if err := f.swarmBegin(ctx, "ListServices", filterLabels(flt), "listing services"); err != nil {
		return nil, err
	}
	defer f.mu.Unlock()
	return f.listServices(flt, versions.GreaterThanOrEqualTo(f.version.NegotiatedAPIVersion, "1.41")), nil
}

// Services returns every service with its task counts, sorted by name,
// for tests to check the end state: it is not recorded and never fails.
func (f *Fake) Services() []swarm.Service {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.listServices(engine.Filter{}, true)
}

func (f *Fake) listServices(flt engine.Filter, status bool) []swarm.Service {
	out := []swarm.Service{}
	for _, rec := range f.swarm.services {
		if !flt.Matches(rec.svc.Spec.Labels) {
			continue
		}
		s := clone(rec.svc)
		if status {
			s.ServiceStatus = f.serviceStatus(rec)
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b swarm.Service) int { return strings.Compare(a.Spec.Name, b.Spec.Name) })
	return out
}

// InspectService finds a service by id, name or id prefix.
func (f *Fake) InspectService(ctx context.Context, id string) (swarm.Service, error) {
	if err := f.swarmBegin(ctx, "InspectService", id, "inspecting service "+id); err != nil {
		return swarm.Service{}, err
	}
	defer f.mu.Unlock()
	rec, err := f.service(id)
	if err != nil {
		return swarm.Service{}, fmt.Errorf("inspecting service %s: %w", id, err)
	}
	return clone(rec.svc), nil
}

// CreateService stores a service under a name no other service has, as
// the manager would store spec (see storedSpec), and schedules its tasks
// at once.
func (f *Fake) CreateService(ctx context.Context, spec swarm.ServiceSpec, auth engine.RegistryAuth) (string, []string, error) {
	if err := f.swarmBegin(ctx, "CreateService", spec.Name, "creating service "+spec.Name); err != nil {
		return "", nil, err
	}
	defer f.mu.Unlock()
	fail := func(err error) error { return fmt.Errorf("creating service %s: %w", spec.Name, err) }
	if f.serviceNamed(spec.Name) != nil {
		return "", nil, fail(engine.ErrConflict.WithMessage(
			fmt.Sprintf("name conflicts with an existing object: service %s already exists", spec.Name)))
	}
	stored, err := f.storedSpec(spec)
	if err != nil {
		return "", nil, fail(err)
	}
	id := f.swarmID("service")
	if stored.Name == "" {
		stored.Name = "service_" + id[:8] // the engine makes up a name too
	}
	now := f.now()
	rec := &serviceRecord{auth: auth, svc: swarm.Service{
		ID:       id,
		Meta:     swarm.Meta{Version: f.swarm.write(), CreatedAt: now, UpdatedAt: now},
		Spec:     stored,
		Endpoint: endpointOf(stored),
	}}
	if isJob(stored.Mode) {
		rec.svc.JobStatus = &swarm.JobStatus{JobIteration: rec.svc.Version, LastExecution: now}
	}
	f.swarm.services[id] = rec
	f.place(rec, false)
	return id, nil, nil
}

// UpdateService replaces a service's spec, read at version, as the manager
// does: a stale version, a new name or another mode is refused. Tasks are
// replaced only when the task template or endpoint changed (scaling alone
// adds or stops tasks); then the update is rolled out at once and settled
// by what the new tasks do, UpdateConfig.FailureAction deciding what a
// failure does. A job runs again on every update.
func (f *Fake) UpdateService(ctx context.Context, id string, version uint64, spec swarm.ServiceSpec, auth engine.RegistryAuth) ([]string, error) {
	asking := fmt.Sprintf("updating service %s (at version %d)", id, version)
	if err := f.swarmBegin(ctx, "UpdateService", id, asking); err != nil {
		return nil, err
	}
	defer f.mu.Unlock()
	fail := func(err error) error { return fmt.Errorf("%s: %w", asking, err) }
	rec, err := f.service(id)
	if err != nil {
		return nil, fail(err)
	}
	if version != rec.svc.Version.Index {
		// A plain 500 on the engine: only the message tells.
		return nil, fail(engine.ErrInternal.WithMessage("update out of sequence"))
	}
	stored, err := f.storedSpec(spec)
	if err != nil {
		return nil, fail(err)
	}
	old := rec.svc.Spec
	switch {
	case stored.Name != old.Name:
		return nil, fail(engine.ErrNotImplemented.WithMessage("renaming services is not supported"))
	case modeKind(stored.Mode) != modeKind(old.Mode):
		return nil, fail(engine.ErrNotImplemented.WithMessage("service mode change is not allowed"))
	}
	now := f.now()
	rec.svc.PreviousSpec = &old
	rec.svc.Spec = stored
	rec.svc.Version = f.swarm.write()
	rec.svc.UpdatedAt = now
	rec.svc.Endpoint = endpointOf(stored)
	rec.svc.UpdateStatus = nil
	rec.rollout = nil
	if auth != (engine.RegistryAuth{}) {
		rec.auth = auth
	}
	if isJob(stored.Mode) {
		rec.svc.JobStatus = &swarm.JobStatus{JobIteration: rec.svc.Version, LastExecution: now}
		f.place(rec, false)
		return nil, nil
	}
	replace := !reflect.DeepEqual(old.TaskTemplate, stored.TaskTemplate) || !reflect.DeepEqual(old.EndpointSpec, stored.EndpointSpec)
	started := f.place(rec, replace)
	if replace {
		rec.svc.UpdateStatus = &swarm.UpdateStatus{State: swarm.UpdateStateUpdating, StartedAt: &now, Message: "update in progress"}
		rec.rollout = started
		f.settle(rec)
	}
	return nil, nil
}

// RemoveService removes a service. Its tasks go with it at once, where
// the engine takes a moment to stop them.
func (f *Fake) RemoveService(ctx context.Context, id string) error {
	if err := f.swarmBegin(ctx, "RemoveService", id, "removing service "+id); err != nil {
		return err
	}
	defer f.mu.Unlock()
	rec, err := f.service(id)
	if err != nil {
		return fmt.Errorf("removing service %s: %w", id, err)
	}
	delete(f.swarm.services, rec.svc.ID)
	for tid, t := range f.swarm.tasks {
		if t.ServiceID == rec.svc.ID {
			delete(f.swarm.tasks, tid)
		}
	}
	f.swarm.write()
	return nil
}

// storedSpec is spec as the manager stores it, checked against what it
// refers to. Like the engine (and its client library) it names the
// networks by id, tags an image without tag or digest ":latest", and fills
// in what an empty field means: labels {}, one replica, container runtime,
// default isolation. A plan that compares its spec with a stored one has
// to expect these. The caller holds the Fake's lock.
func (f *Fake) storedSpec(spec swarm.ServiceSpec) (swarm.ServiceSpec, error) {
	s := clone(spec)
	if s.Labels == nil {
		s.Labels = map[string]string{}
	}
	if c := s.TaskTemplate.ContainerSpec; c != nil {
		if c.Isolation == "" {
			c.Isolation = "default"
		}
		if named, err := reference.ParseNormalizedNamed(c.Image); err == nil {
			c.Image = reference.FamiliarString(reference.TagNameOnly(named))
		}
		if s.TaskTemplate.Runtime == "" {
			s.TaskTemplate.Runtime = swarm.RuntimeContainer
		}
	}
	s.Mode = withModeDefaults(s.Mode)
	if err := f.checkObjectRefs(s.TaskTemplate.ContainerSpec); err != nil {
		return swarm.ServiceSpec{}, err
	}
	for i, att := range s.TaskTemplate.Networks {
		n, err := f.network(att.Target)
		if err != nil {
			// The engine sends this one as a 500, not a 404.
			return swarm.ServiceSpec{}, engine.ErrInternal.WithMessage(fmt.Sprintf("network %s not found", att.Target))
		}
		if n.Scope != "swarm" {
			return swarm.ServiceSpec{}, engine.ErrForbidden.WithMessage(fmt.Sprintf(
				"the network %s is not scoped to the swarm, and only such networks (of the overlay driver) can be used by services", att.Target))
		}
		s.TaskTemplate.Networks[i].Target = n.ID
	}
	return s, nil
}

func withModeDefaults(m swarm.ServiceMode) swarm.ServiceMode {
	one := func() *uint64 { v := uint64(1); return &v }
	switch {
	case m.Replicated == nil && m.Global == nil && m.ReplicatedJob == nil && m.GlobalJob == nil:
		m.Replicated = &swarm.ReplicatedService{Replicas: one()}
	case m.Replicated != nil && m.Replicated.Replicas == nil:
		m.Replicated.Replicas = one()
	case m.ReplicatedJob != nil:
		if m.ReplicatedJob.MaxConcurrent == nil {
			m.ReplicatedJob.MaxConcurrent = one()
		}
		if m.ReplicatedJob.TotalCompletions == nil {
			v := *m.ReplicatedJob.MaxConcurrent
			m.ReplicatedJob.TotalCompletions = &v
		}
	}
	return m
}

func modeKind(m swarm.ServiceMode) string {
	switch {
	case m.Global != nil:
		return "global"
	case m.ReplicatedJob != nil:
		return "replicated-job"
	case m.GlobalJob != nil:
		return "global-job"
	}
	return "replicated"
}

func isJob(m swarm.ServiceMode) bool { return m.ReplicatedJob != nil || m.GlobalJob != nil }

// endpointOf is the endpoint the manager reports for a spec: the spec's
// own, or an empty one.
func endpointOf(spec swarm.ServiceSpec) swarm.Endpoint {
	var e swarm.Endpoint
	if spec.EndpointSpec != nil {
		e.Spec = clone(*spec.EndpointSpec)
		e.Ports = clone(spec.EndpointSpec.Ports)
	}
	return e
}
