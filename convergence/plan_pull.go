package convergence

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"

	"github.com/berth-compose/berth/progress"
)

// ImagePlan is the plan of `pull` or `push`: an action per distinct image,
// and the services it leaves alone.
type ImagePlan struct {
	Plan    *Plan
	Skipped []Skip
}

// Skip is a service that `pull` or `push` leaves alone, and why.
type Skip struct {
	Service string
	Image   string // "" when the service names none
	Why     string // "No image to be pulled", "Image can be built"...; "" says only "Skipped"
}

// Emit shows each skip as docker compose does: under the image when the
// service has one, else under the service.
func (ip *ImagePlan) Emit(sink progress.Sink, now time.Time) {
	for _, s := range ip.Skipped {
		e := progress.Event{Kind: progress.Image, Name: s.Image, Status: progress.Done, Text: "Skipped", Time: now}
		if s.Image == "" {
			e.Kind, e.Name = progress.Service, s.Service
		}
		if s.Why != "" {
			e.Text += " - " + s.Why
		}
		sink.Emit(e)
	}
}

// PullOptions are the choices of `pull`.
type PullOptions struct {
	// Policy is --policy: "" leaves each service's pull_policy; "missing"
	// or "always" overrides it for every service that names an image.
	Policy          string
	IgnoreBuildable bool // skip services that have a build section
	// IgnoreFailures makes every pull's failure a warning. A pull for
	// services that can all be built warns anyway: building is the way out.
	IgnoreFailures bool
}

// PlanPull plans `pull` of the services named (sorted, selection already
// made), given the image ids the engine holds by reference. Each distinct
// image is pulled once, however many services run it and however they
// spell it ("busybox" and "docker.io/library/busybox:latest" are one).
// As in docker compose, with no policy an image is pulled even when the
// engine has it: that is what `pull` is for.
func PlanPull(p *types.Project, services []string, images map[string]string, opts PullOptions) (*ImagePlan, error) {
	ip, b := &ImagePlan{}, newBuilder()
	pulls := map[string]*Action{}
	for _, name := range sorted(services) {
		s := p.Services[name]
		skip, reason := pullDecision(s, images, opts)
		if skip != nil {
			ip.Skipped = append(ip.Skipped, *skip)
			continue
		}
		key, err := imageKey(s.Image)
		if err != nil {
			return nil, fmt.Errorf("service %s: %w", s.Name, err)
		}
		a, seen := pulls[key]
		if !seen {
			a = b.add(Action{ID: PullImage.ID(s.Image), Kind: PullImage, Resource: s.Image, Reason: reason,
				Optional: true})
			pulls[key] = a
		}
		a.Services = append(a.Services, s.Name)
		// Only a failure with a way out is a warning: any service that
		// cannot be built makes it an error, unless failures are ignored.
		a.Optional = a.Optional && (opts.IgnoreFailures || s.Build != nil)
	}
	plan, err := b.plan()
	if err != nil {
		return nil, err
	}
	ip.Plan = plan
	return ip, nil
}

// pullDecision says why `pull` leaves s alone (nil: it pulls), else the
// reason its pull shows in plan text.
func pullDecision(s types.ServiceConfig, images map[string]string, opts PullOptions) (*Skip, string) {
	if s.Image == "" {
		return &Skip{Service: s.Name, Why: "No image to be pulled"}, ""
	}
	policy, origin := s.PullPolicy, "pull_policy: "+s.PullPolicy
	if opts.Policy != "" {
		policy, origin = opts.Policy, "--policy "+opts.Policy
	}
	_, present := images[s.Image]
	switch {
	case policy == types.PullPolicyNever || policy == types.PullPolicyBuild:
		return &Skip{Service: s.Name, Image: s.Image}, ""
	case (policy == types.PullPolicyMissing || policy == types.PullPolicyIfNotPresent) && present && !floatingTag(s.Image):
		return &Skip{Service: s.Name, Image: s.Image, Why: "Image is already present locally"}, ""
	case s.Build != nil && opts.IgnoreBuildable:
		return &Skip{Service: s.Name, Image: s.Image, Why: "Image can be built"}, ""
	case policy == "":
		origin = ""
	}
	return nil, origin
}

// floatingTag: an image tagged latest (or untagged, which is latest) may
// have moved on in its registry, so docker compose pulls it even under
// the missing policy when pulling on purpose.
func floatingTag(ref string) bool {
	named, err := reference.ParseDockerRef(ref)
	if err != nil {
		return false
	}
	tagged, ok := named.(reference.Tagged)
	return ok && tagged.Tag() == "latest"
}

// imageKey is the reference as the engine reads it, so that two
// spellings of one image make one pull or push.
func imageKey(ref string) (string, error) {
	named, err := reference.ParseDockerRef(ref)
	if err != nil {
		return "", fmt.Errorf("image %q is not a valid reference: %w", ref, err)
	}
	return named.String(), nil
}

// PushOptions are the choices of `push`.
type PushOptions struct {
	IgnoreFailures bool // a failed push only warns
}

// PlanPush plans `push` of the services named: as in docker compose, only
// services that are built and name their image push it, under that name
// and each of their build tags; the others are skipped.
func PlanPush(p *types.Project, services []string, opts PushOptions) (*ImagePlan, error) {
	ip, b := &ImagePlan{}, newBuilder()
	pushes := map[string]*Action{}
	for _, name := range sorted(services) {
		s := p.Services[name]
		if s.Build == nil || s.Image == "" {
			ip.Skipped = append(ip.Skipped, Skip{Service: s.Name})
			continue
		}
		for _, ref := range append([]string{s.Image}, s.Build.Tags...) {
			key, err := imageKey(ref)
			if err != nil {
				return nil, fmt.Errorf("service %s: %w", s.Name, err)
			}
			a, seen := pushes[key]
			if !seen {
				a = b.add(Action{ID: PushImage.ID(ref), Kind: PushImage, Resource: ref, Optional: opts.IgnoreFailures})
				pushes[key] = a
			}
			if !slices.Contains(a.Services, s.Name) {
				a.Services = append(a.Services, s.Name)
			}
		}
	}
	plan, err := b.plan()
	if err != nil {
		return nil, err
	}
	ip.Plan = plan
	return ip, nil
}

func sorted(names []string) []string {
	out := slices.Clone(names)
	sort.Strings(out)
	return slices.Compact(out)
}
