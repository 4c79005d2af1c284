package engine

import (
	"context"
	"net/http/httptest"
	"net/url"
	"reflect"
	"testing"
	"time"
)

func connectFake(t *testing.T, api *fakeAPI) *Client {
	t.Helper()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	c, err := Connect(context.Background(), envOf(map[string]string{"DOCKER_HOST": hostOf(srv)}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestListContainers(t *testing.T) {
	api := &fakeAPI{apiVersion: "1.41", responses: map[string]any{"/containers/json": []any{
		map[string]any{
			"Id": "b2", "Names": []string{"/demo-web-1", "/demo-proxy-1/web"}, "Image": "nginx", "ImageID": "sha256:n",
			"Created": 1700000000, "State": "running", "Status": "Up 2 minutes",
			"Labels": map[string]string{"com.docker.compose.project": "demo"},
		},
		map[string]any{
			"Id": "a1", "Names": []string{"/demo-db-1"}, "Image": "postgres", "ImageID": "sha256:p",
			"Created": 1700000001, "State": "exited", "Status": "Exited (0) 1 minute ago",
			"Labels": map[string]string{"com.docker.compose.project": "demo"},
		},
	}}}
	c := connectFake(t, api)

	got, err := c.ListContainers(context.Background(), Filter{Labels: []string{"com.docker.compose.project=demo"}})
	if err != nil {
		t.Fatal(err)
	}

	labels := map[string]string{"com.docker.compose.project": "demo"}
	want := []Container{
		{ID: "a1", Name: "demo-db-1", Image: "postgres", ImageID: "sha256:p", State: StateExited, Status: "Exited (0) 1 minute ago", Created: time.Unix(1700000001, 0), Labels: labels},
		{ID: "b2", Name: "demo-web-1", Image: "nginx", ImageID: "sha256:n", State: StateRunning, Status: "Up 2 minutes", Created: time.Unix(1700000000, 0), Labels: labels},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ListContainers\n got %+v\nwant %+v", got, want)
	}
	q, _ := url.ParseQuery(api.query("/containers/json"))
	if q.Get("all") != "1" || q.Get("filters") != `{"label":{"com.docker.compose.project=demo":true}}` {
		t.Errorf("query = %v, want all=1 and the label filter", q)
	}
}

func TestListNetworksAndVolumes(t *testing.T) {
	api := &fakeAPI{apiVersion: "1.41", responses: map[string]any{
		"/networks": []any{
			map[string]any{"Id": "n2", "Name": "demo_front", "Driver": "bridge", "Scope": "local", "Labels": map[string]string{"k": "v"}},
			map[string]any{"Id": "n1", "Name": "demo_back", "Driver": "bridge", "Scope": "local", "Internal": true, "Attachable": true},
		},
		"/volumes": map[string]any{"Volumes": []any{
			map[string]any{"Name": "demo_data", "Driver": "local", "Scope": "local", "Mountpoint": "/var/lib/docker/volumes/demo_data/_data", "Options": map[string]string{"type": "tmpfs"}, "Labels": map[string]string{"k": "v"}},
			map[string]any{"Name": "demo_cache", "Driver": "local", "Scope": "local"},
		}},
	}}
	c := connectFake(t, api)

	nets, err := c.ListNetworks(context.Background(), Filter{Labels: []string{"k"}})
	if err != nil {
		t.Fatal(err)
	}
	wantNets := []Network{
		{ID: "n1", Name: "demo_back", Driver: "bridge", Scope: "local", Internal: true, Attachable: true},
		{ID: "n2", Name: "demo_front", Driver: "bridge", Scope: "local", Labels: map[string]string{"k": "v"}},
	}
	if !reflect.DeepEqual(nets, wantNets) {
		t.Errorf("ListNetworks\n got %+v\nwant %+v", nets, wantNets)
	}
	if q, _ := url.ParseQuery(api.query("/networks")); q.Get("filters") != `{"label":{"k":true}}` {
		t.Errorf("networks query = %v", q)
	}

	vols, err := c.ListVolumes(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	wantVols := []Volume{
		{Name: "demo_cache", Driver: "local", Scope: "local"},
		{Name: "demo_data", Driver: "local", Scope: "local", Mountpoint: "/var/lib/docker/volumes/demo_data/_data", Options: map[string]string{"type": "tmpfs"}, Labels: map[string]string{"k": "v"}},
	}
	if !reflect.DeepEqual(vols, wantVols) {
		t.Errorf("ListVolumes\n got %+v\nwant %+v", vols, wantVols)
	}
	if q := api.query("/volumes"); q != "" {
		t.Errorf("an empty filter should send no query, got %q", q)
	}
}

func TestCanonicalName(t *testing.T) {
	tests := []struct {
		names []string
		want  string
	}{
		{[]string{"/web"}, "web"},
		{[]string{"/proxy/web", "/web"}, "web"},
		{[]string{"/proxy/web"}, "proxy/web"},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := canonicalName(tt.names); got != tt.want {
			t.Errorf("canonicalName(%q) = %q, want %q", tt.names, got, tt.want)
		}
	}
}

func TestFilterMatches(t *testing.T) {
	labels := map[string]string{"project": "demo", "oneoff": "False", "empty": ""}
	tests := []struct {
		name   string
		filter Filter
		want   bool
	}{
		{"zero filter matches all", Filter{}, true},
		{"key and value", Filter{Labels: []string{"project=demo"}}, true},
		{"wrong value", Filter{Labels: []string{"project=other"}}, false},
		{"key only", Filter{Labels: []string{"oneoff"}}, true},
		{"missing key", Filter{Labels: []string{"service"}}, false},
		{"empty value must be empty", Filter{Labels: []string{"empty="}}, true},
		{"empty value is not any value", Filter{Labels: []string{"project="}}, false},
		{"all must match", Filter{Labels: []string{"project=demo", "oneoff=True"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.filter.Matches(labels); got != tt.want {
				t.Errorf("%v.Matches = %v, want %v", tt.filter, got, tt.want)
			}
		})
	}
}
