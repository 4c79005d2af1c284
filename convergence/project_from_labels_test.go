package convergence

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/project"
)

func labelled(name, service string, extra ...string) engine.Container {
	labels := map[string]string{LabelProject: "shop", LabelService: service, LabelContainerNumber: "1", LabelOneoff: "False"}
	for i := 0; i+1 < len(extra); i += 2 {
		labels[extra[i]] = extra[i+1]
	}
	return engine.Container{ID: "id-" + name, Name: name, Image: service + ":1", State: engine.StateRunning, Labels: labels, Networks: []string{"shop_default"}}
}

func TestProjectFromLabels(t *testing.T) {
	tests := []struct {
		name       string
		containers []engine.Container
		want       map[string]string // service → sorted depends_on "to:condition:restart"
		wantNets   string
		wantVols   string
	}{
		{
			name: "services and their dependencies",
			containers: []engine.Container{
				labelled("shop-web-1", "web", LabelDependsOn, "api:service_healthy:false"),
				labelled("shop-api-1", "api", LabelDependsOn, "db:service_started:true"),
				labelled("shop-db-1", "db", LabelDependsOn, ""),
			},
			want:     map[string]string{"web": "api:service_healthy:false", "api": "db:service_started:true", "db": ""},
			wantNets: "default=shop_default",
			wantVols: "data=shop_data",
		},
		{
			name: "a dependency without containers is dropped",
			containers: []engine.Container{
				labelled("shop-web-1", "web", LabelDependsOn, "api:service_started:false,db:service_started:false"),
				labelled("shop-db-1", "db"),
			},
			want:     map[string]string{"web": "db:service_started:false", "db": ""},
			wantNets: "default=shop_default",
			wantVols: "data=shop_data",
		},
		{
			name: "oneoff containers name no service",
			containers: []engine.Container{
				labelled("shop-db-1", "db"),
				labelled("shop-db-run-1", "tool", LabelOneoff, "True"),
			},
			want:     map[string]string{"db": ""},
			wantNets: "default=shop_default",
			wantVols: "data=shop_data",
		},
		{
			name:     "no containers: networks and volumes only",
			want:     map[string]string{},
			wantNets: "default=shop_default",
			wantVols: "data=shop_data",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := labelledResources(&Observed{Project: "shop", Containers: tt.containers,
				Networks: map[string]engine.Network{}, Volumes: map[string]engine.Volume{}})
			p := ProjectFromLabels("shop", o)
			if got := dependsOnOf(p); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("services = %v, want %v", got, tt.want)
			}
			if got := networkKeys(p); got != tt.wantNets {
				t.Errorf("networks = %q, want %q", got, tt.wantNets)
			}
			if got := volumeKeys(p); got != tt.wantVols {
				t.Errorf("volumes = %q, want %q", got, tt.wantVols)
			}
			if _, err := project.NewGraph(p); err != nil {
				t.Errorf("graph of the label-built project: %v", err)
			}
		})
	}
}

func TestProjectFromLabelsPlansDown(t *testing.T) {
	o := labelledResources(&Observed{Project: "shop", Networks: map[string]engine.Network{}, Volumes: map[string]engine.Volume{},
		Containers: []engine.Container{
			labelled("shop-api-1", "api", LabelDependsOn, "db:service_started:false", LabelWorkingDir, "/src/shop", LabelConfigFiles, "/src/shop/compose.yaml"),
			labelled("shop-db-1", "db"),
		}})
	p := ProjectFromLabels("shop", o)
	if p.WorkingDir != "/src/shop" || !reflect.DeepEqual(p.ComposeFiles, []string{"/src/shop/compose.yaml"}) {
		t.Errorf("working dir %q, files %v: want them from the labels", p.WorkingDir, p.ComposeFiles)
	}
	if got := p.Services["api"].Networks; !reflect.DeepEqual(got, map[string]*types.ServiceNetworkConfig{"default": nil}) {
		t.Errorf("api networks = %v, want default", got)
	}
	g, err := project.NewGraph(p)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := PlanDown(p, g, o, DownOptions{Volumes: true})
	if err != nil {
		t.Fatal(err)
	}
	want := `remove-network:shop_default [after remove:shop-api-1 remove:shop-db-1]
remove-volume:shop_data [after remove:shop-api-1 remove:shop-db-1]
remove:shop-api-1 [after stop:shop-api-1]
remove:shop-db-1 [after stop:shop-db-1]
stop:shop-api-1
stop:shop-db-1 [after stop:shop-api-1]
`
	if got := plan.String(); got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}
}

func TestParseDependsOn(t *testing.T) {
	tests := []struct {
		label string
		want  types.DependsOnConfig
	}{
		{label: "", want: nil},
		{label: "db:service_healthy:true", want: types.DependsOnConfig{
			"db": {Condition: types.ServiceConditionHealthy, Restart: true, Required: true}}},
		{label: "db", want: types.DependsOnConfig{
			"db": {Condition: types.ServiceConditionStarted, Required: true}}},
		{label: "a:service_completed_successfully:false,b:service_started:false", want: types.DependsOnConfig{
			"a": {Condition: types.ServiceConditionCompletedSuccessfully, Required: true},
			"b": {Condition: types.ServiceConditionStarted, Required: true}}},
	}
	for _, tt := range tests {
		if got := parseDependsOn(tt.label); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseDependsOn(%q) = %v, want %v", tt.label, got, tt.want)
		}
	}
}

// labelledResources adds what berth makes for a project: its labelled
// default network and data volume, and one of another project.
func labelledResources(o *Observed) *Observed {
	o.Networks["shop_default"] = engine.Network{ID: "net1", Name: "shop_default", Labels: map[string]string{LabelProject: "shop", LabelNetwork: "default"}}
	o.Networks["bridge"] = engine.Network{ID: "net0", Name: "bridge"}
	o.Networks["blog_default"] = engine.Network{ID: "net2", Name: "blog_default", Labels: map[string]string{LabelProject: "blog", LabelNetwork: "default"}}
	o.Volumes["shop_data"] = engine.Volume{Name: "shop_data", Labels: map[string]string{LabelProject: "shop", LabelVolume: "data"}}
	o.Volumes["blog_data"] = engine.Volume{Name: "blog_data", Labels: map[string]string{LabelProject: "blog", LabelVolume: "data"}}
	return o
}

func dependsOnOf(p *types.Project) map[string]string {
	out := map[string]string{}
	for name, s := range p.Services {
		out[name] = dependsOnLabel(s)
	}
	return out
}

func networkKeys(p *types.Project) string {
	var keys []string
	for k, n := range p.Networks {
		keys = append(keys, k+"="+n.Name)
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

func volumeKeys(p *types.Project) string {
	var keys []string
	for k, v := range p.Volumes {
		keys = append(keys, k+"="+v.Name)
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}
