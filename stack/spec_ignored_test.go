package stack

import (
	"strings"
	"testing"
)

// Each attribute Swarm ignores is warned about, and naming it in the text
// is the warning's whole point.
func TestServiceSpecIgnoredAttributes(t *testing.T) {
	tests := []struct{ attribute, yaml string }{
		{"container_name", "container_name: front"},
		{"links", "links: [db]"},
		{"external_links", "external_links: [legacy_db_1]"},
		{"privileged", "privileged: true"},
		{"devices", "devices: [/dev/fuse:/dev/fuse]"},
		{"device_cgroup_rules", "device_cgroup_rules: ['c 1:3 mr']"},
		{"gpus", "gpus: all"},
		{"cgroup_parent", "cgroup_parent: berth.slice"},
		{"cgroup", "cgroup: private"},
		{"pid", "pid: host"},
		{"ipc", "ipc: host"},
		{"uts", "uts: host"},
		{"userns_mode", "userns_mode: host"},
		{"security_opt", "security_opt: [no-new-privileges:true]"},
		{"shm_size", "shm_size: 1g"},
		{"volumes_from", "volumes_from: [db]"},
		{"domainname", "domainname: example.org"},
		{"runtime", "runtime: runc"},
		{"storage_opt", "storage_opt: {size: 10G}"},
		{"annotations", "annotations: {com.example.a: b}"},
		{"umask", "umask: \"0022\""},
		{"use_api_socket", "use_api_socket: true"},
		{"provider", "provider: {type: model}"},
		{"post_start", "post_start: [{command: [echo, hi]}]"},
		{"pre_stop", "pre_stop: [{command: [echo, bye]}]"},
		{"cpu_count", "cpu_count: 2"},
		{"cpu_percent", "cpu_percent: 50"},
		{"cpu_period", "cpu_period: 100000"},
		{"cpu_quota", "cpu_quota: 50000"},
		{"cpu_rt_period", "cpu_rt_period: 1000"},
		{"cpu_rt_runtime", "cpu_rt_runtime: 900"},
		{"cpu_shares", "cpu_shares: 512"},
		{"cpuset", "cpuset: 0-1"},
		{"memswap_limit", "mem_limit: 1g\n    memswap_limit: 2g"},
		{"mem_swappiness", "mem_swappiness: 10"},
		{"oom_kill_disable", "oom_kill_disable: true"},
		{"blkio_config", "blkio_config: {weight: 300}"},
	}
	for _, tt := range tests {
		t.Run(tt.attribute, func(t *testing.T) {
			_, warnings := specOf(t, "name: shop\nservices:\n  db: {image: postgres}\n  web:\n    image: nginx\n    "+tt.yaml+"\n", "web")
			assertWarnings(t, warnings, tt.attribute)
			if len(warnings) == 1 && !strings.HasPrefix(warnings[0].String(), `service "web": `+tt.attribute+" is ignored by Swarm: ") {
				t.Errorf("warning %q does not name the service and attribute", warnings[0])
			}
		})
	}
}

// What berth honours or that changes nothing on Swarm draws no warning.
func TestServiceSpecNoWarnings(t *testing.T) {
	p := loadProject(t, `
name: shop
services:
  db: {image: postgres}
  web:
    image: nginx
    depends_on: {db: {condition: service_healthy}}
    expose: ["8080"]
    profiles: [web]
    labels: {a: b}
`, []string{"COMPOSE_PROFILES=web"})
	_, warnings, err := ServiceSpec(p, p.Services["web"], refsFor(p))
	if err != nil {
		t.Fatal(err)
	}
	assertWarnings(t, warnings)
}

func TestServiceSpecWarnsOncePerAttribute(t *testing.T) {
	_, warnings := specOf(t, "name: shop\nservices:\n  web:\n    image: nginx\n    ports: [\"127.0.0.1:80:80\", \"127.0.0.1:443:443\"]\n", "web")
	assertWarnings(t, warnings, "ports.host_ip")
}

func TestServiceSpecBuild(t *testing.T) {
	_, warnings := specOf(t, "name: shop\nservices: {web: {image: registry.example.com/web:1, build: .}}\n", "web")
	assertWarnings(t, warnings, "build")
	assertEqual(t, "text", warnings[0].String(),
		`service "web": build is ignored by Swarm: nodes pull image registry.example.com/web:1; build and push it first (berth build --push)`)

	p := loadProject(t, "name: shop\nservices: {web: {build: .}}\n", nil)
	assertErrorContains(t, specError(t, p, "web"),
		`service "web": build: Swarm nodes cannot build; set image: to a registry name (such as registry.example.com/web) and run berth build --push first`)
}

func TestServiceSpecNoImage(t *testing.T) {
	p := loadProject(t, "name: shop\nservices: {web: {image: nginx}}\n", nil)
	s := p.Services["web"]
	s.Image = "" // compose-go refuses a service with neither image nor build
	_, _, err := ServiceSpec(p, s, refsFor(p))
	if err == nil {
		t.Fatal("translated without error")
	}
	assertErrorContains(t, err, `service "web": image: is not set; every Swarm service needs an image from a registry`)
}
