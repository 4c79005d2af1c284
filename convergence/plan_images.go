package convergence

import (
	"fmt"
	"sort"

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
	policy, reason, err := u.pullPolicy(s)
	if err != nil {
		return err
	}
	if s.Build != nil {
		if done, err := u.buildOrUse(s, ref, present, policy); done || err != nil {
			return err
		}
	}
	switch {
	case s.Image == "" || policy == types.PullPolicyBuild:
		if present {
			return nil // built by hand: used as it is
		}
		return fmt.Errorf("service %s has no build section, and its image %s is not on the engine; add image: or build: to it", s.Name, ref)
	case policy == types.PullPolicyAlways:
		u.pull(ref, reason)
	case present:
	case policy == types.PullPolicyNever:
		return fmt.Errorf("service %s: image %s is not on the engine, and %s forbids pulling it; pull or build it first", s.Name, ref, reason)
	default:
		u.pull(ref, "missing")
	}
	return nil
}

func (u *upPlanner) pull(ref, reason string) {
	a := u.b.add(Action{ID: PullImage.ID(ref), Kind: PullImage, Resource: ref, Reason: reason})
	u.pulls[ref] = a.ID
}

// pullPolicy is the policy that applies to s, and how to name its origin
// in plan text and errors: --pull when given, else the service's
// pull_policy.
func (u *upPlanner) pullPolicy(s types.ServiceConfig) (policy, origin string, err error) {
	if p := u.opts.Pull; p != "" && p != PullPolicy {
		return p, "--pull " + p, nil
	}
	policy, _, err = s.GetPullPolicy()
	if err != nil {
		return "", "", fmt.Errorf("service %s: %w", s.Name, err)
	}
	switch policy {
	case types.PullPolicyIfNotPresent:
		policy = types.PullPolicyMissing
	case types.PullPolicyRefresh:
		// Refreshing needs when the image was last pulled, which the
		// engine does not keep; pulling only a missing image is the
		// closest that never pulls too often.
		u.warn(fmt.Sprintf("service %s: pull_policy %s is not supported yet; its image is pulled only when missing", s.Name, s.PullPolicy))
		policy = types.PullPolicyMissing
	}
	return policy, "pull_policy: " + policy, nil
}

// pullOf is the ID of the pull a container of s waits for, "" when its
// image is not pulled.
func (u *upPlanner) pullOf(s types.ServiceConfig) ActionID {
	return u.pulls[project.ImageName(u.p.Name, s)]
}
