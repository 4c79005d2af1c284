package project

import (
	"errors"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

func TestCheckContainerNames(t *testing.T) {
	svc := func(name, container string) types.ServiceConfig {
		return types.ServiceConfig{Name: name, ContainerName: container}
	}
	tests := []struct {
		name     string
		services []types.ServiceConfig
		want     string
	}{
		{name: "distinct names", services: []types.ServiceConfig{svc("a", "one"), svc("b", "two"), svc("c", "")}},
		{name: "unnamed services never clash", services: []types.ServiceConfig{svc("a", ""), svc("b", "")}},
		{
			name:     "two services, one name",
			services: []types.ServiceConfig{svc("web", "shared"), svc("api", "shared")},
			want:     `services api and web all set container_name "shared", but a container name is unique on an engine; give each its own container_name, or drop it to let berth name them`,
		},
		{
			name:     "every clash is named, in name order",
			services: []types.ServiceConfig{svc("c", "x"), svc("a", "y"), svc("b", "x"), svc("d", "y"), svc("e", "y")},
			want: `services b and c all set container_name "x", but a container name is unique on an engine; give each its own container_name, or drop it to let berth name them
services a, d and e all set container_name "y", but a container name is unique on an engine; give each its own container_name, or drop it to let berth name them`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &types.Project{Services: types.Services{}}
			for _, s := range tt.services {
				p.Services[s.Name] = s
			}
			err := CheckContainerNames(p)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error = %v\nwant %s", err, tt.want)
			}
			var conflict *ContainerNameConflictError
			if !errors.As(err, &conflict) {
				t.Errorf("error %T is not a *ContainerNameConflictError", err)
			}
		})
	}
}
