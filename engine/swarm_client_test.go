package engine

import (
	"context"
	"encoding/binary"
	"encoding/json"
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

	"github.com/moby/moby/api/types/swarm"
)

// swarmRequest is what the stub saw of one request.
type swarmRequest struct {
	key   string // "METHOD /path", without the version prefix
	query url.Values
	auth  string // the X-Registry-Auth header
	body  string
}

// swarmStub answers "METHOD /path" with canned replies (404 for anything
// else) and records the requests, headers and bodies included.
type swarmStub struct {
	replies map[string]reply
	mu      sync.Mutex
	seen    []swarmRequest
}

func (s *swarmStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/_ping" {
		w.Header().Set("Api-Version", "1.41")
		_, _ = w.Write([]byte("OK"))
		return
	}
	path := r.URL.Path
	if m := versionedPath.FindStringSubmatch(path); m != nil {
		path = m[2]
	}
	body, _ := io.ReadAll(r.Body)
	req := swarmRequest{key: r.Method + " " + path, query: r.URL.Query(), auth: r.Header.Get("X-Registry-Auth"), body: string(body)}
	s.mu.Lock()
	s.seen = append(s.seen, req)
	s.mu.Unlock()
	rep, ok := s.replies[req.key]
	if !ok {
		rep = reply{http.StatusNotFound, `{"message":"No such thing: ` + path + `"}`}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rep.status)
	_, _ = io.WriteString(w, rep.body)
}

func (s *swarmStub) requests() []swarmRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.seen)
}

func (s *swarmStub) keys() []string {
	var out []string
	for _, r := range s.requests() {
		out = append(out, r.key)
	}
	return out
}

func connectSwarmStub(t *testing.T, replies map[string]reply) (*Client, *swarmStub) {
	t.Helper()
	stub := &swarmStub{replies: replies}
	srv := httptest.NewServer(stub)
	t.Cleanup(srv.Close)
	c, err := Connect(context.Background(), envOf(map[string]string{"DOCKER_HOST": hostOf(srv)}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, stub
}

// sentLogin reads an X-Registry-Auth header back as "user:password@server";
// no header is "".
func sentLogin(t *testing.T, header string) string {
	t.Helper()
	if header == "" {
		return ""
	}
	ac := decodeAuth(t, header)
	return ac.Username + ":" + ac.Password + "@" + ac.ServerAddress
}

// Creating and updating send the spec as given, the login only when there
// is one, and never make the client ask a registry first.
func TestClientServiceWritesSendAuthAndNoRegistryQuery(t *testing.T) {
	pinned := "reg.example/app@sha256:" + strings.Repeat("c", 64)
	spec := swarm.ServiceSpec{Annotations: swarm.Annotations{Name: "demo_web"},
		TaskTemplate: swarm.TaskSpec{ContainerSpec: &swarm.ContainerSpec{Image: pinned}}}
	login := RegistryAuth{ServerAddress: "reg.example", Username: "u", Password: "p"}
	tests := []struct {
		name string
		auth RegistryAuth
		want string // the login the engine gets, "" for no header
	}{
		{"anonymous: no header", RegistryAuth{}, ""},
		{"a login", login, "u:p@reg.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, stub := connectSwarmStub(t, map[string]reply{
				"POST /services/create":                 {201, `{"ID":"svc1","Warnings":["a warning"]}`},
				"POST /services/svc1/update":            {200, `{}`},
				"GET /distribution/" + pinned + "/json": {500, `{"message":"must not be asked"}`},
			})
			id, warnings, err := c.CreateService(context.Background(), spec, tt.auth)
			if err != nil || id != "svc1" || !reflect.DeepEqual(warnings, []string{"a warning"}) {
				t.Fatalf("CreateService = %q, %q, %v", id, warnings, err)
			}
			if _, err := c.UpdateService(context.Background(), "svc1", 42, spec, tt.auth); err != nil {
				t.Fatal(err)
			}

			reqs := stub.requests()
			if got := stub.keys(); !reflect.DeepEqual(got, []string{"POST /services/create", "POST /services/svc1/update"}) {
				t.Fatalf("requests = %v, want the create and the update only", got)
			}
			for _, r := range reqs {
				if got := sentLogin(t, r.auth); got != tt.want {
					t.Errorf("%s: login %q, want %q", r.key, got, tt.want)
				}
				var sent swarm.ServiceSpec
				if err := json.Unmarshal([]byte(r.body), &sent); err != nil || sent.TaskTemplate.ContainerSpec.Image != pinned {
					t.Errorf("%s: image sent %+v (%v), want %s as given", r.key, sent.TaskTemplate.ContainerSpec, err, pinned)
				}
			}
			if v := reqs[1].query.Get("version"); v != "42" {
				t.Errorf("update version = %q, want 42", v)
			}
		})
	}
}

func TestClientSwarmErrorsClassify(t *testing.T) {
	c, _ := connectSwarmStub(t, map[string]reply{
		"DELETE /configs/cfg":      {400, `{"message":"rpc error: code = InvalidArgument desc = config 'cfg' is in use by the following service: web"}`},
		"DELETE /secrets/sec":      {400, `{"message":"rpc error: code = InvalidArgument desc = secret 'sec' is in use by the following service: web"}`},
		"DELETE /networks/front":   {400, `{"message":"rpc error: code = FailedPrecondition desc = network n1 is in use by service s1"}`},
		"DELETE /networks/back":    {400, `{"message":"rpc error: code = FailedPrecondition desc = network n2 is in use by task t1"}`},
		"POST /configs/create":     {409, `{"message":"rpc error: code = AlreadyExists desc = config cfg already exists"}`},
		"POST /services/s1/update": {500, `{"message":"rpc error: code = Unknown desc = update out of sequence"}`},
		"GET /services":            {503, `{"message":"This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again."}`},
		"DELETE /services/web":     {404, `{"message":"service web not found"}`},
	})
	ctx := context.Background()
	tests := []struct {
		name                                                  string
		err                                                   error
		objectInUse, inUse, outOfSequence, conflict, notFound bool
		unavailable                                           bool
		want                                                  string
	}{
		{"config in use", c.RemoveConfig(ctx, "cfg"), true, false, false, false, false, false, "removing config cfg: "},
		{"secret in use", c.RemoveSecret(ctx, "sec"), true, false, false, false, false, false, "removing secret sec: "},
		{"network in use by a service", c.RemoveNetwork(ctx, "front"), true, true, false, false, false, false, "removing network front: "},
		{"network held by a removed service's task", c.RemoveNetwork(ctx, "back"), true, true, false, false, false, false, "removing network back: "},
		{"config name taken", func() error {
			_, err := c.CreateConfig(ctx, swarm.ConfigSpec{Annotations: swarm.Annotations{Name: "cfg"}, Data: []byte("x")})
			return err
		}(), false, false, false, true, false, false, "creating config cfg: "},
		{"update out of sequence", func() error {
			_, err := c.UpdateService(ctx, "s1", 3, swarm.ServiceSpec{}, RegistryAuth{})
			return err
		}(), false, false, true, false, false, false, "updating service s1 (at version 3): "},
		{"no manager", func() error { _, err := c.ListServices(ctx, Filter{}); return err }(), false, false, false, false, false, true, "listing services: "},
		{"missing service", c.RemoveService(ctx, "web"), false, false, false, false, true, false, "removing service web: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err
			got := []bool{IsObjectInUse(err), IsInUse(err), IsOutOfSequence(err), IsConflict(err), IsNotFound(err), errors.Is(err, ErrUnavailable)}
			want := []bool{tt.objectInUse, tt.inUse, tt.outOfSequence, tt.conflict, tt.notFound, tt.unavailable}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("IsObjectInUse, IsInUse, IsOutOfSequence, IsConflict, IsNotFound, unavailable = %v, want %v (%v)", got, want, err)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to start %q", err, tt.want)
			}
		})
	}
}

func TestClientListsSortAndFilter(t *testing.T) {
	c, stub := connectSwarmStub(t, map[string]reply{
		"GET /services": {200, `[{"ID":"2","Spec":{"Name":"web"},"ServiceStatus":{"RunningTasks":1,"DesiredTasks":2}},{"ID":"1","Spec":{"Name":"api"}}]`},
		"GET /tasks": {200, `[
			{"ID":"b","CreatedAt":"2026-01-01T00:00:01Z"},
			{"ID":"c","CreatedAt":"2026-01-01T00:00:03Z"},
			{"ID":"a","CreatedAt":"2026-01-01T00:00:01Z"}]`},
		"GET /configs": {200, `[{"ID":"2","Spec":{"Name":"z"}},{"ID":"1","Spec":{"Name":"a"}}]`},
		"GET /secrets": {200, `[{"ID":"2","Spec":{"Name":"z"}},{"ID":"1","Spec":{"Name":"a"}}]`},
		"GET /nodes":   {200, `[{"ID":"2","Description":{"Hostname":"w"}},{"ID":"1","Description":{"Hostname":"m"}}]`},
	})
	ctx := context.Background()
	byStack := Filter{Labels: []string{"com.docker.stack.namespace=demo"}}

	services, err := c.ListServices(ctx, byStack)
	if err != nil {
		t.Fatal(err)
	}
	tasks, err := c.ListTasks(ctx, "svc1")
	if err != nil {
		t.Fatal(err)
	}
	configs, err := c.ListConfigs(ctx, byStack)
	if err != nil {
		t.Fatal(err)
	}
	secrets, err := c.ListSecrets(ctx, byStack)
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := c.ListNodes(ctx)
	if err != nil {
		t.Fatal(err)
	}

	got := map[string][]string{
		"services": {services[0].Spec.Name, services[1].Spec.Name},
		"tasks":    {tasks[0].ID, tasks[1].ID, tasks[2].ID},
		"configs":  {configs[0].Spec.Name, configs[1].Spec.Name},
		"secrets":  {secrets[0].Spec.Name, secrets[1].Spec.Name},
		"nodes":    {nodes[0].Description.Hostname, nodes[1].Description.Hostname},
	}
	want := map[string][]string{
		"services": {"api", "web"}, "tasks": {"c", "a", "b"}, "configs": {"a", "z"}, "secrets": {"a", "z"}, "nodes": {"m", "w"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("orders = %v, want %v", got, want)
	}
	if st := services[1].ServiceStatus; st == nil || st.DesiredTasks != 2 {
		t.Errorf("web's status = %+v", st)
	}
	queries := map[string]url.Values{}
	for _, r := range stub.requests() {
		queries[r.key] = r.query
	}
	if q := queries["GET /services"]; q.Get("status") != "true" || !strings.Contains(q.Get("filters"), `"com.docker.stack.namespace=demo"`) {
		t.Errorf("service list query %v, want status and the label filter", q)
	}
	if q := queries["GET /tasks"]; !strings.Contains(q.Get("filters"), `"service":{"svc1":true}`) {
		t.Errorf("task list query %v, want a service filter", q)
	}
	for _, key := range []string{"GET /configs", "GET /secrets"} {
		if q := queries[key]; !strings.Contains(q.Get("filters"), `"label"`) {
			t.Errorf("%s query %v, want the label filter", key, q)
		}
	}
}

func TestClientSwarmStatus(t *testing.T) {
	c, _ := connectSwarmStub(t, map[string]reply{
		"GET /info": {200, `{"Swarm":{"NodeID":"n1","LocalNodeState":"error","ControlAvailable":false,"Error":"manager stopped"}}`},
	})
	got, err := c.SwarmStatus(context.Background())
	want := SwarmStatus{NodeID: "n1", LocalState: "error", Error: "manager stopped"}
	if err != nil || got != want {
		t.Errorf("SwarmStatus = %+v, %v; want %+v", got, err, want)
	}
}

func TestClientImageDigest(t *testing.T) {
	digest := "sha256:" + strings.Repeat("d", 64)
	answer := reply{200, `{"Descriptor":{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"` + digest + `","size":1}}`}
	c, stub := connectSwarmStub(t, map[string]reply{
		"GET /distribution/busybox:1.36/json":                   answer,
		"GET /distribution/docker.io/library/busybox:1.36/json": answer,
		"GET /distribution/127.0.0.1:5000/team/app:v2/json":     answer,
		"GET /distribution/busybox:nope/json":                   {404, `{"message":"manifest unknown: manifest unknown"}`},
		"GET /distribution/offline.example/app:1/json":          {500, `{"message":"Get \"https://offline.example/v2/\": dial tcp: lookup offline.example: no such host"}`},
	})
	tests := []struct {
		ref      string
		want     string // "" for an error
		notFound bool
	}{
		{"busybox:1.36", "busybox@" + digest, false},
		{"docker.io/library/busybox:1.36", "busybox@" + digest, false},
		{"127.0.0.1:5000/team/app:v2", "127.0.0.1:5000/team/app@" + digest, false},
		{"busybox:nope", "", true},
		{"offline.example/app:1", "", false},
		{"Not:A:Ref", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			got, err := c.ImageDigest(context.Background(), tt.ref, RegistryAuth{})
			if tt.want == "" {
				if err == nil || IsNotFound(err) != tt.notFound || !strings.Contains(err.Error(), tt.ref) {
					t.Errorf("ImageDigest = %q, %v; want an error naming the ref, not found %v", got, err, tt.notFound)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ImageDigest = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if _, err := c.ImageDigest(context.Background(), "busybox:1.36", RegistryAuth{Username: "u", Password: "p", ServerAddress: "docker.io"}); err != nil {
		t.Fatal(err)
	}
	reqs := stub.requests()
	if got := sentLogin(t, reqs[len(reqs)-1].auth); got != "u:p@docker.io" || reqs[0].auth != "" {
		t.Errorf("logins sent: first %q, last %q; want none, then the one given", reqs[0].auth, got)
	}
}

func TestClientServiceAndTaskLogs(t *testing.T) {
	frame := func(stream byte, s string) string {
		h := make([]byte, 8)
		h[0] = stream
		binary.BigEndian.PutUint32(h[4:], uint32(len(s)))
		return string(h) + s
	}
	muxed := frame(1, "out\n") + frame(2, "err\n")
	c, stub := connectSwarmStub(t, map[string]reply{
		"GET /services/plain":      {200, `{"ID":"plain","Spec":{"Name":"plain","TaskTemplate":{"ContainerSpec":{"Image":"x"}}}}`},
		"GET /services/plain/logs": {200, muxed},
		"GET /services/tty":        {200, `{"ID":"tty","Spec":{"Name":"tty","TaskTemplate":{"ContainerSpec":{"Image":"x","TTY":true}}}}`},
		"GET /services/tty/logs":   {200, "raw\r\nbytes\r\n"},
		"GET /tasks/t1":            {200, `{"ID":"t1","Spec":{"ContainerSpec":{"Image":"x"}}}`},
		"GET /tasks/t1/logs":       {200, muxed},
	})
	ctx := context.Background()
	tests := []struct {
		service        string
		stdout, stderr string
	}{
		{"plain", "out\n", "err\n"},
		{"tty", "raw\r\nbytes\r\n", ""},
	}
	for _, tt := range tests {
		var stdout, stderr strings.Builder
		if err := c.StreamServiceLogs(ctx, tt.service, LogOptions{Tail: 5, Timestamps: true}, &stdout, &stderr); err != nil {
			t.Fatal(err)
		}
		if stdout.String() != tt.stdout || stderr.String() != tt.stderr {
			t.Errorf("%s: stdout %q, stderr %q; want %q, %q", tt.service, stdout.String(), stderr.String(), tt.stdout, tt.stderr)
		}
	}
	logs, err := c.TaskLogs(ctx, "t1", 2)
	if err != nil || logs != "out\nerr\n" {
		t.Errorf("TaskLogs = %q, %v", logs, err)
	}
	before := len(stub.requests())
	if err := c.StreamServiceLogs(ctx, "plain", LogOptions{Until: "5m"}, io.Discard, io.Discard); err == nil {
		t.Error("service logs until a time: no error")
	}
	if len(stub.requests()) != before {
		t.Error("service logs until a time reached the engine, which would ignore until")
	}
	for _, r := range stub.requests() {
		switch r.key {
		case "GET /services/plain/logs":
			if r.query.Get("tail") != "5" || r.query.Get("timestamps") != "1" || r.query.Get("stdout") != "1" || r.query.Get("stderr") != "1" {
				t.Errorf("service logs query %v", r.query)
			}
		case "GET /tasks/t1/logs":
			if r.query.Get("tail") != "2" || r.query.Get("stdout") != "1" || r.query.Get("stderr") != "1" {
				t.Errorf("task logs query %v", r.query)
			}
		}
	}
}

func TestSwarmHeader(t *testing.T) {
	if got := (RegistryAuth{}).swarmHeader(); got != "" {
		t.Errorf("anonymous: %q, want no header", got)
	}
	if got := sentLogin(t, RegistryAuth{Username: "u", Password: "p", ServerAddress: "r"}.swarmHeader()); got != "u:p@r" {
		t.Errorf("login: %q", got)
	}
}
