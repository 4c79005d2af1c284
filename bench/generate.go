package bench

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ProjectName is the name the generated projects load under. It comes from
// COMPOSE_PROJECT_NAME in .env rather than a top-level name: docker-compose
// v1, which the comparison script times too, rejects the top-level name.
const ProjectName = "loadbench"

// dotEnv is the generated .env. Tests read the values back from the file,
// so changing one here needs no other edit.
const dotEnv = `COMPOSE_PROJECT_NAME=` + ProjectName + `
TAG=1.36.1
LOG_LEVEL=debug
PORT_HOST=127.0.0.1
`

// parentFunc is the shape of a load project: the services that service i
// depends on, each lower than i so the graph has no cycle. The runtime
// shapes (wide, chain, fan, mixed) are described in shapes.go instead:
// they must also be built by the engine floor, not only written as YAML.
type parentFunc func(i int) []int

// tree makes every service i > 0 depend on service (i-1)/2: a balanced
// binary tree, so depth grows as log n and most services have dependents.
func tree(i int) []int {
	if i == 0 {
		return nil
	}
	return []int{(i - 1) / 2}
}

// WriteLoadProject writes into dir a project of n services shaped as a
// binary dependency tree and spread over four files, and returns those files
// in the order to pass them with -f. Passing them with -f matters: discovery
// would read compose.override.yaml but not services-2.yaml or services-3.yaml.
//
// The project exercises what loading costs in real projects: .env and
// interpolation, a YAML anchor and merge key, overrides merged across files,
// ports, named volumes, two networks, healthchecks, and depends_on with
// service_healthy where the dependency has a healthcheck. Images are named
// but never pulled.
func WriteLoadProject(dir string, n int) (files []string, err error) {
	return writeProject(dir, n, tree)
}

func writeProject(dir string, n int, parents parentFunc) ([]string, error) {
	if n < 1 {
		return nil, fmt.Errorf("generating a project in %s: need at least one service, got %d", dir, n)
	}
	g := generator{n: n, width: max(3, len(fmt.Sprint(n-1))), parents: parents}
	third := (n + 2) / 3
	contents := []struct{ name, text string }{
		{"compose.yaml", g.file(0, min(third, n), true)},
		{"services-2.yaml", g.file(min(third, n), min(2*third, n), false)},
		{"services-3.yaml", g.file(min(2*third, n), n, false)},
		// Last, as an override file is: it adds to services of every file.
		{"compose.override.yaml", g.override()},
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("generating a project: %w", err)
	}
	var files []string
	var errs []error
	for _, c := range contents {
		if c.text == "" {
			continue
		}
		path := filepath.Join(dir, c.name)
		errs = append(errs, os.WriteFile(path, []byte(c.text), 0o644))
		files = append(files, path)
	}
	errs = append(errs, os.WriteFile(filepath.Join(dir, ".env"), []byte(dotEnv), 0o644))
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("generating a project in %s: %w", dir, err)
	}
	return files, nil
}

// generator writes the services of one project. Which service gets which
// feature depends only on its index, so output is the same on every run.
type generator struct {
	n       int
	width   int // digits in service names, so they sort in index order
	parents parentFunc
}

func (g generator) name(i int) string { return fmt.Sprintf("svc-%0*d", g.width, i) }

func hasHealthcheck(i int) bool { return i%3 == 0 }
func hasPorts(i int) bool       { return i%25 == 0 }
func hasVolume(i int) bool      { return i%10 == 3 }
func isOverridden(i int) bool   { return i%4 == 1 }

// file renders services [from, to), which only the first file has
// always (n >= 1). The first file also holds the top-level networks; every
// file declares the volumes its services use.
func (g generator) file(from, to int, first bool) string {
	if from == to && !first {
		// docker-compose v1 reads a file with no services as the legacy
		// version 1 format and refuses to merge it, so none is written.
		return ""
	}
	var b strings.Builder
	b.WriteString("x-common: &common\n" +
		"  restart: unless-stopped\n" +
		"  stop_grace_period: 5s\n" +
		"  logging:\n" +
		"    driver: json-file\n" +
		"    options: {max-size: 10m, max-file: \"3\"}\n\n")
	b.WriteString("services:\n")
	for i := from; i < to; i++ {
		g.service(&b, i)
	}
	if first {
		b.WriteString("\nnetworks:\n  front: {}\n  back:\n    internal: true\n")
	}
	var volumes []string
	for i := from; i < to; i++ {
		if hasVolume(i) {
			volumes = append(volumes, "  data-"+g.name(i)+": {}\n")
		}
	}
	if len(volumes) > 0 {
		b.WriteString("\nvolumes:\n" + strings.Join(volumes, ""))
	}
	return b.String()
}

func (g generator) service(b *strings.Builder, i int) {
	name := g.name(i)
	fmt.Fprintf(b, "  %s:\n", name)
	b.WriteString("    <<: *common\n")
	b.WriteString("    image: \"registry.local/svc${SUFFIX:-}:${TAG:-1}\"\n")
	b.WriteString("    command: [\"sleep\", \"infinity\"]\n")
	fmt.Fprintf(b, "    environment:\n      LEVEL: \"${LOG_LEVEL:-info}\"\n      INDEX: \"%d\"\n", i)
	if hasPorts(i) {
		b.WriteString("    networks: [front, back]\n")
		fmt.Fprintf(b, "    ports:\n      - \"${PORT_HOST:-0.0.0.0}:%d:80\"\n", 18000+i)
	} else {
		b.WriteString("    networks: [back]\n")
	}
	if hasVolume(i) {
		fmt.Fprintf(b, "    volumes:\n      - data-%s:/data\n", name)
	}
	if hasHealthcheck(i) {
		b.WriteString("    healthcheck:\n" +
			"      test: [\"CMD\", \"true\"]\n" +
			"      interval: 5s\n      timeout: 2s\n      retries: 3\n")
	}
	if deps := g.parents(i); len(deps) > 0 {
		b.WriteString("    depends_on:\n")
		for _, d := range deps {
			condition := "service_started"
			if hasHealthcheck(d) {
				condition = "service_healthy"
			}
			fmt.Fprintf(b, "      %s:\n        condition: %s\n", g.name(d), condition)
		}
	}
}

// override adds environment and labels to every fourth service, wherever
// that service is defined.
func (g generator) override() string {
	var b strings.Builder
	var started bool
	for i := range g.n {
		if !isOverridden(i) {
			continue
		}
		if !started {
			b.WriteString("services:\n")
			started = true
		}
		fmt.Fprintf(&b, "  %s:\n", g.name(i))
		b.WriteString("    environment:\n      EXTRA: \"overridden\"\n      DEBUG_PORT: \"${DEBUG_PORT:-9229}\"\n")
		fmt.Fprintf(&b, "    labels:\n      com.example.tier: \"t%d\"\n      com.example.override: \"true\"\n", i%3)
	}
	return b.String() // empty, so not written, when nothing is overridden
}
