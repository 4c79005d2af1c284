package convergence

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/container"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/project"
)

// SpecOptions is what a container spec needs beyond the project: facts only
// the engine knows, and the state of the container being replaced.
type SpecOptions struct {
	// Name is the name to create the container under; empty means
	// ContainerName. A recreate first creates under a temporary name, and a
	// Name other than ContainerName is also what adds LabelReplace.
	Name string
	// ImageID is the id of the service's image, for LabelImage; empty
	// leaves the label out, as docker compose does for an image it lacks.
	ImageID string
	// Version is the compose-compatible version berth reports in
	// LabelVersion.
	Version string
	// APIVersion is the negotiated engine API version, such as "1.41";
	// empty means a current engine. Before 1.44 a container is created on
	// one network only (see ExtraNetworks) and has no per-network MAC.
	APIVersion string
	// InheritMounts are the anonymous volumes of the container being
	// replaced. They are mounted again at the same place, so their data
	// survives a recreate; nil (--renew-anon-volumes) starts afresh.
	InheritMounts []engine.Mount
	// ImageVolumes, when known, are the VOLUME paths the image declares:
	// only those and the service's own anonymous volumes are inherited, as
	// in docker compose. Nil inherits every anonymous volume no service
	// mount claims, which is what an image VOLUME is.
	ImageVolumes []string
	// EnvFiles are the --env-file paths, for LabelEnvironmentFile.
	EnvFiles []string
	// ServiceContainer resolves network_mode, ipc and pid "service:X" and
	// volumes_from service references to X's first container. docker
	// compose uses the container id; a name works for the engine too.
	ServiceContainer func(service string) string
	// ConfigHash overrides the LabelConfigHash value, which is otherwise
	// ServiceHash of the service as given (see ExpectedConfigHash).
	ConfigHash string
	// ProxyEnv is the docker CLI configuration's proxy environment
	// (HTTP_PROXY...), which docker compose gives every container; the
	// service's environment wins over it.
	ProxyEnv map[string]string
	// Slug, when set, makes the container a one-off (`run`): LabelOneoff
	// True, and the slug in LabelSlug.
	Slug string
	// OnlyNameAlias gives the container no network alias but its own name:
	// a one-off must not answer for its service unless --use-aliases.
	OnlyNameAlias bool
}

// ContainerName is the name of container number of s: its container_name,
// else <project>-<service>-<number>, as docker compose names it.
func ContainerName(projectName string, s types.ServiceConfig, number int) string {
	if s.ContainerName != "" {
		return s.ContainerName
	}
	return projectName + "-" + s.Name + "-" + strconv.Itoa(number)
}

// ContainerSpecFor translates container number of service s into what the
// engine creates it from, the way docker compose does, so the containers of
// either tool can replace the other's. It returns a warning for each
// attribute berth cannot honour, and an *UnsupportedError for one that it
// cannot honour without breaking the service.
func ContainerSpecFor(p *types.Project, s types.ServiceConfig, number int, o SpecOptions) (engine.ContainerSpec, []string, error) {
	b := &specBuilder{p: p, s: s, number: number, o: o, name: ContainerName(p.Name, s, number)}
	spec, err := b.build()
	var unsupported *UnsupportedError
	if errors.As(err, &unsupported) {
		return engine.ContainerSpec{}, nil, err // it names the service already
	}
	if err != nil {
		return engine.ContainerSpec{}, nil, fmt.Errorf("service %s: %w", s.Name, err)
	}
	return spec, b.warnings, nil
}

// UnsupportedError names an attribute berth cannot honour yet and whose
// absence would break the service, such as a secret the container needs.
type UnsupportedError struct {
	Service   string
	Attribute string
	Reason    string
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("service %q: %s is not supported by berth yet: %s", e.Service, e.Attribute, e.Reason)
}

// specBuilder carries the inputs of one translation and collects its
// warnings, so each attribute's function stays small.
type specBuilder struct {
	p        *types.Project
	s        types.ServiceConfig
	number   int
	o        SpecOptions
	name     string // the container's final name
	warnings []string
}

func (b *specBuilder) warn(format string, args ...any) {
	b.warnings = append(b.warnings, fmt.Sprintf("service %q: ", b.s.Name)+fmt.Sprintf(format, args...))
}

func (b *specBuilder) build() (engine.ContainerSpec, error) {
	refs, err := resolveRefs(b.s, b.o.ServiceContainer)
	if err != nil {
		return engine.ContainerSpec{}, err
	}
	cfg, err := b.config()
	if err != nil {
		return engine.ContainerSpec{}, err
	}
	host, err := b.hostConfig(refs)
	if err != nil {
		return engine.ContainerSpec{}, err
	}
	mode, networking, err := b.networking(refs.networkMode, host.Links)
	if err != nil {
		return engine.ContainerSpec{}, err
	}
	host.NetworkMode = mode
	b.warnUnsupported()
	files, err := InjectedFiles(b.p, b.s)
	if err != nil {
		return engine.ContainerSpec{}, err
	}
	if len(files) > 0 {
		cfg.Labels[LabelFilesHash] = FilesHash(files)
	}
	name := b.o.Name
	if name == "" {
		name = b.name
	}
	return engine.ContainerSpec{Name: name, Config: cfg, Host: host, Networking: networking, Platform: b.s.Platform, Files: files}, nil
}

// config is the portable part of the spec.
func (b *specBuilder) config() (*container.Config, error) {
	s := b.s
	labels, err := containerLabels(b.p, s, b.number, b.o)
	if err != nil {
		return nil, err
	}
	exposed, err := exposedPorts(s)
	if err != nil {
		return nil, err
	}
	health, err := b.healthcheck()
	if err != nil {
		return nil, err
	}
	return &container.Config{
		Hostname:   s.Hostname,
		Domainname: s.DomainName,
		User:       s.User,
		// up never attaches stdin (run does, below); the output streams are always attached,
		// as docker compose does, so `logs` and `attach` see them.
		AttachStdout: true,
		AttachStderr: true,
		ExposedPorts: exposed,
		Tty:          s.Tty,
		OpenStdin:    s.StdinOpen,
		// A one-off's input is run's: when it ends, the command reads end
		// of file and its output goes on, as with docker run -i.
		StdinOnce:       b.o.Slug != "" && s.StdinOpen,
		AttachStdin:     b.o.Slug != "" && s.StdinOpen,
		Env:             b.environment(),
		Cmd:             slices.Clone([]string(s.Command)), // nil keeps the image's; [] clears it
		Healthcheck:     health,
		Image:           project.ImageName(b.p.Name, s),
		WorkingDir:      s.WorkingDir,
		Entrypoint:      slices.Clone([]string(s.Entrypoint)),
		NetworkDisabled: s.NetworkMode == "disabled",
		Labels:          labels,
		StopSignal:      s.StopSignal,
		StopTimeout:     durationSeconds(s.StopGracePeriod),
	}, nil
}

// environment is KEY=VALUE sorted, over the proxy defaults. A variable
// without a value is passed as a bare KEY, as docker compose does: the
// engine then leaves it unset.
func (b *specBuilder) environment() []string {
	env := map[string]*string{}
	for k, v := range b.o.ProxyEnv {
		env[k] = &v
	}
	maps.Copy(env, b.s.Environment)
	return EnvironmentList(env)
}

// EnvironmentList is env as the engine takes it: sorted KEY=VALUE, and a
// bare KEY for a variable without a value, which unsets it in the
// container (the Compose Specification's meaning).
func EnvironmentList(env types.MappingWithEquals) []string {
	if len(env) == 0 {
		return nil
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		if v == nil {
			out = append(out, k)
			continue
		}
		out = append(out, k+"="+*v)
	}
	sort.Strings(out)
	return out
}

// healthcheck: durations in nanoseconds; disable becomes the test NONE.
func (b *specBuilder) healthcheck() (*container.HealthConfig, error) {
	h := b.s.HealthCheck
	if h == nil {
		return nil, nil
	}
	out := &container.HealthConfig{Test: slices.Clone([]string(h.Test))}
	if h.Disable {
		out.Test = []string{"NONE"}
	}
	out.Interval = duration(h.Interval)
	out.Timeout = duration(h.Timeout)
	out.StartPeriod = duration(h.StartPeriod)
	if h.Retries != nil {
		out.Retries = int(*h.Retries)
	}
	if h.StartInterval != nil {
		if apiBefore(b.o.APIVersion, "1.44") {
			b.warn("healthcheck.start_interval is ignored: it needs Docker Engine 25 (API 1.44), this engine speaks API %s", b.o.APIVersion)
		} else {
			out.StartInterval = duration(h.StartInterval)
		}
	}
	return out, nil
}

func duration(d *types.Duration) time.Duration {
	if d == nil {
		return 0
	}
	return time.Duration(*d)
}

// durationSeconds is stop_grace_period as the engine's StopTimeout: whole
// seconds, truncated as docker compose does.
func durationSeconds(d *types.Duration) *int {
	if d == nil {
		return nil
	}
	secs := int(time.Duration(*d).Seconds())
	return &secs
}

// restartPolicy: restart, which deploy.restart_policy overrides.
func (b *specBuilder) restartPolicy() container.RestartPolicy {
	var policy container.RestartPolicy
	if b.s.Restart != "" {
		name, retries, _ := strings.Cut(b.s.Restart, ":")
		policy.Name = restartMode(name)
		policy.MaximumRetryCount, _ = strconv.Atoi(retries)
	}
	if b.s.Deploy == nil || b.s.Deploy.RestartPolicy == nil {
		return policy
	}
	rp := b.s.Deploy.RestartPolicy
	policy = container.RestartPolicy{Name: restartMode(rp.Condition)}
	if rp.MaxAttempts != nil {
		policy.MaximumRetryCount = int(*rp.MaxAttempts)
	}
	if rp.Delay != nil || rp.Window != nil {
		b.warn("deploy.restart_policy.delay and .window are ignored: the engine restarts at once, with its own back-off")
	}
	return policy
}

// restartMode maps both spellings, restart's and deploy.restart_policy's.
func restartMode(condition string) container.RestartPolicyMode {
	switch condition {
	case "none", "no":
		return container.RestartPolicyDisabled
	case "any", "always":
		return container.RestartPolicyAlways
	default: // on-failure, unless-stopped, and whatever the engine judges
		return container.RestartPolicyMode(condition)
	}
}

// securityOpts passes security_opt on, except that a seccomp profile file is
// sent inline (the engine cannot read the client's files), and
// systempaths=unconfined becomes empty masked and read-only path lists.
func (b *specBuilder) securityOpts() (opts []string, unconfined bool, err error) {
	for _, opt := range b.s.SecurityOpt {
		if opt == "systempaths=unconfined" {
			unconfined = true
			continue
		}
		key, value, ok := strings.Cut(opt, "=")
		if !ok && key != "no-new-privileges" {
			if key, value, ok = strings.Cut(opt, ":"); !ok {
				return nil, false, fmt.Errorf("invalid security_opt %q: want key=value", opt)
			}
		}
		if key != "seccomp" || value == "unconfined" || value == "builtin" {
			opts = append(opts, opt)
			continue
		}
		profile, err := os.ReadFile(b.p.RelativePath(value))
		if err != nil {
			return nil, false, fmt.Errorf("reading seccomp profile %s: %w", value, err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, profile); err != nil {
			return nil, false, fmt.Errorf("seccomp profile %s is not valid JSON: %w", value, err)
		}
		opts = append(opts, "seccomp="+compact.String())
	}
	return opts, unconfined, nil
}

// apiBefore says whether API version v is older than min. An empty v is a
// current engine.
func apiBefore(v, min string) bool { return engine.APIBefore(v, min) }
