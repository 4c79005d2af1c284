package stack

import (
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/swarm"
)

// resources are deploy.resources, and the service's own mem_limit, cpus,
// pids_limit and mem_reservation: docker stack ignores those, but they say
// the same thing, and a file written for `up` keeps its limits on Swarm.
// compose-go refuses a project where the two disagree; deploy.resources
// is applied last all the same.
func (b *serviceBuilder) resources() *swarm.ResourceRequirements {
	s := b.s
	limits := swarm.Limit{NanoCPUs: nanoCPUs(s.CPUS), MemoryBytes: int64(s.MemLimit), Pids: max(s.PidsLimit, 0)}
	reservations := swarm.Resources{MemoryBytes: int64(s.MemReservation)}
	if s.Deploy != nil {
		b.deployLimits(&limits, s.Deploy.Resources.Limits)
		b.deployReservations(&reservations, s.Deploy.Resources.Reservations)
	}
	var out swarm.ResourceRequirements
	if limits != (swarm.Limit{}) {
		out.Limits = &limits
	}
	if reservations.NanoCPUs != 0 || reservations.MemoryBytes != 0 || len(reservations.GenericResources) > 0 {
		out.Reservations = &reservations
	}
	if out.Limits == nil && out.Reservations == nil {
		return nil
	}
	return &out
}

func (b *serviceBuilder) deployLimits(limits *swarm.Limit, l *types.Resource) {
	if l == nil {
		return
	}
	if l.NanoCPUs != 0 {
		limits.NanoCPUs = nanoCPUs(float32(l.NanoCPUs))
	}
	if l.MemoryBytes != 0 {
		limits.MemoryBytes = int64(l.MemoryBytes)
	}
	if l.Pids != 0 {
		limits.Pids = max(l.Pids, 0) // -1, unlimited in compose, is swarm's 0
	}
	if len(l.Devices) > 0 {
		b.warn("deploy.resources.limits.devices", "are ignored by Swarm: a service cannot request devices")
	}
	if len(l.GenericResources) > 0 {
		b.warn("deploy.resources.limits.generic_resources", "are ignored by Swarm: generic resources are reserved, not limited; move them under reservations")
	}
}

func (b *serviceBuilder) deployReservations(res *swarm.Resources, r *types.Resource) {
	if r == nil {
		return
	}
	if r.NanoCPUs != 0 {
		res.NanoCPUs = nanoCPUs(float32(r.NanoCPUs))
	}
	if r.MemoryBytes != 0 {
		res.MemoryBytes = int64(r.MemoryBytes)
	}
	for _, g := range r.GenericResources {
		if g.DiscreteResourceSpec == nil {
			continue
		}
		res.GenericResources = append(res.GenericResources, swarm.GenericResource{
			DiscreteResourceSpec: &swarm.DiscreteGenericResource{Kind: g.DiscreteResourceSpec.Kind, Value: g.DiscreteResourceSpec.Value},
		})
	}
	if len(r.Devices) > 0 {
		b.warn("deploy.resources.reservations.devices", "are ignored by Swarm: a service cannot request devices; advertise them as node generic resources and reserve those")
	}
}

// nanoCPUs converts a cpus value. compose-go holds it as a float32, whose
// nearest value to 0.1 is a little more; reading it back as the shortest
// decimal first gives the 100000000 the user wrote, not 100000001.
func nanoCPUs(cpus float32) int64 {
	if cpus == 0 {
		return 0
	}
	v, err := strconv.ParseFloat(strconv.FormatFloat(float64(cpus), 'g', -1, 32), 64)
	if err != nil {
		v = float64(cpus)
	}
	return int64(math.Round(v * 1e9))
}

// restartPolicy is deploy.restart_policy; without one, the service's
// restart, mapped as docker stack maps it. Neither leaves swarm's default,
// which restarts on any exit.
func (b *serviceBuilder) restartPolicy() (*swarm.RestartPolicy, error) {
	if b.s.Deploy != nil && b.s.Deploy.RestartPolicy != nil {
		if b.s.Restart != "" {
			b.warn("restart", "is ignored: deploy.restart_policy is set, and Swarm follows it")
		}
		rp := b.s.Deploy.RestartPolicy
		switch swarm.RestartPolicyCondition(rp.Condition) {
		case "", swarm.RestartPolicyConditionNone, swarm.RestartPolicyConditionOnFailure, swarm.RestartPolicyConditionAny:
		default:
			return nil, b.fail("deploy.restart_policy.condition", "%q is not a condition; use none, on-failure or any", rp.Condition)
		}
		policy := &swarm.RestartPolicy{
			Condition: swarm.RestartPolicyCondition(rp.Condition),
			Delay:     durationPtr(rp.Delay),
			Window:    durationPtr(rp.Window),
		}
		if rp.MaxAttempts != nil {
			n := *rp.MaxAttempts
			policy.MaxAttempts = &n
		}
		return policy, nil
	}
	return b.restartFromRestart()
}

func (b *serviceBuilder) restartFromRestart() (*swarm.RestartPolicy, error) {
	name, attempts, hasAttempts := strings.Cut(b.s.Restart, ":")
	switch name {
	case "":
		return nil, nil
	case types.RestartPolicyNo:
		return &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionNone}, nil
	case types.RestartPolicyAlways, types.RestartPolicyUnlessStopped:
		return &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionAny}, nil
	case types.RestartPolicyOnFailure:
		policy := &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionOnFailure}
		if hasAttempts {
			n, err := strconv.ParseUint(attempts, 10, 64)
			if err != nil {
				return nil, b.fail("restart", "%q: the number of attempts is not a number; write on-failure:3", b.s.Restart)
			}
			policy.MaxAttempts = &n
		}
		return policy, nil
	}
	return nil, b.fail("restart", "%q is not a restart policy; use no, always, unless-stopped or on-failure[:attempts]", b.s.Restart)
}

// placement is deploy.placement, and platform as the nodes a task may run
// on: a swarm node pulls the image for its own platform, so running
// another one is not an option there, only choosing nodes of that one.
func (b *serviceBuilder) placement() (*swarm.Placement, error) {
	var out swarm.Placement
	if d := b.s.Deploy; d != nil {
		out.Constraints = slices.Clone(d.Placement.Constraints)
		for _, pref := range d.Placement.Preferences {
			if pref.Spread == "" {
				return nil, b.fail("deploy.placement.preferences", "a preference without spread; write spread: node.labels.<label>")
			}
			out.Preferences = append(out.Preferences, swarm.PlacementPreference{Spread: &swarm.SpreadOver{SpreadDescriptor: pref.Spread}})
		}
		out.MaxReplicas = d.Placement.MaxReplicas
	}
	if b.s.Platform != "" {
		osName, arch, _ := strings.Cut(b.s.Platform, "/")
		arch, _, _ = strings.Cut(arch, "/") // a node reports no variant to match
		out.Platforms = []swarm.Platform{{OS: osName, Architecture: arch}}
	}
	if len(out.Constraints) == 0 && len(out.Preferences) == 0 && out.MaxReplicas == 0 && len(out.Platforms) == 0 {
		return nil, nil
	}
	return &out, nil
}

// logDriver is logging: the driver and options the nodes log tasks with.
func (b *serviceBuilder) logDriver() *swarm.Driver {
	l := b.s.Logging
	if l == nil || l.Driver == "" && len(l.Options) == 0 {
		return nil
	}
	return &swarm.Driver{Name: l.Driver, Options: maps.Clone(map[string]string(l.Options))}
}
