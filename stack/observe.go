package stack

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/moby/moby/api/types/swarm"

	"github.com/berth-compose/berth/engine"
)

// Reader is what observing and waiting ask of the engine.
type Reader interface {
	SwarmStatus(ctx context.Context) (engine.SwarmStatus, error)
	ListServices(ctx context.Context, f engine.Filter) ([]swarm.Service, error)
	InspectService(ctx context.Context, id string) (swarm.Service, error)
	ListTasks(ctx context.Context, serviceID string) ([]swarm.Task, error)
	TaskLogs(ctx context.Context, taskID string, tail int) (string, error)
	StreamServiceLogs(ctx context.Context, serviceID string, opts engine.LogOptions, stdout, stderr io.Writer) error
	ListNodes(ctx context.Context) ([]swarm.Node, error)
	ListConfigs(ctx context.Context, f engine.Filter) ([]swarm.Config, error)
	ListSecrets(ctx context.Context, f engine.Filter) ([]swarm.Secret, error)
	ListNetworks(ctx context.Context, f engine.Filter) ([]engine.Network, error)
}

// Engine is what deploying and removing a stack ask of the engine.
type Engine interface {
	Reader
	ImageDigest(ctx context.Context, ref string, auth engine.RegistryAuth) (string, error)
	InspectNetwork(ctx context.Context, name string) (engine.Network, error)
	CreateService(ctx context.Context, spec swarm.ServiceSpec, auth engine.RegistryAuth) (string, []string, error)
	UpdateService(ctx context.Context, id string, version uint64, spec swarm.ServiceSpec, auth engine.RegistryAuth) ([]string, error)
	RemoveService(ctx context.Context, id string) error
	CreateConfig(ctx context.Context, spec swarm.ConfigSpec) (string, error)
	CreateSecret(ctx context.Context, spec swarm.SecretSpec) (string, error)
	RemoveConfig(ctx context.Context, id string) error
	RemoveSecret(ctx context.Context, id string) error
	CreateNetwork(ctx context.Context, spec engine.NetworkSpec) (string, error)
	RemoveNetwork(ctx context.Context, id string) error
	ListContainers(ctx context.Context, f engine.Filter) ([]engine.Container, error)
	RemoveContainer(ctx context.Context, id string, opts engine.RemoveOptions) error
}

// Observed is one snapshot of a stack: every object labelled with its
// namespace. The planners read only this.
type Observed struct {
	Namespace string
	// Services maps the compose service name (the swarm name without the
	// "<namespace>_" prefix) to the service.
	Services map[string]swarm.Service
	Configs  []swarm.Config
	Secrets  []swarm.Secret
	Networks []engine.Network
}

// NotManagerError says the engine cannot take services: it is outside a
// swarm, or a worker.
type NotManagerError struct{ Status engine.SwarmStatus }

func (e *NotManagerError) Error() string {
	switch {
	case e.Status.LocalState != "active":
		msg := fmt.Sprintf("the Docker engine is not part of a swarm (swarm state %q)", e.Status.LocalState)
		if e.Status.Error != "" {
			msg += ": " + e.Status.Error
		}
		return msg + "; run `docker swarm init` to make it a one-node swarm, or point DOCKER_HOST at a manager"
	default:
		return "the Docker engine is a swarm worker, and only managers take services: point DOCKER_HOST (or --context) at a manager node"
	}
}

// CheckManager fails with a NotManagerError unless the engine manages a
// swarm.
func CheckManager(ctx context.Context, e Reader) error {
	st, err := e.SwarmStatus(ctx)
	if err != nil {
		return err
	}
	if st.LocalState != "active" || !st.ControlAvailable {
		return &NotManagerError{Status: st}
	}
	return nil
}

// Observe lists the stack's services, configs, secrets and networks: one
// call per kind, all by the namespace label.
func Observe(ctx context.Context, e Reader, namespace string) (*Observed, error) {
	f := engine.Filter{Labels: []string{LabelNamespace + "=" + namespace}}
	o := &Observed{Namespace: namespace, Services: map[string]swarm.Service{}}
	services, err := e.ListServices(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("listing the services of stack %s: %w", namespace, err)
	}
	for _, s := range services {
		o.Services[strings.TrimPrefix(s.Spec.Name, namespace+"_")] = s
	}
	if o.Configs, err = e.ListConfigs(ctx, f); err != nil {
		return nil, fmt.Errorf("listing the configs of stack %s: %w", namespace, err)
	}
	if o.Secrets, err = e.ListSecrets(ctx, f); err != nil {
		return nil, fmt.Errorf("listing the secrets of stack %s: %w", namespace, err)
	}
	if o.Networks, err = e.ListNetworks(ctx, f); err != nil {
		return nil, fmt.Errorf("listing the networks of stack %s: %w", namespace, err)
	}
	return o, nil
}

// Empty reports whether the engine holds nothing of the stack.
func (o *Observed) Empty() bool {
	return len(o.Services) == 0 && len(o.Configs) == 0 && len(o.Secrets) == 0 && len(o.Networks) == 0
}
