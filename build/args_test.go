package build

import (
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

func ptr(s string) *string { return &s }

func TestResolveArgs(t *testing.T) {
	env := types.Mapping{"FROM_ENV": "env", "FLAG_ENV": "flagenv"}
	for _, tc := range []struct {
		name  string
		file  types.MappingWithEquals
		flags []string
		want  map[string]string // absent: not passed
	}{
		{"file values stay", types.MappingWithEquals{"A": ptr("1"), "EMPTY": ptr("")}, nil, map[string]string{"A": "1", "EMPTY": ""}},
		{"no value: from the environment", types.MappingWithEquals{"FROM_ENV": nil, "UNSET": nil}, nil, map[string]string{"FROM_ENV": "env"}},
		{"flags win", types.MappingWithEquals{"A": ptr("1")}, []string{"A=2", "B=x=y"}, map[string]string{"A": "2", "B": "x=y"}},
		{"flag without value: from the environment", nil, []string{"FLAG_ENV", "NOPE"}, map[string]string{"FLAG_ENV": "flagenv"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := resolveArgs(tc.file, tc.flags, env)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Errorf("got %d args %v, want %v", len(got), argValues(got), tc.want)
			}
			for k, v := range tc.want {
				if got[k] == nil || *got[k] != v {
					t.Errorf("%s = %v, want %q", k, got[k], v)
				}
			}
		})
	}
	if _, err := resolveArgs(nil, []string{"=oops"}, env); err == nil {
		t.Error("--build-arg =oops was accepted")
	}
}
