package project

import (
	"path/filepath"
	"testing"

	"github.com/compose-spec/compose-go/v2/dotenv"

	"github.com/berth-compose/berth/bench"
)

// loadBenchEnviron stands in for a shell's environment. It sets none of the
// variables the generated .env does, so the .env values are the ones used.
var loadBenchEnviron = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/nonexistent", "LANG=C.UTF-8"}

// BenchmarkLoad200 measures what every berth command pays before it talks
// to the engine: loading a 200-service project from four files and .env,
// then building its service graph.
func BenchmarkLoad200(b *testing.B) {
	files, err := bench.WriteLoadProject(b.TempDir(), 200)
	if err != nil {
		b.Fatal(err)
	}
	opts := LoadOptions{ConfigPaths: files, Environ: loadBenchEnviron}
	b.ReportAllocs()
	for b.Loop() {
		p, err := Load(b.Context(), opts)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := NewGraph(p); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLoadProjectGenerated checks that the benchmark's project really loads
// as generated: every file merged, .env interpolated, the tree intact.
func TestLoadProjectGenerated(t *testing.T) {
	const n = 200
	dir := t.TempDir()
	files, err := bench.WriteLoadProject(dir, n)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Load(t.Context(), LoadOptions{ConfigPaths: files, Environ: loadBenchEnviron})
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != bench.ProjectName {
		t.Errorf("project name = %q, want %q", p.Name, bench.ProjectName)
	}
	if len(p.Services) != n {
		t.Fatalf("loaded %d services, want %d", len(p.Services), n)
	}

	env, err := dotenv.Read(filepath.Join(dir, ".env"))
	if err != nil {
		t.Fatal(err)
	}
	// svc-199 is defined in the last services file, so this also shows
	// that file was read and interpolated.
	last := p.Services["svc-199"]
	if want := "registry.local/svc:" + env["TAG"]; last.Image != want {
		t.Errorf("svc-199 image = %q, want %q from .env", last.Image, want)
	}
	if got := last.Environment["LEVEL"]; got == nil || *got != env["LOG_LEVEL"] {
		t.Errorf("svc-199 LEVEL = %v, want %q from .env", got, env["LOG_LEVEL"])
	}
	// compose.override.yaml comes last and adds to a service of another file.
	if got := p.Services["svc-197"].Labels["com.example.override"]; got != "true" {
		t.Errorf("svc-197 override label = %q, want \"true\"", got)
	}

	g, err := NewGraph(p)
	if err != nil {
		t.Fatal(err)
	}
	edges := g.Edges()
	if len(edges) != n-1 {
		t.Errorf("graph has %d edges, want %d (one depends_on per service but the root)", len(edges), n-1)
	}
	for _, e := range edges {
		if e.Kind != DependsOn {
			t.Errorf("edge %s: want only depends_on edges", e)
		}
	}
	// Every service depends on (i-1)/2, waiting for it to be healthy when
	// it has a healthcheck (every third service).
	for name, want := range map[string]string{
		"svc-001": "svc-001 -> svc-000 depends_on service_healthy",
		"svc-008": "svc-008 -> svc-003 depends_on service_healthy",
		"svc-010": "svc-010 -> svc-004 depends_on service_started",
		"svc-199": "svc-199 -> svc-099 depends_on service_healthy",
	} {
		deps := g.Dependencies(name)
		if len(deps) != 1 || deps[0].String() != want {
			t.Errorf("dependencies of %s = %v, want [%s]", name, deps, want)
		}
	}
}

// BenchmarkAliasGuard200 measures the alias-bomb scan alone on the same
// project, the part of BenchmarkLoad200 that guards against hostile files.
func BenchmarkAliasGuard200(b *testing.B) {
	files, err := bench.WriteLoadProject(b.TempDir(), 200)
	if err != nil {
		b.Fatal(err)
	}
	po, err := projectOptions(LoadOptions{ConfigPaths: files, Environ: loadBenchEnviron})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := guardFiles(po, LoadOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
