package build

import (
	"fmt"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// resolveArgs gives the build its arguments as docker compose does: the
// file's (already interpolated by the loader), those without a value
// taken from the project's environment and dropped when it lacks them,
// then the --build-arg flags over them.
func resolveArgs(file types.MappingWithEquals, flags []string, env types.Mapping) (map[string]*string, error) {
	out := map[string]*string{}
	for k, v := range file {
		if v == nil {
			val, ok := env[k]
			if !ok {
				continue
			}
			v = &val
		}
		out[k] = v
	}
	for _, f := range flags {
		k, v, hasValue := strings.Cut(f, "=")
		if k == "" {
			return nil, fmt.Errorf("invalid --build-arg %q: use KEY=VALUE, or KEY to take its value from the environment", f)
		}
		if !hasValue {
			val, ok := env[k]
			if !ok {
				continue
			}
			v = val
		}
		out[k] = &v
	}
	return out, nil
}

// argValues is args as plain values, for filling in the Dockerfile.
func argValues(args map[string]*string) map[string]string {
	out := make(map[string]string, len(args))
	for k, v := range args {
		if v != nil {
			out[k] = *v
		}
	}
	return out
}
