package stack

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/swarm"
)

// DeployOptions tune a deploy's plan.
type DeployOptions struct {
	// Wait waits for every service to converge; without it, only the
	// services others depend on are waited for, as the order needs.
	Wait bool
	// Prune removes the stack's services that the project no longer has.
	Prune bool
	// APIVersion is the engine's, for warnings about what it would drop.
	APIVersion string
}

// PlanDeploy compares the project with what the engine holds of its stack
// and says what to create, update, wait for and remove. It is pure: every
// fact from outside (contents, digests, the snapshot) is an argument.
func PlanDeploy(p *types.Project, obs *Observed, d *Desired, opts DeployOptions) (*Plan, error) {
	plan := &Plan{Namespace: p.Name, IDs: observedIDs(obs), Warnings: slices.Clone(d.Warnings)}
	refs := planRefs(p.Name, d, plan.IDs)
	refs.Images = keepPins(d.Images, obs)
	planObjects(plan, obs, d)
	planNetworks(plan, p, obs)
	dependents := dependentsOf(p)
	var serviceActions []string
	for _, name := range sortedKeys(p.Services) {
		s := p.Services[name]
		spec, taskHash, err := desiredSpec(plan, p, s, refs, dependents[name].completed)
		if err != nil {
			return nil, err
		}
		plan.Warnings = append(plan.Warnings, APIWarnings([]swarm.ServiceSpec{spec}, opts.APIVersion)...)
		after := serviceAfter(plan, p, s, spec)
		id, err := planService(plan, obs, s.Name, spec, after)
		if err != nil {
			return nil, err
		}
		waitAfter := []string{}
		if id != "" {
			serviceActions = append(serviceActions, id)
			waitAfter = append(waitAfter, id)
		}
		completed := isJob(spec) || dependents[name].completed
		if opts.Wait || dependents[name].any {
			wid := actionID(WaitService, s.Name)
			plan.add(Action{ID: wid, Kind: WaitService, Name: s.Name, Service: s.Name, After: waitAfter,
				TargetID: obs.Services[s.Name].ID, TaskHash: taskHash, SpecHash: spec.Labels[LabelSpecHash], Completed: completed, Reason: waitReason(completed, dependents[name].any)})
			serviceActions = append(serviceActions, wid)
		}
	}
	serviceActions = append(serviceActions, planOrphans(plan, p, obs, opts.Prune)...)
	planOldObjects(plan, obs, d, serviceActions, opts.Wait)
	return plan, nil
}

// desiredSpec translates one service and stamps its hashes. awaited says
// a dependent waits for the service to complete.
func desiredSpec(plan *Plan, p *types.Project, s types.ServiceConfig, refs Refs, awaited bool) (swarm.ServiceSpec, string, error) {
	spec, warnings, err := ServiceSpec(p, s, refs)
	if err != nil {
		return spec, "", err
	}
	for _, w := range warnings {
		plan.Warnings = append(plan.Warnings, w.String())
	}
	if awaited && (s.Deploy == nil || s.Deploy.Mode == "") {
		runOnce(&spec)
	}
	taskHash, err := stampHashes(&spec)
	return spec, taskHash, err
}

// Specs are the service specs a deploy of p sends, one per service in
// name order, as PlanDeploy makes them: what `berth swarm specs` prints.
// Objects the swarm lacks yet have no id.
func Specs(p *types.Project, obs *Observed, d *Desired) ([]swarm.ServiceSpec, []string, error) {
	plan := &Plan{IDs: observedIDs(obs)}
	refs := planRefs(p.Name, d, plan.IDs)
	specs := []swarm.ServiceSpec{}
	dependents := dependentsOf(p)
	for _, name := range sortedKeys(p.Services) {
		spec, _, err := desiredSpec(plan, p, p.Services[name], refs, dependents[name].completed)
		if err != nil {
			return nil, nil, err
		}
		specs = append(specs, spec)
	}
	return specs, append(slices.Clone(d.Warnings), plan.Warnings...), nil
}

// runOnce makes a replicated service a replicated job. A service others
// wait on with service_completed_successfully runs once under compose;
// as a swarm service it would be restarted after every completion.
func runOnce(spec *swarm.ServiceSpec) {
	if spec.Mode.Replicated == nil {
		return
	}
	n := uint64(1)
	if r := spec.Mode.Replicated.Replicas; r != nil {
		n = *r
	}
	spec.Mode = swarm.ServiceMode{ReplicatedJob: &swarm.ReplicatedJob{MaxConcurrent: &n, TotalCompletions: &n}}
	// Jobs take no update or rollback settings, and a job restarted on
	// success would never end.
	spec.UpdateConfig, spec.RollbackConfig = nil, nil
	if rp := spec.TaskTemplate.RestartPolicy; rp == nil || rp.Condition == swarm.RestartPolicyConditionAny {
		spec.TaskTemplate.RestartPolicy = &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionOnFailure}
	}
}

func waitReason(completed, needed bool) string {
	what := "until its tasks run"
	if completed {
		what = "until it has completed"
	}
	if needed {
		return what + ": services depend on it"
	}
	return what
}

// keepPins keeps a running service on the digest it was pinned to when
// its registry could not be asked this time (out of reach, rate limits):
// else every such service would be rolled onto the bare tag, a change
// nobody made.
func keepPins(images map[string]string, obs *Observed) map[string]string {
	out := maps.Clone(images)
	for name, img := range images {
		cur, ok := obs.Services[name]
		if !ok || hasDigest(img) || cur.Spec.TaskTemplate.ContainerSpec == nil {
			continue
		}
		if was := cur.Spec.TaskTemplate.ContainerSpec.Image; hasDigest(was) && sameTag(was, img) {
			out[name] = was
		}
	}
	return out
}

// observedIDs indexes the stack's configs and secrets by name.
func observedIDs(obs *Observed) map[string]string {
	ids := map[string]string{}
	for _, c := range obs.Configs {
		ids["config:"+c.Spec.Name] = c.ID
	}
	for _, s := range obs.Secrets {
		ids["secret:"+s.Spec.Name] = s.ID
	}
	return ids
}

// planRefs is what translation needs; an object this plan creates has no
// id yet, and gets it while applying.
func planRefs(namespace string, d *Desired, ids map[string]string) Refs {
	refs := Refs{Namespace: namespace, Images: d.Images, Configs: map[string]ObjectRef{}, Secrets: map[string]ObjectRef{}}
	for key, o := range d.Configs {
		refs.Configs[key] = ObjectRef{ID: orKey(o.ID, ids["config:"+o.Name]), Name: o.Name}
	}
	for key, o := range d.Secrets {
		refs.Secrets[key] = ObjectRef{ID: orKey(o.ID, ids["secret:"+o.Name]), Name: o.Name}
	}
	return refs
}

// stampHashes labels spec with the hashes of itself and of its task
// template and returns the template's. Object ids are left out of both: a
// config made again under the same versioned name is the same content.
func stampHashes(spec *swarm.ServiceSpec) (string, error) {
	bare, err := withoutObjectIDs(*spec)
	if err != nil {
		return "", err
	}
	taskHash, err := hashJSON(bare.TaskTemplate)
	if err != nil {
		return "", err
	}
	cs := spec.TaskTemplate.ContainerSpec
	cs.Labels = withLabel(cs.Labels, LabelTaskHash, taskHash)
	bare.TaskTemplate.ContainerSpec.Labels = cs.Labels
	sections, err := sectionHashes(bare)
	if err != nil {
		return "", err
	}
	specHash, err := hashJSON(bare)
	if err != nil {
		return "", err
	}
	spec.Labels = withLabel(withLabel(spec.Labels, LabelSpecHash, specHash), LabelSections, sections)
	return taskHash, nil
}

// withoutObjectIDs is a deep copy of spec with every config and secret
// id blanked.
func withoutObjectIDs(spec swarm.ServiceSpec) (swarm.ServiceSpec, error) {
	var out swarm.ServiceSpec
	b, err := json.Marshal(spec)
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	if err != nil {
		return out, fmt.Errorf("copying the spec of service %s: %w", spec.Name, err)
	}
	if cs := out.TaskTemplate.ContainerSpec; cs != nil {
		for _, c := range cs.Configs {
			c.ConfigID = ""
		}
		for _, s := range cs.Secrets {
			s.SecretID = ""
		}
	}
	return out, nil
}

func isJob(spec swarm.ServiceSpec) bool {
	return spec.Mode.ReplicatedJob != nil || spec.Mode.GlobalJob != nil
}

// dependents says, per service, whether others depend on it, and whether
// one waits for it to complete.
type dependentFlags struct{ any, completed bool }

func dependentsOf(p *types.Project) map[string]dependentFlags {
	out := map[string]dependentFlags{}
	for _, s := range p.Services {
		for dep, cfg := range s.DependsOn {
			f := out[dep]
			f.any = true
			f.completed = f.completed || cfg.Condition == types.ServiceConditionCompletedSuccessfully
			out[dep] = f
		}
	}
	return out
}

// serviceAfter is what a service's create or update waits for: the
// networks and objects this plan makes for it, and its dependencies'
// convergence.
func serviceAfter(plan *Plan, p *types.Project, s types.ServiceConfig, spec swarm.ServiceSpec) []string {
	var after []string
	for _, n := range spec.TaskTemplate.Networks {
		if id := actionID(CreateNetwork, n.Target); plan.has(id) {
			after = append(after, id)
		}
	}
	if cs := spec.TaskTemplate.ContainerSpec; cs != nil {
		for _, c := range cs.Configs {
			if id := actionID(CreateConfig, c.ConfigName); plan.has(id) {
				after = append(after, id)
			}
		}
		for _, sec := range cs.Secrets {
			if id := actionID(CreateSecret, sec.SecretName); plan.has(id) {
				after = append(after, id)
			}
		}
	}
	for dep := range s.DependsOn {
		if _, ok := p.Services[dep]; ok {
			after = append(after, actionID(WaitService, dep))
		}
	}
	return after
}

// planService adds the create or update the service needs, if any, and
// returns its ID ("" when the service is as wanted).
func planService(plan *Plan, obs *Observed, name string, spec swarm.ServiceSpec, after []string) (string, error) {
	cur, exists := obs.Services[name]
	if !exists {
		id := actionID(CreateService, name)
		plan.add(Action{ID: id, Kind: CreateService, Name: name, Service: name, Spec: &spec, After: after, Reason: "new service"})
		return id, nil
	}
	if was, now := modeKind(cur.Spec.Mode), modeKind(spec.Mode); was != now {
		return "", fmt.Errorf("service %s runs as a %s service, and the project now makes it a %s one: swarm cannot change a service's mode; remove it first (docker service rm %s), then deploy again", name, was, now, cur.Spec.Name)
	}
	reason := ""
	switch {
	case cur.Spec.Labels[LabelSpecHash] != spec.Labels[LabelSpecHash]:
		reason = updateReason(cur.Spec, spec)
	case cur.UpdateStatus != nil && cur.UpdateStatus.State == swarm.UpdateStatePaused:
		// The spec is the one wanted, but the swarm stopped rolling it
		// out: sending it again resumes the update.
		reason = "its last update paused"
	default:
		return "", nil
	}
	id := actionID(UpdateService, name)
	plan.add(Action{ID: id, Kind: UpdateService, Name: name, Service: name, Spec: &spec, After: after,
		TargetID: cur.ID, Version: cur.Version.Index, Reason: reason})
	return id, nil
}

// modeKind names a mode the way swarm tells modes apart: one of them
// can never become another.
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

// updateReason names the parts of the spec that differ from the ones
// the service was deployed with, by their hashes: the engine's stored spec
// never equals the one sent (it fills in defaults, networks by id), so
// comparing specs would name parts that did not change.
func updateReason(cur, want swarm.ServiceSpec) string {
	if cur.Labels[LabelSpecHash] == "" {
		return "not deployed by berth before"
	}
	was, now := parseSections(cur.Labels[LabelSections]), parseSections(want.Labels[LabelSections])
	var parts []string
	for _, name := range sectionNames {
		if was[name] != now[name] {
			parts = append(parts, name)
		}
	}
	if len(parts) == 0 {
		return "spec changed"
	}
	return strings.Join(parts, ", ") + " changed"
}

// sectionNames are the parts of a spec an update's reason can name, in
// the order it names them.
var sectionNames = []string{"image", "environment", "command", "configs", "secrets", "mounts", "networks",
	"resources", "placement", "mode", "update_config", "rollback_config", "ports", "labels", "other"}

// sectionHashes hashes each part of bare (a spec without berth's labels),
// short: they only tell a change.
func sectionHashes(bare swarm.ServiceSpec) (string, error) {
	tt := bare.TaskTemplate
	cs := *tt.ContainerSpec
	parts := map[string]any{
		"image": cs.Image, "environment": cs.Env, "command": [][]string{cs.Command, cs.Args},
		"configs": cs.Configs, "secrets": cs.Secrets, "mounts": cs.Mounts, "networks": tt.Networks,
		"resources": tt.Resources, "placement": tt.Placement, "mode": bare.Mode,
		"update_config": bare.UpdateConfig, "rollback_config": bare.RollbackConfig, "ports": bare.EndpointSpec,
		"labels": bare.Labels,
	}
	cs.Image, cs.Env, cs.Command, cs.Args, cs.Configs, cs.Secrets, cs.Mounts = "", nil, nil, nil, nil, nil, nil
	// The task hash sums the parts above: it is not a part of its own.
	cs.Labels = maps.Clone(cs.Labels)
	delete(cs.Labels, LabelTaskHash)
	tt.ContainerSpec, tt.Networks, tt.Resources, tt.Placement = &cs, nil, nil, nil
	parts["other"] = tt
	var out []string
	for _, name := range sectionNames {
		h, err := hashJSON(parts[name])
		if err != nil {
			return "", err
		}
		out = append(out, name+"="+h[:8])
	}
	return strings.Join(out, ","), nil
}

func parseSections(label string) map[string]string {
	out := map[string]string{}
	for _, kv := range strings.Split(label, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			out[k] = v
		}
	}
	return out
}

func names[T any](items []T, name func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = name(it)
	}
	slices.Sort(out)
	return out
}

// planObjects creates the configs and secrets whose versions the engine
// lacks.
func planObjects(plan *Plan, obs *Observed, d *Desired) {
	for _, key := range sortedKeys(d.Configs) {
		o := d.Configs[key]
		if !o.External && plan.IDs["config:"+o.Name] == "" {
			plan.add(Action{ID: actionID(CreateConfig, o.Name), Kind: CreateConfig, Name: o.Name, Object: &o,
				Labels: objectLabels(obs.Namespace, key), Reason: objectReason(obs.Configs, key)})
		}
	}
	for _, key := range sortedKeys(d.Secrets) {
		o := d.Secrets[key]
		if !o.External && plan.IDs["secret:"+o.Name] == "" {
			plan.add(Action{ID: actionID(CreateSecret, o.Name), Kind: CreateSecret, Name: o.Name, Object: &o,
				Labels: withLabel(objectLabels(obs.Namespace, key), LabelSalt, d.Salt), Reason: objectReason(obs.Secrets, key)})
		}
	}
}

func objectLabels(namespace, key string) map[string]string {
	return map[string]string{LabelNamespace: namespace, LabelObjectKey: key}
}

// objectReason tells a first version from a changed content.
func objectReason[T swarm.Config | swarm.Secret](existing []T, key string) string {
	for _, o := range existing {
		if objectKey(o) == key {
			return "content changed"
		}
	}
	return "new"
}

func objectKey[T swarm.Config | swarm.Secret](o T) string {
	switch v := any(o).(type) {
	case swarm.Config:
		return v.Spec.Labels[LabelObjectKey]
	case swarm.Secret:
		return v.Spec.Labels[LabelObjectKey]
	}
	return ""
}

func objectName[T swarm.Config | swarm.Secret](o T) (name, id string) {
	switch v := any(o).(type) {
	case swarm.Config:
		return v.Spec.Name, v.ID
	case swarm.Secret:
		return v.Spec.Name, v.ID
	}
	return "", ""
}

// planOldObjects removes the versions no service of the project uses any
// more, once every service has moved off them. Without waits a service's
// rolling update is still under way when the plan ends, and a rollback
// would need the version its old spec names: those stay for a later deploy
// to remove, once no service names them.
func planOldObjects(plan *Plan, obs *Observed, d *Desired, after []string, waited bool) {
	keep := map[string]bool{}
	for _, o := range d.Configs {
		keep["config:"+o.Name] = true
	}
	for _, o := range d.Secrets {
		keep["secret:"+o.Name] = true
	}
	if !waited {
		for _, svc := range obs.Services {
			if cs := svc.Spec.TaskTemplate.ContainerSpec; cs != nil {
				for _, c := range cs.Configs {
					keep["config:"+c.ConfigName] = true
				}
				for _, s := range cs.Secrets {
					keep["secret:"+s.SecretName] = true
				}
			}
		}
	}
	for _, c := range obs.Configs {
		if name, id := objectName(c); !keep["config:"+name] {
			plan.add(Action{ID: actionID(RemoveConfig, name), Kind: RemoveConfig, Name: name, TargetID: id, After: after, Reason: "no longer used"})
		}
	}
	for _, s := range obs.Secrets {
		if name, id := objectName(s); !keep["secret:"+name] {
			plan.add(Action{ID: actionID(RemoveSecret, name), Kind: RemoveSecret, Name: name, TargetID: id, After: after, Reason: "no longer used"})
		}
	}
}

// planNetworks creates the project's own networks the services use.
func planNetworks(plan *Plan, p *types.Project, obs *Observed) {
	have := map[string]bool{}
	for _, n := range obs.Networks {
		have[n.Name] = true
	}
	used := map[string]bool{}
	for _, s := range p.Services {
		for key := range s.Networks {
			used[key] = true
		}
	}
	for _, key := range sortedKeys(p.Networks) {
		n := p.Networks[key]
		if !used[key] || bool(n.External) {
			continue
		}
		spec := NetworkSpec(p.Name, key, n)
		if have[spec.Name] {
			continue
		}
		plan.add(Action{ID: actionID(CreateNetwork, spec.Name), Kind: CreateNetwork, Name: spec.Name, Network: &spec, Reason: "new network"})
	}
}

// planOrphans removes, with prune, the stack's services the project no
// longer has, and returns those removals; without it, it says they stay.
func planOrphans(plan *Plan, p *types.Project, obs *Observed, prune bool) []string {
	var ids []string
	for _, name := range sortedKeys(obs.Services) {
		if _, ok := p.Services[name]; ok {
			continue
		}
		svc := obs.Services[name]
		if !prune {
			plan.Warnings = append(plan.Warnings, fmt.Sprintf("service %s of stack %s is not in the project; it keeps running (--prune removes it)", svc.Spec.Name, p.Name))
			continue
		}
		id := actionID(RemoveService, svc.Spec.Name)
		plan.add(Action{ID: id, Kind: RemoveService, Name: svc.Spec.Name, TargetID: svc.ID, Reason: "not in the project"})
		ids = append(ids, id)
	}
	return ids
}
