package convergence

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/container"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/project"
)

// specProject loads a compose file (and any other files) from a new temp
// dir through the same loader berth uses.
func specProject(t *testing.T, compose string, files ...string) *types.Project {
	t.Helper()
	dir := t.TempDir()
	all := append([]string{"compose.yaml", compose}, files...)
	for i := 0; i+1 < len(all); i += 2 {
		p := filepath.Join(dir, all[i])
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(all[i+1]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := project.Load(context.Background(), project.LoadOptions{ProjectDir: dir, Environ: []string{"PWD=" + dir}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// specOf builds the spec of container 1 of service name and fails on error.
func specOf(t *testing.T, p *types.Project, name string, o SpecOptions) (engine.ContainerSpec, []string) {
	t.Helper()
	spec, warnings, err := ContainerSpecFor(p, p.Services[name], 1, o)
	if err != nil {
		t.Fatal(err)
	}
	return spec, warnings
}

func assertEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got  %#v\n want %#v", what, got, want)
	}
}

func ptr[T any](v T) *T { return &v }

func TestContainerName(t *testing.T) {
	tests := []struct {
		name string
		s    types.ServiceConfig
		n    int
		want string
	}{
		{"numbered", types.ServiceConfig{Name: "web"}, 2, "shop-web-2"},
		{"container_name", types.ServiceConfig{Name: "web", ContainerName: "front"}, 1, "front"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertEqual(t, "name", ContainerName("shop", tt.s, tt.n), tt.want)
		})
	}
}

func TestSpecConfig(t *testing.T) {
	p := specProject(t, `
name: shop
services:
  web:
    image: nginx:1
    command: ["nginx", "-g", "daemon off;"]
    entrypoint: []
    environment:
      B: "2"
      A: "1"
      UNSET:
    working_dir: /srv
    user: "1000:1000"
    hostname: web
    domainname: example.org
    tty: true
    stdin_open: true
    stop_signal: SIGQUIT
    stop_grace_period: 1m30s
    platform: linux/arm64
`)
	spec, warnings := specOf(t, p, "web", SpecOptions{})
	assertEqual(t, "warnings", warnings, []string(nil))
	assertEqual(t, "name", spec.Name, "shop-web-1")
	assertEqual(t, "platform", spec.Platform, "linux/arm64")
	c := spec.Config
	assertEqual(t, "image", c.Image, "nginx:1")
	assertEqual(t, "cmd", c.Cmd, []string{"nginx", "-g", "daemon off;"})
	assertEqual(t, "entrypoint", c.Entrypoint, []string{}) // [] clears the image's
	assertEqual(t, "env", c.Env, []string{"A=1", "B=2", "UNSET"})
	assertEqual(t, "working dir", c.WorkingDir, "/srv")
	assertEqual(t, "user", c.User, "1000:1000")
	assertEqual(t, "hostname", c.Hostname+"."+c.Domainname, "web.example.org")
	assertEqual(t, "tty, stdin", [2]bool{c.Tty, c.OpenStdin}, [2]bool{true, true})
	assertEqual(t, "attach", [3]bool{c.AttachStdin, c.AttachStdout, c.AttachStderr}, [3]bool{false, true, true})
	assertEqual(t, "stop signal", c.StopSignal, "SIGQUIT")
	assertEqual(t, "stop timeout", c.StopTimeout, ptr(90))
}

func TestSpecCommandUnsetKeepsImage(t *testing.T) {
	p := specProject(t, "name: shop\nservices: {web: {image: nginx}}\n")
	spec, _ := specOf(t, p, "web", SpecOptions{ProxyEnv: map[string]string{"HTTP_PROXY": "http://proxy:3128"}})
	assertEqual(t, "cmd", spec.Config.Cmd, []string(nil))
	assertEqual(t, "entrypoint", spec.Config.Entrypoint, []string(nil))
	assertEqual(t, "env", spec.Config.Env, []string{"HTTP_PROXY=http://proxy:3128"})
	assertEqual(t, "image of a built service", project.ImageName("shop", types.ServiceConfig{Name: "api"}), "shop-api")
}

func TestSpecHealthcheck(t *testing.T) {
	tests := []struct {
		name     string
		check    string
		api      string
		want     *container.HealthConfig
		warnings int
	}{
		{
			name:  "durations",
			check: `{test: ["CMD", "curl", "-f", "http://localhost"], interval: 30s, timeout: 5s, retries: 3, start_period: 1m, start_interval: 2s}`,
			want: &container.HealthConfig{Test: []string{"CMD", "curl", "-f", "http://localhost"}, Interval: 30 * time.Second,
				Timeout: 5 * time.Second, Retries: 3, StartPeriod: time.Minute, StartInterval: 2 * time.Second},
		},
		{
			name:  "shell string",
			check: `{test: "pg_isready", interval: 1s}`,
			want:  &container.HealthConfig{Test: []string{"CMD-SHELL", "pg_isready"}, Interval: time.Second},
		},
		{
			name:  "disable",
			check: `{disable: true}`,
			want:  &container.HealthConfig{Test: []string{"NONE"}},
		},
		{
			name:     "start_interval before API 1.44",
			check:    `{test: ["CMD", "true"], start_period: 10s, start_interval: 1s}`,
			api:      "1.41",
			want:     &container.HealthConfig{Test: []string{"CMD", "true"}, StartPeriod: 10 * time.Second},
			warnings: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := specProject(t, "name: shop\nservices:\n  db:\n    image: postgres\n    healthcheck: "+tt.check+"\n")
			spec, warnings := specOf(t, p, "db", SpecOptions{APIVersion: tt.api})
			assertEqual(t, "healthcheck", spec.Config.Healthcheck, tt.want)
			if len(warnings) != tt.warnings {
				t.Errorf("warnings = %q, want %d", warnings, tt.warnings)
			}
		})
	}
}

func TestSpecRestartPolicy(t *testing.T) {
	tests := []struct {
		name    string
		service string
		want    container.RestartPolicy
	}{
		{"unset", "{}", container.RestartPolicy{}},
		{"always", "{restart: always}", container.RestartPolicy{Name: "always"}},
		{"no", "{restart: \"no\"}", container.RestartPolicy{Name: "no"}},
		{"on-failure with retries", "{restart: \"on-failure:3\"}", container.RestartPolicy{Name: "on-failure", MaximumRetryCount: 3}},
		{"unless-stopped", "{restart: unless-stopped}", container.RestartPolicy{Name: "unless-stopped"}},
		{"deploy wins", "{restart: always, deploy: {restart_policy: {condition: on-failure, max_attempts: 5}}}",
			container.RestartPolicy{Name: "on-failure", MaximumRetryCount: 5}},
		{"deploy any", "{deploy: {restart_policy: {condition: any}}}", container.RestartPolicy{Name: "always"}},
		{"deploy none", "{deploy: {restart_policy: {condition: none}}}", container.RestartPolicy{Name: "no"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := specProject(t, "name: shop\nservices:\n  web: "+strings.Replace(tt.service, "{", "{image: x, ", 1)+"\n")
			spec, _ := specOf(t, p, "web", SpecOptions{})
			assertEqual(t, "restart", spec.Host.RestartPolicy, tt.want)
		})
	}
}

func TestSpecHostAttributes(t *testing.T) {
	p := specProject(t, `
name: shop
services:
  web:
    image: x
    init: true
    privileged: true
    read_only: true
    cap_add: [NET_ADMIN]
    cap_drop: [ALL]
    dns: [8.8.8.8, "2001:4860:4860::8888"]
    dns_search: [example.org]
    dns_opt: [use-vc]
    extra_hosts: ["db=10.0.0.5", "v6=::1"]
    sysctls: {net.core.somaxconn: "1024"}
    security_opt: ["no-new-privileges:true", "seccomp=./seccomp.json", "systempaths=unconfined"]
    logging: {driver: json-file, options: {max-size: 10m}}
    group_add: [audio]
    userns_mode: host
    cgroup: private
    cgroup_parent: /berth
    runtime: runc
    storage_opt: {size: 20G}
    ipc: shareable
    pid: host
    uts: host
    shm_size: 64m
    oom_score_adj: -500
    annotations: {com.example.a: "b"}
    tmpfs: ["/run:size=64k", /tmp]
`, "seccomp.json", "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\"\n}\n")
	spec, warnings := specOf(t, p, "web", SpecOptions{})
	assertEqual(t, "warnings", warnings, []string(nil))
	h := spec.Host
	assertEqual(t, "init", h.Init, ptr(true))
	assertEqual(t, "privileged, read_only", [2]bool{h.Privileged, h.ReadonlyRootfs}, [2]bool{true, true})
	assertEqual(t, "cap_add", h.CapAdd, []string{"NET_ADMIN"})
	assertEqual(t, "cap_drop", h.CapDrop, []string{"ALL"})
	assertEqual(t, "dns", len(h.DNS), 2)
	assertEqual(t, "dns[1]", h.DNS[1].String(), "2001:4860:4860::8888")
	assertEqual(t, "dns_search", h.DNSSearch, []string{"example.org"})
	assertEqual(t, "dns_opt", h.DNSOptions, []string{"use-vc"})
	assertEqual(t, "extra_hosts", h.ExtraHosts, []string{"db:10.0.0.5", "v6:::1"})
	assertEqual(t, "sysctls", h.Sysctls, map[string]string{"net.core.somaxconn": "1024"})
	assertEqual(t, "security_opt", h.SecurityOpt, []string{"no-new-privileges:true", `seccomp={"defaultAction":"SCMP_ACT_ALLOW"}`})
	assertEqual(t, "unconfined paths", [2][]string{h.MaskedPaths, h.ReadonlyPaths}, [2][]string{{}, {}})
	assertEqual(t, "logging", h.LogConfig, container.LogConfig{Type: "json-file", Config: map[string]string{"max-size": "10m"}})
	assertEqual(t, "group_add", h.GroupAdd, []string{"audio"})
	assertEqual(t, "namespaces", []string{string(h.UsernsMode), string(h.CgroupnsMode), string(h.IpcMode), string(h.PidMode), string(h.UTSMode)},
		[]string{"host", "private", "shareable", "host", "host"})
	assertEqual(t, "cgroup_parent", h.CgroupParent, "/berth")
	assertEqual(t, "runtime", h.Runtime, "runc")
	assertEqual(t, "storage_opt", h.StorageOpt, map[string]string{"size": "20G"})
	assertEqual(t, "shm_size", h.ShmSize, int64(64<<20))
	assertEqual(t, "oom_score_adj", h.OomScoreAdj, -500)
	assertEqual(t, "annotations", h.Annotations, map[string]string{"com.example.a": "b"})
	assertEqual(t, "tmpfs", h.Tmpfs, map[string]string{"/run": "size=64k", "/tmp": ""})
}

func TestSpecWarnsAboutWhatItCannotHonour(t *testing.T) {
	p := specProject(t, `
name: shop
services:
  web:
    image: x
    use_api_socket: true
    deploy:
      labels: {a: b}
      placement: {constraints: ["node.role==manager"]}
      update_config: {parallelism: 2}
      restart_policy: {condition: on-failure, delay: 5s}
      resources:
        reservations: {cpus: "0.5", memory: 64m}
`)
	_, warnings := specOf(t, p, "web", SpecOptions{})
	for _, want := range []string{"use_api_socket", "deploy.labels", "deploy.placement",
		"deploy.update_config", "deploy.restart_policy.delay", "deploy.resources.reservations cpus"} {
		if !containsSubstring(warnings, want) {
			t.Errorf("no warning names %s in %q", want, warnings)
		}
	}
	for _, w := range warnings {
		if !strings.HasPrefix(w, `service "web": `) {
			t.Errorf("warning %q does not name the service", w)
		}
	}
}

func containsSubstring(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func TestAPIBefore(t *testing.T) {
	tests := []struct {
		v, min string
		want   bool
	}{
		{"1.41", "1.44", true}, {"1.44", "1.44", false}, {"1.47", "1.44", false},
		{"1.9", "1.44", true}, {"2.0", "1.44", false}, {"", "1.44", false},
	}
	for _, tt := range tests {
		if got := apiBefore(tt.v, tt.min); got != tt.want {
			t.Errorf("apiBefore(%q, %q) = %v, want %v", tt.v, tt.min, got, tt.want)
		}
	}
}

// TestSpecProxyEnv: the docker CLI's proxies fill in what the service does
// not set, spelling by spelling, and stay out of the config hash, so a
// changed proxy setting recreates nothing (as in docker compose).
func TestSpecProxyEnv(t *testing.T) {
	p := specProject(t, "name: shop\nservices: {web: {image: nginx, environment: {HTTP_PROXY: http://own:1, no_proxy: null}}}\n")
	proxy := map[string]string{
		"HTTP_PROXY": "http://cfg:3128", "http_proxy": "http://cfg:3128",
		"NO_PROXY": "localhost", "no_proxy": "localhost",
	}
	with, _ := specOf(t, p, "web", SpecOptions{ProxyEnv: proxy})
	assertEqual(t, "env", with.Config.Env, []string{"HTTP_PROXY=http://own:1", "NO_PROXY=localhost", "http_proxy=http://cfg:3128", "no_proxy"})
	without, _ := specOf(t, p, "web", SpecOptions{})
	assertEqual(t, "config hash", with.Config.Labels[LabelConfigHash], without.Config.Labels[LabelConfigHash])
}
