package cmd

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-compose/berth/convergence"
	"github.com/berth-compose/berth/credentials"
	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/project"
	"github.com/berth-compose/berth/pulltimes"
)

// registryState is what a session knows of registries: the logins the
// docker CLI keeps, read on the first pull or push (a command that moves
// no image never reads them), and the record of pulls. It is safe for
// concurrent use: pulls run in parallel.
type registryState struct {
	once   sync.Once
	logins *credentials.Store
	err    error
	mu     sync.Mutex // serialises warnings to the error stream
}

// registryAuth is the login of the registry that holds ref, as Apply asks
// for it. A config.json that cannot be read fails the pull, saying why,
// rather than pulling anonymously: a silent anonymous pull of a private
// image would fail with a less helpful error.
func (s *session) registryAuth(ref string) (engine.RegistryAuth, error) {
	return s.login(func(logins *credentials.Store) (credentials.Auth, error) { return logins.ForImage(ref) })
}

// registryAuthForHost is registryAuth for a registry named by its host,
// as a build's session asks for a base image's login.
func (s *session) registryAuthForHost(host string) (engine.RegistryAuth, error) {
	return s.login(func(logins *credentials.Store) (credentials.Auth, error) {
		return logins.Get(credentials.KeyForHost(host))
	})
}

// login reads the logins once, then one of them with get.
func (s *session) login(get func(*credentials.Store) (credentials.Auth, error)) (engine.RegistryAuth, error) {
	r := &s.registries
	r.once.Do(func() { r.logins, r.err = credentials.Load(s.deps.Getenv) })
	if r.err != nil {
		return engine.RegistryAuth{}, r.err
	}
	a, err := get(r.logins)
	if err != nil {
		return engine.RegistryAuth{}, err
	}
	return engine.RegistryAuth{ServerAddress: a.ServerAddress, Username: a.Username, Password: a.Password,
		IdentityToken: a.IdentityToken, RegistryToken: a.RegistryToken}, nil
}

// pullBook is the record of this engine's pulls.
func (s *session) pullBook() *pulltimes.Book {
	host := ""
	if ep, err := engine.ResolveEndpoint(s.deps.Getenv); err == nil {
		host = ep.Host
	}
	return pulltimes.Open(s.deps.Getenv, host)
}

// recordPull notes a pull for the refresh pull policies. Failing to note
// it only warns: the pull itself worked, and the worst outcome is an
// early pull next time.
func (s *session) recordPull(ref string) {
	if err := s.pullBook().Record(ref, time.Now()); err != nil {
		s.registries.mu.Lock()
		defer s.registries.mu.Unlock()
		fmt.Fprintln(s.deps.Err, "warning:", err)
	}
}

// withPullTimes adds, for the images of services with a refresh pull
// policy (daily, weekly, every_<duration>), when each was last pulled:
// the later of berth's record and the engine's last tag time, which is
// where docker compose looks. Projects without such a policy cost nothing.
func (s *session) withPullTimes(ctx context.Context, o *convergence.Observed) (*convergence.Observed, error) {
	refs := refreshedImages(s.project, o.Images)
	if len(refs) == 0 || o.ImagesPulledAt != nil {
		return o, nil
	}
	times, err := s.pullBook().Last(refs)
	if err != nil {
		// A record berth cannot read only costs a pull: the images count
		// as due, as if never pulled.
		fmt.Fprintln(s.deps.Err, "warning:", err)
		times = map[string]time.Time{}
	}
	for _, ref := range refs {
		img, err := s.engine.InspectImage(ctx, ref)
		if err != nil {
			return nil, err
		}
		if img.LastTagTime.After(times[ref]) {
			times[ref] = img.LastTagTime
		}
	}
	withTimes := *o
	withTimes.ImagesPulledAt = times
	return &withTimes, nil
}

// refreshedImages lists, sorted, the present images of services whose
// pull_policy refreshes them.
func refreshedImages(p *types.Project, images map[string]string) []string {
	refs := map[string]bool{}
	for _, svc := range p.Services {
		ref := project.ImageName(p.Name, svc)
		if _, present := images[ref]; present && refreshes(svc) {
			refs[ref] = true
		}
	}
	return slices.Sorted(maps.Keys(refs))
}

// refreshes: the service's pull_policy pulls again after an interval.
func refreshes(svc types.ServiceConfig) bool {
	policy, window, err := svc.GetPullPolicy()
	return err == nil && policy == types.PullPolicyRefresh && window > 0
}
