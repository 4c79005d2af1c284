package engine

import "github.com/moby/moby/client/pkg/versions"

// APIBefore says whether API version v is older than min, for the fields
// and calls an older engine lacks. An empty v is a current engine.
func APIBefore(v, min string) bool {
	return v != "" && versions.LessThan(v, min)
}
