package engine

import (
	"context"
	"io"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestClientTopContainer(t *testing.T) {
	tests := []struct {
		psArgs    string
		wantQuery string
	}{
		{"", ""},
		{"aux", "ps_args=aux"},
	}
	for _, tt := range tests {
		t.Run(tt.psArgs, func(t *testing.T) {
			c, stub := connectStub(t, map[string]reply{
				"GET /containers/web/top": {200, `{"Titles":["UID","PID","CMD"],"Processes":[["root","42","sleep 1"]]}`},
			})
			titles, procs, err := c.TopContainer(context.Background(), "web", tt.psArgs)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(titles, []string{"UID", "PID", "CMD"}) || !reflect.DeepEqual(procs, [][]string{{"root", "42", "sleep 1"}}) {
				t.Errorf("got %v %v", titles, procs)
			}
			want := strings.TrimSuffix("GET /containers/web/top?"+tt.wantQuery, "?")
			if got := stub.requests(); len(got) != 1 || got[0] != want {
				t.Errorf("requests %v, want [%s]", got, want)
			}
		})
	}
}

func TestClientTopContainerNotFound(t *testing.T) {
	c, _ := connectStub(t, nil)
	_, _, err := c.TopContainer(context.Background(), "gone", "")
	if !IsNotFound(err) || !strings.Contains(err.Error(), "listing the processes of container gone") {
		t.Errorf("err = %v, want a not-found naming the container", err)
	}
}

func TestClientCommitContainer(t *testing.T) {
	tests := []struct {
		name string
		opts CommitOptions
		want url.Values
	}{
		{"defaults pause and tag nothing", CommitOptions{Pause: true}, url.Values{"container": {"web"}}},
		{"everything", CommitOptions{Reference: "snap:v1", Message: "m", Author: "a", Changes: []string{"ENV A=1", "CMD x"}},
			url.Values{"container": {"web"}, "repo": {"docker.io/library/snap"}, "tag": {"v1"}, "comment": {"m"},
				"author": {"a"}, "changes": {"ENV A=1", "CMD x"}, "pause": {"0"}}},
		{"no tag is latest", CommitOptions{Reference: "reg:5000/team/snap", Pause: true},
			url.Values{"container": {"web"}, "repo": {"reg:5000/team/snap"}, "tag": {"latest"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, stub := connectStub(t, map[string]reply{"POST /commit": {201, `{"Id":"sha256:abc"}`}})
			id, err := c.CommitContainer(context.Background(), "web", tt.opts)
			if err != nil || id != "sha256:abc" {
				t.Fatalf("CommitContainer = %q, %v", id, err)
			}
			reqs := stub.requests()
			if len(reqs) != 1 {
				t.Fatalf("requests %v", reqs)
			}
			_, query, _ := strings.Cut(reqs[0], "?")
			got, err := url.ParseQuery(query)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("query %v, want %v", got, tt.want)
			}
		})
	}
}

func TestClientCommitContainerBadReference(t *testing.T) {
	c, stub := connectStub(t, nil)
	_, err := c.CommitContainer(context.Background(), "web", CommitOptions{Reference: "Snap"})
	if err == nil || !strings.Contains(err.Error(), "committing container web") {
		t.Errorf("err = %v, want a failed commit of web", err)
	}
	if reqs := stub.requests(); len(reqs) != 0 {
		t.Errorf("a bad reference reached the engine: %v", reqs)
	}
}

func TestClientExportContainer(t *testing.T) {
	c, _ := connectStub(t, map[string]reply{"GET /containers/web/export": {200, "TARBYTES"}})
	rc, err := c.ExportContainer(context.Background(), "web")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	body, err := io.ReadAll(rc)
	if err != nil || string(body) != "TARBYTES" {
		t.Errorf("body %q, %v", body, err)
	}
}

func TestClientInspectImage(t *testing.T) {
	c, _ := connectStub(t, map[string]reply{"GET /images/busybox/json": {200, `{
		"Id": "sha256:4db8", "RepoTags": ["busybox:latest"], "Created": "2026-01-02T03:04:05.5Z",
		"Architecture": "arm64", "Variant": "v8", "Os": "linux", "Size": 1985573,
		"Author": "me", "Comment": "snap", "Metadata": {"LastTagTime": "2026-01-03T00:00:00Z"}}`}})
	img, err := c.InspectImage(context.Background(), "busybox")
	if err != nil {
		t.Fatal(err)
	}
	want := Image{
		ID: "sha256:4db8", RepoTags: []string{"busybox:latest"},
		Created:     time.Date(2026, 1, 2, 3, 4, 5, 5e8, time.UTC),
		LastTagTime: time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC),
		Size:        1985573, OS: "linux", Architecture: "arm64", Variant: "v8", Author: "me", Comment: "snap",
	}
	if !img.Created.Equal(want.Created) || !img.LastTagTime.Equal(want.LastTagTime) {
		t.Errorf("times %v %v, want %v %v", img.Created, img.LastTagTime, want.Created, want.LastTagTime)
	}
	img.Created, img.LastTagTime, want.Created, want.LastTagTime = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(img, want) {
		t.Errorf("image %+v, want %+v", img, want)
	}
}
