package convergence

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"sort"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestSpecLabels(t *testing.T) {
	p := specProject(t, `
name: shop
services:
  web:
    image: nginx
    labels: {team: web, com.docker.compose.project: spoofed}
    depends_on:
      db: {condition: service_healthy, restart: true}
      cache: {condition: service_started}
  db: {image: postgres}
  cache: {image: redis}
`)
	web := p.Services["web"]
	hash, err := ServiceHash(web)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"team":               "web",
		LabelProject:         "shop", // compose's own labels win over the service's
		LabelService:         "web",
		LabelVersion:         "2.40.0",
		LabelWorkingDir:      p.WorkingDir,
		LabelConfigFiles:     filepath.Join(p.WorkingDir, "compose.yaml"),
		LabelOneoff:          "False",
		LabelEnvironmentFile: "/a/.env,/b/.env",
		LabelImage:           "sha256:abc",
		LabelConfigHash:      hash,
		LabelContainerNumber: "1",
		LabelDependsOn:       "cache:service_started:false,db:service_healthy:true",
		// one label for the sections, none of the older per-section ones
		LabelConfigSections: encodeSections(SectionHashes(web)),
	}
	spec, _ := specOf(t, p, "web", SpecOptions{ImageID: "sha256:abc", Version: "2.40.0", EnvFiles: []string{"/a/.env", "/b/.env"}})
	assertEqual(t, "labels", spec.Config.Labels, want)
}

func TestSpecLabelsOfARecreate(t *testing.T) {
	p := specProject(t, "name: shop\nservices: {web: {image: nginx}, db: {image: postgres, container_name: pg}}\n")
	tests := []struct {
		service, name, replace string
		hash                   string
	}{
		{service: "web", name: "", replace: ""},
		{service: "web", name: "shop-web-1", replace: ""},
		{service: "web", name: "0123456789ab_shop-web-1", replace: "web-1"},
		{service: "db", name: "0123456789ab_pg", replace: "pg", hash: "given"},
	}
	for _, tt := range tests {
		t.Run(tt.service+tt.name, func(t *testing.T) {
			spec, _ := specOf(t, p, tt.service, SpecOptions{Name: tt.name, ConfigHash: tt.hash})
			if tt.name != "" {
				assertEqual(t, "name", spec.Name, tt.name)
			}
			assertEqual(t, "replace label", spec.Config.Labels[LabelReplace], tt.replace)
			if tt.hash != "" {
				assertEqual(t, "config hash", spec.Config.Labels[LabelConfigHash], tt.hash)
			}
			// the alias stays the final name, which other containers resolve
			assertEqual(t, "alias", spec.Networking.EndpointsConfig["shop_default"].Aliases[0], ContainerName("shop", p.Services[tt.service], 1))
		})
	}
}

func TestDependsOnLabel(t *testing.T) {
	tests := []struct {
		name string
		deps types.DependsOnConfig
		want string
	}{
		{"none", nil, ""},
		{"one", types.DependsOnConfig{"db": {Condition: "service_started", Required: true}}, "db:service_started:false"},
		{"sorted", types.DependsOnConfig{
			"migrate": {Condition: "service_completed_successfully"},
			"db":      {Condition: "service_healthy", Restart: true},
		}, "db:service_healthy:true,migrate:service_completed_successfully:false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := types.ServiceConfig{Name: "web"}
			s.DependsOn = tt.deps
			assertEqual(t, "label", dependsOnLabel(s), tt.want)
		})
	}
}

func TestSectionHashes(t *testing.T) {
	base := func() types.ServiceConfig {
		s := types.ServiceConfig{Name: "web"}
		s.Image = "web:1"
		return s
	}
	str := func(v string) *string { return &v }
	tests := []struct {
		name    string
		change  func(*types.ServiceConfig)
		changed []string
	}{
		{"image", func(s *types.ServiceConfig) { s.Image = "web:2" }, []string{SectionImage}},
		{"command", func(s *types.ServiceConfig) { s.Command = types.ShellCommand{"run"} }, []string{SectionCommand}},
		{"user", func(s *types.ServiceConfig) { s.User = "app" }, []string{SectionCommand}},
		{"environment", func(s *types.ServiceConfig) { s.Environment = types.MappingWithEquals{"A": str("1")} }, []string{SectionEnvironment}},
		{"ports", func(s *types.ServiceConfig) { s.Ports = []types.ServicePortConfig{{Target: 80}} }, []string{SectionPorts}},
		{"tmpfs", func(s *types.ServiceConfig) { s.Tmpfs = types.StringList{"/tmp"} }, []string{SectionVolumes}},
		{"networks", func(s *types.ServiceConfig) { s.Networks = map[string]*types.ServiceNetworkConfig{"back": nil} }, []string{SectionNetworks}},
		{"memory", func(s *types.ServiceConfig) { s.MemLimit = 1 << 20 }, []string{SectionResources}},
		{"labels and new attributes", func(s *types.ServiceConfig) { s.Labels = types.Labels{"a": "b"} }, []string{SectionOther}},
		{"image and memory", func(s *types.ServiceConfig) { s.Image = "web:2"; s.CPUS = 1 }, []string{SectionImage, SectionResources}},
		{"replicas change nothing", func(s *types.ServiceConfig) { n := 3; s.Scale = &n }, nil},
		{"depends_on changes nothing", func(s *types.ServiceConfig) { s.DependsOn = types.DependsOnConfig{"db": {}} }, nil},
	}
	before := SectionHashes(base())
	assertEqual(t, "sections", sortedMapKeys(before), Sections())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base()
			tt.change(&s)
			after := SectionHashes(s)
			var changed []string
			for _, sec := range Sections() {
				if before[sec] != after[sec] {
					changed = append(changed, sec)
				}
			}
			assertEqual(t, "changed sections", changed, tt.changed)
			beforeHash, _ := ServiceHash(base())
			afterHash, _ := ServiceHash(s)
			if (beforeHash != afterHash) != (len(tt.changed) > 0) {
				t.Errorf("config-hash changed = %v, sections changed = %v: they must agree", beforeHash != afterHash, changed)
			}
		})
	}
}

func sortedMapKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
