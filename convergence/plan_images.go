package convergence

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-compose/berth/project"
)

// Values of UpOptions.Pull, as for --pull. PullPolicy (or "") leaves the
// choice to each service's pull_policy; the others override it.
const (
	PullPolicy  = "policy"
	PullMissing = types.PullPolicyMissing
	PullNever   = types.PullPolicyNever
	PullAlways  = types.PullPolicyAlways
)

// images plans a pull per image reference of the selected services that
// must be pulled, and records the pull's ID by reference, so each create
// of a container that runs the image waits for it. Without an image
// snapshot (o.Images nil) there is nothing to decide from: no pulls.
func (u *upPlanner) images(selected []string) error {
	if u.o.Images == nil || u.opts.StartOnly {
		return nil
	}
	names := append([]string(nil), selected...)
	sort.Strings(names) // the first service to need a pull names its reason
	for _, name := range names {
		if err := u.image(u.p.Services[name]); err != nil {
			return err
		}
	}
	return u.orderBuilds()
}

// image decides whether the image of s is pulled, used as it is, or is an
// error: missing and not to be pulled.
func (u *upPlanner) image(s types.ServiceConfig) error {
	ref := project.ImageName(u.p.Name, s)
	_, present := u.o.Images[ref]
	policy, err := u.pullPolicy(s)
	if err != nil {
		return err
	}
	if s.Build != nil {
		if done, err := u.buildOrUse(s, ref, present, policy.name); done || err != nil {
			return err
		}
	}
	switch {
	case s.Image == "" || policy.name == types.PullPolicyBuild:
		if present {
			return nil // built by hand: used as it is
		}
		return fmt.Errorf("service %s has no build section, and its image %s is not on the engine; add image: or build: to it", s.Name, ref)
	case policy.name == types.PullPolicyAlways:
		u.pull(s, ref, policy.origin)
	case !present && policy.name == types.PullPolicyNever:
		return fmt.Errorf("service %s: image %s is not on the engine, and %s forbids pulling it; pull it (berth pull %s) or allow pulls (--pull missing) and run again",
			s.Name, ref, policy.origin, s.Name)
	case !present:
		u.pull(s, ref, "missing")
	case policy.name == types.PullPolicyRefresh:
		if reason := u.refreshDue(ref, policy); reason != "" {
			u.pull(s, ref, reason)
		}
	}
	return nil
}

// pull plans the pull of ref, one however many services run it, and
// names s among the services it is for.
func (u *upPlanner) pull(s types.ServiceConfig, ref, reason string) {
	a := u.b.add(Action{ID: PullImage.ID(ref), Kind: PullImage, Resource: ref, Reason: reason})
	if !slices.Contains(a.Services, s.Name) {
		a.Services = append(a.Services, s.Name) // services come sorted
	}
	u.pulls[ref] = a.ID
}

// servicePull is the pull policy that applies to a service: its name (a
// compose-go PullPolicy* value, refresh intervals as PullPolicyRefresh),
// the interval of a refresh, and how to name its origin in plan text and
// errors.
type servicePull struct {
	name   string
	window time.Duration
	origin string
}

// pullPolicy is the policy that applies to s: --pull when given, else the
// service's pull_policy.
func (u *upPlanner) pullPolicy(s types.ServiceConfig) (servicePull, error) {
	if p := u.opts.Pull; p != "" && p != PullPolicy {
		return servicePull{name: p, origin: "--pull " + p}, nil
	}
	name, window, err := s.GetPullPolicy()
	if err != nil {
		return servicePull{}, fmt.Errorf("service %s: %w; use always, missing, never, build, daily, weekly or every_<duration>", s.Name, err)
	}
	switch {
	case name == types.PullPolicyIfNotPresent:
		name = types.PullPolicyMissing
	case name == types.PullPolicyRefresh && window <= 0:
		// "refresh" alone gives no interval to refresh by: nothing tells
		// when a present image is due, so only a missing one is pulled.
		name = types.PullPolicyMissing
	}
	origin := "pull_policy: " + name
	if name == types.PullPolicyRefresh {
		origin = "pull_policy: " + s.PullPolicy
	}
	return servicePull{name: name, window: window, origin: origin}, nil
}

// refreshDue says why a present image of a refresh policy (daily, weekly,
// every_<duration>) is pulled again, "" while its last pull is recent
// enough. The last pull is Observed.ImagesPulledAt's (unknown: due now).
func (u *upPlanner) refreshDue(ref string, policy servicePull) string {
	last, known := u.o.ImagesPulledAt[ref]
	switch {
	case !known || last.IsZero():
		return policy.origin + ", no pull on record"
	case !u.opts.Now.Before(last.Add(policy.window)):
		return fmt.Sprintf("%s, last pulled %s ago", policy.origin, u.opts.Now.Sub(last).Round(time.Minute))
	}
	return ""
}

// pullOf is the ID of the pull a container of s waits for, "" when its
// image is not pulled.
func (u *upPlanner) pullOf(s types.ServiceConfig) ActionID {
	return u.pulls[project.ImageName(u.p.Name, s)]
}

// pullsFirst makes every action of plan that waits for nothing wait for
// every pull, so nothing else starts until all images are there: a pull
// that fails (a registry out of reach, a login refused) then leaves the
// engine as it was, with no network, volume or container made for a
// project that cannot run. Docker compose pulls before it creates
// anything, too.
func pullsFirst(plan *Plan) {
	var pulls []ActionID
	for _, a := range plan.Actions {
		if a.Kind == PullImage {
			pulls = append(pulls, a.ID)
		}
	}
	if len(pulls) == 0 {
		return
	}
	for i, a := range plan.Actions {
		if a.Kind != PullImage && len(a.After) == 0 {
			plan.Actions[i].After = mergeIDs(nil, pulls)
		}
	}
}
