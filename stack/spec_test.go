package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/swarm"

	"github.com/berth-compose/berth/project"
)

// loadProject loads compose (and other files, name then content) from a
// new temp dir through the loader berth uses, with environ as the process
// environment.
func loadProject(t *testing.T, compose string, environ []string, files ...string) *types.Project {
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
	p, err := project.Load(context.Background(), project.LoadOptions{ProjectDir: dir, Environ: append([]string{"PWD=" + dir}, environ...)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// refsFor gives every config and secret of p an object named as the
// project names it, with id "id-<key>".
func refsFor(p *types.Project) Refs {
	refs := Refs{Namespace: p.Name, Configs: map[string]ObjectRef{}, Secrets: map[string]ObjectRef{}}
	for k, c := range p.Configs {
		refs.Configs[k] = ObjectRef{ID: "id-" + k, Name: c.Name}
	}
	for k, s := range p.Secrets {
		refs.Secrets[k] = ObjectRef{ID: "id-" + k, Name: s.Name}
	}
	return refs
}

// specOf translates service name of a project loaded from compose, and
// fails the test on error.
func specOf(t *testing.T, compose, name string) (swarm.ServiceSpec, []Warning) {
	t.Helper()
	p := loadProject(t, compose, nil)
	spec, warnings, err := ServiceSpec(p, p.Services[name], refsFor(p))
	if err != nil {
		t.Fatal(err)
	}
	return spec, warnings
}

// specError translates service name and returns its error, failing the
// test when there is none.
func specError(t *testing.T, p *types.Project, name string) error {
	t.Helper()
	_, _, err := ServiceSpec(p, p.Services[name], refsFor(p))
	if err == nil {
		t.Fatalf("service %s translated without error", name)
	}
	return err
}

func assertEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got  %#v\n want %#v", what, got, want)
	}
}

// assertWarnings compares the warnings' attributes.
func assertWarnings(t *testing.T, warnings []Warning, want ...string) {
	t.Helper()
	var got []string
	for _, w := range warnings {
		got = append(got, w.Attribute)
	}
	assertEqual(t, "warned attributes", got, want)
}

func assertErrorContains(t *testing.T, err error, parts ...string) {
	t.Helper()
	for _, part := range parts {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not say %q", err, part)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestServiceName(t *testing.T) {
	assertEqual(t, "name", ServiceName("shop", "web"), "shop_web")
}

func TestWarningString(t *testing.T) {
	w := Warning{Service: "web", Attribute: "container_name", Text: "is ignored by Swarm: tasks are named by the swarm"}
	assertEqual(t, "text", w.String(), `service "web": container_name is ignored by Swarm: tasks are named by the swarm`)
}

func TestServiceSpecLabels(t *testing.T) {
	spec, warnings := specOf(t, `
name: shop
services:
  web:
    image: nginx:1
    labels: {tier: front}
    deploy:
      labels: {team: a, com.docker.stack.namespace: other}
`, "web")
	assertWarnings(t, warnings)
	assertEqual(t, "name", spec.Name, "shop_web")
	assertEqual(t, "service labels", spec.Labels, map[string]string{
		"team": "a", "com.docker.stack.namespace": "shop", "com.docker.stack.image": "nginx:1",
	})
	assertEqual(t, "container labels", spec.TaskTemplate.ContainerSpec.Labels, map[string]string{
		"tier": "front", "com.docker.stack.namespace": "shop",
	})
}

func TestServiceSpecImage(t *testing.T) {
	p := loadProject(t, "name: shop\nservices: {web: {image: nginx:1}, db: {image: postgres}}\n", nil)
	refs := refsFor(p)
	refs.Images = map[string]string{"web": "nginx:1@sha256:abc"}
	tests := []struct{ service, want string }{
		{"web", "nginx:1@sha256:abc"}, // the resolved reference
		{"db", "postgres"},            // none resolved: as written
	}
	for _, tt := range tests {
		t.Run(tt.service, func(t *testing.T) {
			spec, _, err := ServiceSpec(p, p.Services[tt.service], refs)
			if err != nil {
				t.Fatal(err)
			}
			assertEqual(t, "image", spec.TaskTemplate.ContainerSpec.Image, tt.want)
			assertEqual(t, "image label", spec.Labels[labelImage], p.Services[tt.service].Image)
		})
	}
}

func TestServiceSpecContainer(t *testing.T) {
	spec, warnings := specOf(t, `
name: shop
services:
  web:
    image: nginx
    entrypoint: ["/bin/run"]
    command: ["--port", "80"]
    environment:
      B: "2"
      A: "1"
      UNSET:
    working_dir: /srv
    user: "1000:1000"
    hostname: web1
    group_add: [audio]
    init: true
    read_only: true
    tty: true
    stdin_open: true
    stop_signal: SIGQUIT
    stop_grace_period: 1m30s
    isolation: default
    sysctls: {net.core.somaxconn: "1024"}
    cap_add: [NET_ADMIN]
    cap_drop: [ALL]
    oom_score_adj: 200
    ulimits:
      nproc: 65535
      nofile: {soft: 1024, hard: 2048}
    extra_hosts: ["db=10.0.0.2", "cache:10.0.0.3", "db=10.0.0.4"]
    dns: [8.8.8.8]
    dns_search: [example.org]
    dns_opt: [ndots:2]
`, "web")
	assertWarnings(t, warnings)
	c := spec.TaskTemplate.ContainerSpec
	assertEqual(t, "command", c.Command, []string{"/bin/run"})
	assertEqual(t, "args", c.Args, []string{"--port", "80"})
	assertEqual(t, "env", c.Env, []string{"A=1", "B=2", "UNSET"})
	assertEqual(t, "dir, user, hostname", [3]string{c.Dir, c.User, c.Hostname}, [3]string{"/srv", "1000:1000", "web1"})
	assertEqual(t, "groups", c.Groups, []string{"audio"})
	assertEqual(t, "init", c.Init, ptr(true))
	assertEqual(t, "read only, tty, stdin", [3]bool{c.ReadOnly, c.TTY, c.OpenStdin}, [3]bool{true, true, true})
	assertEqual(t, "stop signal", c.StopSignal, "SIGQUIT")
	assertEqual(t, "stop grace period", c.StopGracePeriod, ptr(90*time.Second))
	assertEqual(t, "isolation", c.Isolation, container.IsolationDefault)
	assertEqual(t, "sysctls", c.Sysctls, map[string]string{"net.core.somaxconn": "1024"})
	assertEqual(t, "caps", [2][]string{c.CapabilityAdd, c.CapabilityDrop}, [2][]string{{"NET_ADMIN"}, {"ALL"}})
	assertEqual(t, "oom score adj", c.OomScoreAdj, int64(200))
	assertEqual(t, "ulimits", c.Ulimits, []*container.Ulimit{{Name: "nofile", Soft: 1024, Hard: 2048}, {Name: "nproc", Soft: 65535, Hard: 65535}})
	assertEqual(t, "hosts", c.Hosts, []string{"10.0.0.3 cache", "10.0.0.2 db", "10.0.0.4 db"})
	dns, _ := json.Marshal(c.DNSConfig)
	assertEqual(t, "dns", string(dns), `{"Nameservers":["8.8.8.8"],"Search":["example.org"],"Options":["ndots:2"]}`)
}

func TestServiceSpecUnsetKeepsImageDefaults(t *testing.T) {
	spec, _ := specOf(t, "name: shop\nservices: {web: {image: nginx}}\n", "web")
	c := spec.TaskTemplate.ContainerSpec
	assertEqual(t, "command", c.Command, []string(nil))
	assertEqual(t, "args", c.Args, []string(nil))
	assertEqual(t, "env", c.Env, []string(nil))
	assertEqual(t, "healthcheck", c.Healthcheck, (*container.HealthConfig)(nil))
	assertEqual(t, "dns", c.DNSConfig, (*swarm.DNSConfig)(nil))
	assertEqual(t, "init", c.Init, (*bool)(nil))
	assertEqual(t, "stop grace period", c.StopGracePeriod, (*time.Duration)(nil))
}

func TestServiceSpecEmptyCommandWarns(t *testing.T) {
	spec, warnings := specOf(t, "name: shop\nservices: {web: {image: nginx, entrypoint: [], command: []}}\n", "web")
	assertWarnings(t, warnings, "command", "entrypoint")
	assertEqual(t, "command", spec.TaskTemplate.ContainerSpec.Command, []string(nil))
	assertEqual(t, "text", warnings[1].String(), `service "web": entrypoint [] cannot clear the image's entrypoint on Swarm: an empty list keeps the image's; set the command to run instead`)
}

func TestServiceSpecHealthcheck(t *testing.T) {
	tests := []struct {
		name, healthcheck string
		want              *container.HealthConfig
	}{
		{"all fields", `{test: ["CMD", "curl", "-f", "http://localhost"], interval: 10s, timeout: 2s, retries: 3, start_period: 30s, start_interval: 1s}`,
			&container.HealthConfig{Test: []string{"CMD", "curl", "-f", "http://localhost"}, Interval: 10 * time.Second, Timeout: 2 * time.Second,
				Retries: 3, StartPeriod: 30 * time.Second, StartInterval: time.Second}},
		{"shell string", `{test: "curl -f localhost"}`, &container.HealthConfig{Test: []string{"CMD-SHELL", "curl -f localhost"}}},
		{"disable", `{disable: true}`, &container.HealthConfig{Test: []string{"NONE"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, _ := specOf(t, "name: shop\nservices:\n  web:\n    image: nginx\n    healthcheck: "+tt.healthcheck+"\n", "web")
			assertEqual(t, "healthcheck", spec.TaskTemplate.ContainerSpec.Healthcheck, tt.want)
		})
	}
}

func TestServiceSpecCredentialSpec(t *testing.T) {
	spec, _ := specOf(t, "name: shop\nservices: {web: {image: nginx, credential_spec: {config: my-gmsa}}}\n", "web")
	assertEqual(t, "privileges", spec.TaskTemplate.ContainerSpec.Privileges,
		&swarm.Privileges{CredentialSpec: &swarm.CredentialSpec{Config: "my-gmsa"}})
}

func TestServiceSpecInvalidDNS(t *testing.T) {
	p := loadProject(t, "name: shop\nservices: {web: {image: nginx, dns: [not-an-ip]}}\n", nil)
	assertErrorContains(t, specError(t, p, "web"), `service "web": dns:`, `"not-an-ip" is not an IP address`)
}

// deterministicProject sets attributes from maps everywhere: the
// translation must not let Go's random map order through.
const deterministicProject = `
name: shop
services:
  web:
    image: nginx
    environment: {A: "1", B: "2", C: "3", D: "4", E: "5", F: "6"}
    labels: {a: "1", b: "2", c: "3", d: "4"}
    sysctls: {net.a: "1", net.b: "2", net.c: "3"}
    ulimits: {nofile: 10, nproc: 20, core: 0, memlock: {soft: 1, hard: 2}}
    extra_hosts: ["a=1.1.1.1", "b=2.2.2.2", "c=3.3.3.3", "d=4.4.4.4"]
    networks:
      front: {aliases: [w1]}
      back: {priority: 0}
      mid:
      side:
    volumes: [data:/data, logs:/logs, "/srv:/srv"]
    tmpfs: ["/run", "/tmp:size=1m"]
    ports: ["80:80", "443:443", "9000-9003:9000-9003"]
    configs: [c1, c2]
    secrets: [s1, s2]
    deploy:
      labels: {x: "1", y: "2", z: "3"}
      placement: {constraints: [node.role==manager, node.labels.a==b]}
      resources: {limits: {cpus: "0.5", memory: 64M}}
    container_name: web1
    privileged: true
    links: [db]
  db:
    image: postgres
networks: {front: {}, back: {}, mid: {}, side: {labels: {a: "1", b: "2"}}}
volumes: {data: {labels: {a: "1", b: "2"}}, logs: {}}
configs: {c1: {content: one}, c2: {content: two}}
secrets: {s1: {environment: S1}, s2: {environment: S2}}
`

func TestServiceSpecDeterministic(t *testing.T) {
	var first []byte
	for i := range 20 {
		// a fresh load each time, so the project's maps are new ones too
		p := loadProject(t, deterministicProject, []string{"S1=one", "S2=two"})
		spec, warnings, err := ServiceSpec(p, p.Services["web"], refsFor(p))
		if err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(struct {
			Spec     swarm.ServiceSpec
			Warnings []Warning
			Network  any
		}{spec, warnings, NetworkSpec(p.Name, "side", p.Networks["side"])})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = raw
			continue
		}
		if !bytes.Equal(raw, first) {
			t.Fatalf("translation %d differs from the first:\n%s\n%s", i+1, raw, first)
		}
	}
}
