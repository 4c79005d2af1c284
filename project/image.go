package project

import "github.com/compose-spec/compose-go/v2/types"

// ImageName is the image a service runs: its `image`, or for a service that
// is only built, the name docker compose gives the build: <project>-<service>.
func ImageName(projectName string, s types.ServiceConfig) string {
	if s.Image != "" {
		return s.Image
	}
	return projectName + "-" + s.Name
}
