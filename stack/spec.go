package stack

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/swarm"
)

// The labels docker stack puts on what it deploys. berth uses the same
// ones, so `docker stack ps` and `docker stack rm` see a berth stack as a
// stack, and berth finds the objects of a stack docker deployed.
const (
	labelNamespace = "com.docker.stack.namespace"
	labelImage     = "com.docker.stack.image"
)

// ObjectRef names a config or secret object in the swarm.
type ObjectRef struct{ ID, Name string }

// Refs is what translation needs from the deploy: what only the engine or
// the plan knows.
type Refs struct {
	// Namespace is the stack's name: the project name.
	Namespace string
	// Images maps a service name to the image its tasks run: the
	// digest-pinned reference where berth resolved one, else the service's
	// image.
	Images map[string]string
	// Configs and Secrets map a project's config or secret key to the
	// object this deploy uses for it.
	Configs map[string]ObjectRef
	Secrets map[string]ObjectRef
}

// Warning is an attribute that Swarm ignores, said once per service.
type Warning struct {
	Service   string
	Attribute string // as the compose file spells it, e.g. "container_name"
	// Text follows the attribute's name: what becomes of it on Swarm and
	// why, e.g. "is ignored by Swarm: tasks are named by the swarm".
	Text string
}

func (w Warning) String() string {
	return fmt.Sprintf("service %q: %s %s", w.Service, w.Attribute, w.Text)
}

// ServiceName is the swarm service's name for a project's service:
// "<namespace>_<service>", as docker stack names them.
func ServiceName(namespace, service string) string {
	return namespace + "_" + service
}

// ServiceSpec translates one service. An attribute that would make the
// service wrong without it is an error naming the service and attribute and
// saying what to do; one Swarm merely ignores is a Warning.
//
// The spec is a pure function of its inputs, with every list that comes
// from a map sorted, so the same project always marshals to the same JSON
// and the caller can hash it to tell whether a service changed.
//
// It translates every attribute the API types can carry, including some
// that engines older than the newest API drop without a word; the caller
// strips or warns about them by the negotiated version. Beyond API 1.41
// (Docker 20.10) these are: ContainerSpec.OomScoreAdj (1.46),
// Healthcheck.StartInterval (1.44), Mount.VolumeOptions.Subpath (1.45),
// Mount.BindOptions.ReadOnlyNonRecursive and ReadOnlyForceRecursive (1.44),
// Mount.TmpfsOptions.Options (1.46) and Mount.ImageOptions (image mounts).
func ServiceSpec(p *types.Project, s types.ServiceConfig, refs Refs) (swarm.ServiceSpec, []Warning, error) {
	b := &serviceBuilder{p: p, s: s, refs: refs, warned: map[string]bool{}}
	spec, err := b.build()
	if err != nil {
		return swarm.ServiceSpec{}, nil, err
	}
	slices.SortStableFunc(b.warnings, func(x, y Warning) int { return strings.Compare(x.Attribute, y.Attribute) })
	return spec, b.warnings, nil
}

// serviceBuilder carries the inputs of one translation and collects its
// warnings, so each attribute's function stays small.
type serviceBuilder struct {
	p        *types.Project
	s        types.ServiceConfig
	refs     Refs
	warnings []Warning
	// warned holds the attributes already warned about: a service with ten
	// devices hears about devices once.
	warned map[string]bool
}

// warn records that attribute is ignored or changed, once per service.
func (b *serviceBuilder) warn(attribute, format string, args ...any) {
	if b.warned[attribute] {
		return
	}
	b.warned[attribute] = true
	b.warnings = append(b.warnings, Warning{Service: b.s.Name, Attribute: attribute, Text: fmt.Sprintf(format, args...)})
}

// fail is the error for an attribute the service cannot be deployed with.
func (b *serviceBuilder) fail(attribute, format string, args ...any) error {
	return fmt.Errorf("service %q: %s: %s", b.s.Name, attribute, fmt.Sprintf(format, args...))
}

// wrap names the service and attribute an underlying error concerns.
func (b *serviceBuilder) wrap(attribute string, err error) error {
	return fmt.Errorf("service %q: %s: %w", b.s.Name, attribute, err)
}

func (b *serviceBuilder) build() (swarm.ServiceSpec, error) {
	if err := b.checkImage(); err != nil {
		return swarm.ServiceSpec{}, err
	}
	task, err := b.taskSpec()
	if err != nil {
		return swarm.ServiceSpec{}, err
	}
	mode, err := b.mode()
	if err != nil {
		return swarm.ServiceSpec{}, err
	}
	update, rollback, err := b.updateConfigs(mode)
	if err != nil {
		return swarm.ServiceSpec{}, err
	}
	endpoint, err := b.endpointSpec()
	if err != nil {
		return swarm.ServiceSpec{}, err
	}
	b.warnIgnored()
	return swarm.ServiceSpec{
		Annotations:    swarm.Annotations{Name: ServiceName(b.refs.Namespace, b.s.Name), Labels: b.serviceLabels()},
		TaskTemplate:   task,
		Mode:           mode,
		UpdateConfig:   update,
		RollbackConfig: rollback,
		EndpointSpec:   endpoint,
	}, nil
}

func (b *serviceBuilder) taskSpec() (swarm.TaskSpec, error) {
	container, err := b.containerSpec()
	if err != nil {
		return swarm.TaskSpec{}, err
	}
	restart, err := b.restartPolicy()
	if err != nil {
		return swarm.TaskSpec{}, err
	}
	placement, err := b.placement()
	if err != nil {
		return swarm.TaskSpec{}, err
	}
	networks, err := b.networks()
	if err != nil {
		return swarm.TaskSpec{}, err
	}
	return swarm.TaskSpec{
		ContainerSpec: container,
		Resources:     b.resources(),
		RestartPolicy: restart,
		Placement:     placement,
		Networks:      networks,
		LogDriver:     b.logDriver(),
	}, nil
}

// serviceLabels label the service itself: deploy.labels, then the stack's
// own, which a user's label cannot displace.
func (b *serviceBuilder) serviceLabels() map[string]string {
	labels := map[string]string{}
	if b.s.Deploy != nil {
		maps.Copy(labels, b.s.Deploy.Labels)
	}
	labels[labelNamespace] = b.refs.Namespace
	labels[labelImage] = b.s.Image
	return labels
}

// containerLabels label every task's container: the service's labels and
// the namespace.
func (b *serviceBuilder) containerLabels() map[string]string {
	labels := maps.Clone(map[string]string(b.s.Labels))
	if labels == nil {
		labels = map[string]string{}
	}
	labels[labelNamespace] = b.refs.Namespace
	return labels
}

// image is what the tasks run: the reference the deploy resolved, else the
// service's image as written.
func (b *serviceBuilder) image() string {
	if ref := b.refs.Images[b.s.Name]; ref != "" {
		return ref
	}
	return b.s.Image
}

// checkImage: every node pulls the image from a registry, so a service
// that is only built has nothing to run there.
func (b *serviceBuilder) checkImage() error {
	if b.s.Image != "" {
		if b.s.Build != nil {
			b.warn("build", "is ignored by Swarm: nodes pull image %s; build and push it first (berth build --push)", b.s.Image)
		}
		return nil
	}
	if b.s.Build != nil {
		return b.fail("build", "Swarm nodes cannot build; set image: to a registry name (such as registry.example.com/%s) and run berth build --push first", b.s.Name)
	}
	return b.fail("image", "is not set; every Swarm service needs an image from a registry")
}
