package convergence

import (
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

func TestServiceHashIgnoresWhatMustNotRecreate(t *testing.T) {
	replicas := func(n int) *int { return &n }
	base := func() types.ServiceConfig {
		s := types.ServiceConfig{Name: "web"}
		s.Image = "web:1"
		s.Deploy = &types.DeployConfig{Replicas: replicas(1)}
		return s
	}
	want, err := ServiceHash(base())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(*types.ServiceConfig)
		same   bool
	}{
		{"replicas", func(s *types.ServiceConfig) { s.Deploy.Replicas = replicas(5) }, true},
		{"scale", func(s *types.ServiceConfig) { s.Scale = replicas(3) }, true},
		{"depends_on", func(s *types.ServiceConfig) { s.DependsOn = types.DependsOnConfig{"db": {}} }, true},
		{"profiles", func(s *types.ServiceConfig) { s.Profiles = []string{"debug"} }, true},
		{"build", func(s *types.ServiceConfig) { s.Build = &types.BuildConfig{Context: "."} }, true},
		{"pull_policy", func(s *types.ServiceConfig) { s.PullPolicy = "always" }, true},
		{"image", func(s *types.ServiceConfig) { s.Image = "web:2" }, false},
		{"environment", func(s *types.ServiceConfig) { v := "1"; s.Environment = types.MappingWithEquals{"A": &v} }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base()
			tt.change(&s)
			got, err := ServiceHash(s)
			if err != nil {
				t.Fatal(err)
			}
			if (got == want) != tt.same {
				t.Errorf("hash changed = %v, want changed = %v", got != want, !tt.same)
			}
		})
	}
}

func TestServiceHashLeavesCallerReplicas(t *testing.T) {
	n := 3
	s := types.ServiceConfig{Name: "web", Deploy: &types.DeployConfig{Replicas: &n}}
	if _, err := ServiceHash(s); err != nil {
		t.Fatal(err)
	}
	if s.Deploy.Replicas == nil || *s.Deploy.Replicas != 3 {
		t.Error("ServiceHash cleared the caller's replicas")
	}
}

func TestOrderTopLevelKeys(t *testing.T) {
	got, err := orderTopLevelKeys([]byte(`{"zeta":1,"image":"x","command":["a"],"alpha":{"b":1,"a":2}}`), hashKeyOrder)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"command":["a"],"image":"x","alpha":{"b":1,"a":2},"zeta":1}`
	if string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
