package engine

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
)

// reply is a canned engine answer.
type reply struct {
	status int
	body   string
}

// engineStub answers "METHOD /path" (without the version prefix) with
// canned replies, 404 for anything else, and records each request.
type engineStub struct {
	replies map[string]reply

	mu   sync.Mutex
	seen []string // "METHOD /path?query"
}

func (s *engineStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/_ping" {
		w.Header().Set("Api-Version", "1.41")
		_, _ = w.Write([]byte("OK"))
		return
	}
	path := r.URL.Path
	if m := versionedPath.FindStringSubmatch(path); m != nil {
		path = m[2]
	}
	key := r.Method + " " + path
	s.mu.Lock()
	s.seen = append(s.seen, strings.TrimSuffix(key+"?"+r.URL.RawQuery, "?"))
	s.mu.Unlock()
	rep, ok := s.replies[key]
	if !ok {
		rep = reply{http.StatusNotFound, `{"message":"No such thing: ` + path + `"}`}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rep.status)
	_, _ = io.WriteString(w, rep.body)
}

func (s *engineStub) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.seen)
}

func connectStub(t *testing.T, replies map[string]reply) (*Client, *engineStub) {
	t.Helper()
	stub := &engineStub{replies: replies}
	srv := httptest.NewServer(stub)
	t.Cleanup(srv.Close)
	c, err := Connect(context.Background(), envOf(map[string]string{"DOCKER_HOST": hostOf(srv)}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, stub
}

func TestClientErrorsClassify(t *testing.T) {
	c, _ := connectStub(t, map[string]reply{
		"POST /containers/create":        {409, `{"message":"Conflict. The container name \"/web\" is already in use"}`},
		"DELETE /containers/web":         {409, `{"message":"You cannot remove a running container"}`},
		"DELETE /networks/front":         {403, `{"message":"error while removing network: network front id n1 has active endpoints"}`},
		"DELETE /networks/forbidden":     {403, `{"message":"bridge is a pre-defined network and cannot be removed"}`},
		"DELETE /volumes/data":           {409, `{"message":"remove data: volume is in use - [c1]"}`},
		"POST /containers/stopped/kill":  {409, `{"message":"Container stopped is not running"}`},
		"GET /containers/missing/json":   {404, `{"message":"No such container: missing"}`},
		"GET /images/missing:1/json":     {404, `{"message":"No such image: missing:1"}`},
		"GET /volumes/missing":           {404, `{"message":"get missing: no such volume"}`},
		"POST /containers/missing/start": {404, `{"message":"No such container: missing"}`},
	})
	ctx := context.Background()
	_, createErr := c.CreateContainer(ctx, ContainerSpec{Name: "web", Config: containerConfig("busybox")})
	_, inspectErr := c.InspectContainer(ctx, "missing")
	_, imageErr := c.ImageID(ctx, "missing:1")
	_, volumeErr := c.InspectVolume(ctx, "missing")

	tests := []struct {
		name                string
		err                 error
		notFound, conflict  bool
		wantPrefix, wantMsg string
	}{
		{"name in use", createErr, false, true, "creating container web: ", "already in use"},
		{"remove running", c.RemoveContainer(ctx, "web", RemoveOptions{}), false, true, "removing container web: ", "running container"},
		{"network in use", c.RemoveNetwork(ctx, "front"), false, true, "removing network front: ", "active endpoints"},
		{"other forbidden network removal", c.RemoveNetwork(ctx, "forbidden"), false, false, "removing network forbidden: ", "pre-defined"},
		{"volume in use", c.RemoveVolume(ctx, "data", false), false, true, "removing volume data: ", "in use"},
		{"kill stopped", c.KillContainer(ctx, "stopped", ""), false, true, "killing container stopped: ", "not running"},
		{"inspect missing", inspectErr, true, false, "inspecting container missing: ", "No such container"},
		{"missing image", imageErr, true, false, "inspecting image missing:1: ", "No such image"},
		{"missing volume", volumeErr, true, false, "inspecting volume missing: ", "no such volume"},
		{"start missing", c.StartContainer(ctx, "missing"), true, false, "starting container missing: ", "No such container"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil {
				t.Fatal("no error")
			}
			if IsNotFound(tt.err) != tt.notFound || IsConflict(tt.err) != tt.conflict {
				t.Errorf("IsNotFound = %v, IsConflict = %v, want %v, %v for %v", IsNotFound(tt.err), IsConflict(tt.err), tt.notFound, tt.conflict, tt.err)
			}
			if msg := tt.err.Error(); !strings.HasPrefix(msg, tt.wantPrefix) || !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("error %q, want prefix %q and %q in it", msg, tt.wantPrefix, tt.wantMsg)
			}
		})
	}
}

func TestStopContainerSendsWholeSeconds(t *testing.T) {
	c, stub := connectStub(t, map[string]reply{"POST /containers/web/stop": {204, ""}})
	timeout := 1500 * time.Millisecond

	if err := c.StopContainer(context.Background(), "web", &timeout); err != nil {
		t.Fatal(err)
	}
	if err := c.StopContainer(context.Background(), "web", nil); err != nil {
		t.Fatal(err)
	}

	want := []string{"POST /containers/web/stop?t=2", "POST /containers/web/stop"}
	if got := stub.requests(); !reflect.DeepEqual(got, want) {
		t.Errorf("requests = %q, want %q", got, want)
	}
}

func TestCreateNetworkUndoesDuplicateOnOldEngines(t *testing.T) {
	c, stub := connectStub(t, map[string]reply{
		"POST /networks/create": {201, `{"Id":"n2","Warning":"Network with name front (id : n1) already exists"}`},
		"DELETE /networks/n2":   {204, ""},
	})

	id, err := c.CreateNetwork(context.Background(), NetworkSpec{Name: "front"})

	if id != "" || !IsConflict(err) || err.Error() != "creating network front: a network named front already exists" {
		t.Errorf("CreateNetwork = %q, %v; want a conflict", id, err)
	}
	if got := stub.requests(); !slices.Contains(got, "DELETE /networks/n2") {
		t.Errorf("the duplicate was not removed: requests %q", got)
	}
}

func TestPullImage(t *testing.T) {
	pulled := []PullProgress{
		{ID: "latest", Status: "Pulling from library/busybox"},
		{ID: "3f4d90098f5b", Status: "Downloading", Current: 1200000, Total: 3400000},
		{ID: "3f4d90098f5b", Status: "Pull complete"},
	}
	stream := `{"status":"Pulling from library/busybox","id":"latest"}
{"status":"Downloading","id":"3f4d90098f5b","progressDetail":{"current":1200000,"total":3400000},"progress":"[=>   ]"}
{"status":"Pull complete","id":"3f4d90098f5b"}
`
	tests := []struct {
		name      string
		body      string
		wantLines []PullProgress
		wantErr   string
		notFound  bool
	}{
		{
			name:      "progress lines",
			body:      stream,
			wantLines: pulled,
		},
		{
			name:      "error inside the stream",
			body:      stream + `{"errorDetail":{"code":404,"message":"manifest for busybox:nope not found"},"error":"manifest for busybox:nope not found"}` + "\n",
			wantLines: pulled,
			wantErr:   "pulling image busybox:nope: manifest for busybox:nope not found",
			notFound:  true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, stub := connectStub(t, map[string]reply{"POST /images/create": {200, tt.body}})
			var lines []PullProgress

			err := c.PullImage(context.Background(), "busybox:nope", RegistryAuth{}, func(u PullProgress) { lines = append(lines, u) })

			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr) {
				t.Errorf("error = %v, want %q", err, tt.wantErr)
			}
			if IsNotFound(err) != tt.notFound {
				t.Errorf("IsNotFound(%v) = %v", err, IsNotFound(err))
			}
			if !reflect.DeepEqual(lines, tt.wantLines) {
				t.Errorf("progress\n got %+v\nwant %+v", lines, tt.wantLines)
			}
			if q := stub.requests(); len(q) != 1 || !strings.Contains(q[0], "fromImage=docker.io%2Flibrary%2Fbusybox") || !strings.Contains(q[0], "tag=nope") {
				t.Errorf("requests = %q", q)
			}
		})
	}
}

func TestEventsConvertsAndFilters(t *testing.T) {
	body := `{"Type":"container","Action":"start","Actor":{"ID":"c1","Attributes":{"name":"web","k":"v"}},"time":1700000000,"timeNano":1700000000000000001}
{"Type":"container","Action":"health_status: healthy","Actor":{"ID":"c1","Attributes":{"name":"web","k":"v"}},"time":1700000001}
`
	c, stub := connectStub(t, map[string]reply{"GET /events": {200, body}})

	events, errs := c.Events(context.Background(), Filter{Labels: []string{"k=v"}})
	var got []Event
	for e := range events {
		got = append(got, e)
	}
	err := <-errs

	attrs := map[string]string{"name": "web", "k": "v"}
	want := []Event{
		{Type: "container", Action: "start", ID: "c1", Attributes: attrs, Time: time.Unix(0, 1700000000000000001)},
		{Type: "container", Action: "health_status: healthy", ID: "c1", Attributes: attrs, Time: time.Unix(1700000001, 0)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("events\n got %+v\nwant %+v", got, want)
	}
	if !errors.Is(err, io.EOF) {
		t.Errorf("when the engine ends the stream the error is %v, want EOF", err)
	}
	q, _ := url.ParseQuery(strings.SplitN(stub.requests()[0], "?", 2)[1])
	if q.Get("filters") != `{"label":{"k=v":true}}` {
		t.Errorf("events query = %v", q)
	}
}

func TestEventsEndWithContext(t *testing.T) {
	// An engine that sends nothing and keeps the stream open.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/_ping" {
			w.Header().Set("Api-Version", "1.41")
			return
		}
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	c, err := Connect(context.Background(), envOf(map[string]string{"DOCKER_HOST": hostOf(srv)}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())

	events, errs := c.Events(ctx, Filter{})
	cancel()

	for range events {
		t.Error("got an event from a silent engine")
	}
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
	if _, ok := <-errs; ok {
		t.Error("error channel not closed")
	}
}

func TestLogsDemultiplexes(t *testing.T) {
	muxed := "\x01\x00\x00\x00\x00\x00\x00\x06hello\n\x02\x00\x00\x00\x00\x00\x00\x05oops\n"
	c, stub := connectStub(t, map[string]reply{
		"GET /containers/web/json": {200, `{"Id":"c1","Config":{"Tty":false}}`},
		"GET /containers/web/logs": {200, muxed},
	})

	got, err := c.Logs(context.Background(), "web", 20)

	if err != nil || got != "hello\noops\n" {
		t.Errorf("Logs = %q, %v", got, err)
	}
	if q := stub.requests(); len(q) != 2 || q[1] != "GET /containers/web/logs?stderr=1&stdout=1&tail=20" {
		t.Errorf("requests = %q", q)
	}
}

func containerConfig(image string) *container.Config { return &container.Config{Image: image} }
