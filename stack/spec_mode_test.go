package stack

import (
	"testing"
	"time"

	"github.com/moby/moby/api/types/swarm"
)

func TestServiceSpecMode(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       swarm.ServiceMode
	}{
		{"default: one replica", "", swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: ptr(uint64(1))}}},
		{"deploy.replicas", "deploy: {replicas: 3}", swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: ptr(uint64(3))}}},
		{"scale", "scale: 2", swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: ptr(uint64(2))}}},
		{"zero replicas", "deploy: {replicas: 0}", swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: ptr(uint64(0))}}},
		{"global", "deploy: {mode: global}", swarm.ServiceMode{Global: &swarm.GlobalService{}}},
		{"replicated job", "deploy: {mode: replicated-job, replicas: 4}",
			swarm.ServiceMode{ReplicatedJob: &swarm.ReplicatedJob{MaxConcurrent: ptr(uint64(4)), TotalCompletions: ptr(uint64(4))}}},
		{"global job", "deploy: {mode: global-job}", swarm.ServiceMode{GlobalJob: &swarm.GlobalJob{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, _ := specOf(t, "name: shop\nservices:\n  web:\n    image: nginx\n    "+tt.yaml+"\n", "web")
			assertEqual(t, "mode", spec.Mode, tt.want)
		})
	}
}

func TestServiceSpecModeErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"global with replicas", "deploy: {mode: global, replicas: 2}", `service "web": deploy.replicas: cannot be used with mode global, which runs one task on each node`},
		{"global job with scale", "scale: 2\n    deploy: {mode: global-job}", `service "web": deploy.replicas: cannot be used with mode global-job`},
		{"unknown mode", "deploy: {mode: daemon}", `service "web": deploy.mode: "daemon" is not a mode; use replicated, global, replicated-job or global-job`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := loadProject(t, "name: shop\nservices:\n  web:\n    image: nginx\n    "+tt.yaml+"\n", nil)
			assertErrorContains(t, specError(t, p, "web"), tt.want)
		})
	}
}

func TestServiceSpecUpdateConfig(t *testing.T) {
	tests := []struct {
		name, yaml       string
		update, rollback *swarm.UpdateConfig
		warned           []string
	}{
		{"none", "", nil, nil, nil},
		{
			name: "all fields",
			yaml: `deploy:
      update_config: {parallelism: 2, delay: 10s, failure_action: rollback, monitor: 30s, max_failure_ratio: 0.25, order: start-first}
      rollback_config: {parallelism: 0, failure_action: continue, order: stop-first}`,
			update: &swarm.UpdateConfig{Parallelism: 2, Delay: 10 * time.Second, FailureAction: swarm.UpdateFailureActionRollback,
				Monitor: 30 * time.Second, MaxFailureRatio: 0.25, Order: swarm.UpdateOrderStartFirst},
			rollback: &swarm.UpdateConfig{Parallelism: 0, FailureAction: swarm.UpdateFailureActionContinue, Order: swarm.UpdateOrderStopFirst},
		},
		{
			name:   "parallelism defaults to one, not all at once",
			yaml:   "deploy: {update_config: {delay: 5s}}",
			update: &swarm.UpdateConfig{Parallelism: 1, Delay: 5 * time.Second},
		},
		{
			name:   "a job drops both",
			yaml:   "deploy: {mode: replicated-job, update_config: {parallelism: 2}, rollback_config: {parallelism: 2}}",
			warned: []string{"deploy.rollback_config", "deploy.update_config"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, warnings := specOf(t, "name: shop\nservices:\n  web:\n    image: nginx\n    "+tt.yaml+"\n", "web")
			assertWarnings(t, warnings, tt.warned...)
			assertEqual(t, "update config", spec.UpdateConfig, tt.update)
			assertEqual(t, "rollback config", spec.RollbackConfig, tt.rollback)
		})
	}
}

func TestServiceSpecUpdateConfigErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unknown failure action", "deploy: {update_config: {failure_action: retry}}",
			`service "web": deploy.update_config.failure_action: "retry" is not an action; use pause, continue or rollback`},
		{"unknown rollback failure action", "deploy: {rollback_config: {failure_action: retry}}",
			`service "web": deploy.rollback_config.failure_action: "retry" is not an action`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := loadProject(t, "name: shop\nservices:\n  web:\n    image: nginx\n    "+tt.yaml+"\n", nil)
			assertErrorContains(t, specError(t, p, "web"), tt.want)
		})
	}
}
