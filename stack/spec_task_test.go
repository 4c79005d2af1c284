package stack

import (
	"testing"
	"time"

	"github.com/moby/moby/api/types/swarm"
)

func TestServiceSpecResources(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       *swarm.ResourceRequirements
		warned     []string
	}{
		{"none", "", nil, nil},
		{
			name: "deploy limits and reservations",
			yaml: `deploy:
      resources:
        limits: {cpus: "1.5", memory: 512M, pids: 100}
        reservations:
          cpus: "0.25"
          memory: 128M
          generic_resources: [{discrete_resource_spec: {kind: gpu, value: 2}}]`,
			want: &swarm.ResourceRequirements{
				Limits: &swarm.Limit{NanoCPUs: 1_500_000_000, MemoryBytes: 512 << 20, Pids: 100},
				Reservations: &swarm.Resources{NanoCPUs: 250_000_000, MemoryBytes: 128 << 20, GenericResources: []swarm.GenericResource{
					{DiscreteResourceSpec: &swarm.DiscreteGenericResource{Kind: "gpu", Value: 2}},
				}},
			},
		},
		{
			name: "a tenth of a cpu is exact",
			yaml: `deploy: {resources: {limits: {cpus: "0.1"}}}`,
			want: &swarm.ResourceRequirements{Limits: &swarm.Limit{NanoCPUs: 100_000_000}},
		},
		{
			name: "service-level limits carry over",
			yaml: "mem_limit: 256m\n    cpus: 0.5\n    pids_limit: 50\n    mem_reservation: 64m",
			want: &swarm.ResourceRequirements{
				Limits:       &swarm.Limit{NanoCPUs: 500_000_000, MemoryBytes: 256 << 20, Pids: 50},
				Reservations: &swarm.Resources{MemoryBytes: 64 << 20},
			},
		},
		{
			name: "service-level and deploy limits agreeing",
			yaml: "mem_limit: 256m\n    deploy: {resources: {limits: {memory: 256M}}}",
			want: &swarm.ResourceRequirements{Limits: &swarm.Limit{MemoryBytes: 256 << 20}},
		},
		{
			name: "unlimited pids is no limit",
			yaml: "pids_limit: -1",
			want: nil,
		},
		{
			name: "devices are warned about",
			yaml: `deploy:
      resources:
        limits: {memory: 1G}
        reservations:
          devices: [{capabilities: [gpu], count: 1}]`,
			want:   &swarm.ResourceRequirements{Limits: &swarm.Limit{MemoryBytes: 1 << 30}},
			warned: []string{"deploy.resources.reservations.devices"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, warnings := specOf(t, "name: shop\nservices:\n  web:\n    image: nginx\n    "+tt.yaml+"\n", "web")
			assertWarnings(t, warnings, tt.warned...)
			assertEqual(t, "resources", spec.TaskTemplate.Resources, tt.want)
		})
	}
}

func TestServiceSpecRestartPolicy(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       *swarm.RestartPolicy
		warned     []string
	}{
		{"none set: swarm's default", "", nil, nil},
		{"no", "restart: \"no\"", &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionNone}, nil},
		{"always", "restart: always", &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionAny}, nil},
		{"unless-stopped", "restart: unless-stopped", &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionAny}, nil},
		{"on-failure", "restart: on-failure", &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionOnFailure}, nil},
		{"on-failure with attempts", "restart: on-failure:5", &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionOnFailure, MaxAttempts: ptr(uint64(5))}, nil},
		{
			name: "deploy.restart_policy",
			yaml: "deploy: {restart_policy: {condition: on-failure, delay: 5s, max_attempts: 3, window: 2m}}",
			want: &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionOnFailure, Delay: ptr(5 * time.Second),
				MaxAttempts: ptr(uint64(3)), Window: ptr(2 * time.Minute)},
		},
		{
			name:   "deploy.restart_policy over restart",
			yaml:   "restart: always\n    deploy: {restart_policy: {condition: none}}",
			want:   &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionNone},
			warned: []string{"restart"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, warnings := specOf(t, "name: shop\nservices:\n  web:\n    image: nginx\n    "+tt.yaml+"\n", "web")
			assertWarnings(t, warnings, tt.warned...)
			assertEqual(t, "restart policy", spec.TaskTemplate.RestartPolicy, tt.want)
		})
	}
}

func TestServiceSpecRestartErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unknown restart", "restart: sometimes", `service "web": restart: "sometimes" is not a restart policy`},
		{"attempts not a number", "restart: on-failure:many", `service "web": restart: "on-failure:many": the number of attempts is not a number`},
		{"unknown condition", "deploy: {restart_policy: {condition: always}}", `service "web": deploy.restart_policy.condition: "always" is not a condition; use none, on-failure or any`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := loadProject(t, "name: shop\nservices:\n  web:\n    image: nginx\n    "+tt.yaml+"\n", nil)
			assertErrorContains(t, specError(t, p, "web"), tt.want)
		})
	}
}

func TestServiceSpecPlacement(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       *swarm.Placement
	}{
		{"none", "", nil},
		{
			name: "constraints, preferences and replicas per node",
			yaml: `deploy:
      placement:
        constraints: [node.role==worker, node.labels.zone!=b]
        preferences: [{spread: node.labels.zone}, {spread: node.labels.rack}]
        max_replicas_per_node: 2`,
			want: &swarm.Placement{
				Constraints: []string{"node.role==worker", "node.labels.zone!=b"},
				Preferences: []swarm.PlacementPreference{
					{Spread: &swarm.SpreadOver{SpreadDescriptor: "node.labels.zone"}},
					{Spread: &swarm.SpreadOver{SpreadDescriptor: "node.labels.rack"}},
				},
				MaxReplicas: 2,
			},
		},
		{"platform chooses nodes", "platform: linux/arm64/v8", &swarm.Placement{Platforms: []swarm.Platform{{OS: "linux", Architecture: "arm64"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, warnings := specOf(t, "name: shop\nservices:\n  web:\n    image: nginx\n    "+tt.yaml+"\n", "web")
			assertWarnings(t, warnings)
			assertEqual(t, "placement", spec.TaskTemplate.Placement, tt.want)
		})
	}
}

func TestServiceSpecLogDriver(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       *swarm.Driver
	}{
		{"none", "", nil},
		{"driver and options", "logging: {driver: syslog, options: {syslog-address: udp://10.0.0.1:514}}",
			&swarm.Driver{Name: "syslog", Options: map[string]string{"syslog-address": "udp://10.0.0.1:514"}}},
		{"options of the default driver", "logging: {options: {max-size: 10m}}", &swarm.Driver{Options: map[string]string{"max-size": "10m"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, _ := specOf(t, "name: shop\nservices:\n  web:\n    image: nginx\n    "+tt.yaml+"\n", "web")
			assertEqual(t, "log driver", spec.TaskTemplate.LogDriver, tt.want)
		})
	}
}
