package engine

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	controlapi "github.com/moby/buildkit/api/services/control"
	"github.com/tonistiigi/fsutil"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// traceLine is one line of the engine's build stream carrying st.
func traceLine(t *testing.T, st *controlapi.StatusResponse) string {
	t.Helper()
	data, err := st.MarshalVT()
	if err != nil {
		t.Fatal(err)
	}
	aux, _ := json.Marshal(data)
	line, _ := json.Marshal(map[string]any{"id": auxBuildKitTrace, "aux": json.RawMessage(aux)})
	return string(line) + "\n"
}

func TestReadBuildStreamBuildKit(t *testing.T) {
	now := timestamppb.Now()
	stream := traceLine(t, &controlapi.StatusResponse{Vertexes: []*controlapi.Vertex{
		{Digest: "sha256:a", Name: "[1/2] FROM busybox", Started: now},
		{Digest: "sha256:b", Name: "[2/2] RUN make", Started: now},
	}}) + traceLine(t, &controlapi.StatusResponse{
		Vertexes: []*controlapi.Vertex{{Digest: "sha256:a", Name: "[1/2] FROM busybox", Started: now, Completed: now, Cached: true}},
		Logs:     []*controlapi.VertexLog{{Vertex: "sha256:b", Msg: []byte("compiling\n")}},
	}) + traceLine(t, &controlapi.StatusResponse{Vertexes: []*controlapi.Vertex{
		{Digest: "sha256:b", Name: "[2/2] RUN make", Started: now, Completed: now},
	}}) + `{"id":"moby.image.id","aux":{"ID":"sha256:feed"}}` + "\n"
	var got []string
	id, err := readBuildStream(strings.NewReader(stream), newTrace(func(p BuildProgress) {
		s := p.Step
		got = append(got, s.Name+" "+state(s))
	}))
	if err != nil || id != "sha256:feed" {
		t.Fatalf("readBuildStream = %q, %v", id, err)
	}
	want := []string{"[1/2] FROM busybox started", "[2/2] RUN make started", "[1/2] FROM busybox cached", "[2/2] RUN make done"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("steps:\n got %q\nwant %q", got, want)
	}
}

func TestReadBuildStreamFailure(t *testing.T) {
	now := timestamppb.Now()
	stream := traceLine(t, &controlapi.StatusResponse{
		Vertexes: []*controlapi.Vertex{{Digest: "sha256:b", Name: "[2/2] RUN false", Started: now}},
		Logs:     []*controlapi.VertexLog{{Vertex: "sha256:b", Msg: []byte("it broke\n")}},
	}) + traceLine(t, &controlapi.StatusResponse{Vertexes: []*controlapi.Vertex{
		{Digest: "sha256:b", Name: "[2/2] RUN false", Started: now, Completed: now, Error: "exit code: 1"},
	}}) + `{"errorDetail":{"message":"exit code: 1"},"error":"exit code: 1"}` + "\n"
	var last BuildStep
	_, err := readBuildStream(strings.NewReader(stream), newTrace(func(p BuildProgress) { last = *p.Step }))
	var be *BuildError
	if !errors.As(err, &be) || be.Step != "[2/2] RUN false" || be.Output != "it broke\n" {
		t.Fatalf("err = %#v, want the failed step with its output", err)
	}
	if !strings.Contains(err.Error(), "step [2/2] RUN false: exit code: 1\n    it broke") {
		t.Errorf("message = %q", err.Error())
	}
	if last.Output != "it broke\n" || last.Error == "" {
		t.Errorf("failed step reported as %+v", last)
	}
}

func TestReadBuildStreamClassic(t *testing.T) {
	stream := `{"stream":"Step 1/2 : FROM busybox\n"}
{"stream":" ---> 4db818eb44e2\n"}
{"stream":"Step 2/2 : RUN echo hi\n"}
{"stream":" ---> Using cache\n"}
{"stream":" ---> 1234\n"}
{"aux":{"ID":"sha256:1234"}}
{"stream":"Successfully built 1234\n"}
`
	var got []string
	id, err := readBuildStream(strings.NewReader(stream), newTrace(func(p BuildProgress) { got = append(got, p.Step.Name+" "+state(p.Step)) }))
	if err != nil || id != "sha256:1234" {
		t.Fatalf("readBuildStream = %q, %v", id, err)
	}
	want := "[1/2] FROM busybox started|[1/2] FROM busybox done|[2/2] RUN echo hi started|[2/2] RUN echo hi started|[2/2] RUN echo hi cached"
	if strings.Join(got, "|") != want {
		t.Errorf("steps:\n got %q\nwant %q", strings.Join(got, "|"), want)
	}
}

func TestTailKeepsTheEnd(t *testing.T) {
	var tl tail
	for range 2000 {
		tl.write([]byte("0123456789\n"))
	}
	tl.write([]byte("last\n"))
	if n := len(tl.String()); n > outputTail || !strings.HasSuffix(tl.String(), "last\n") || !strings.HasPrefix(tl.String(), "0123") {
		t.Errorf("tail kept %d bytes, ending %q", n, tl.String()[len(tl.String())-5:])
	}
}

func state(s *BuildStep) string {
	switch {
	case s.Error != "":
		return "error"
	case s.Completed && s.Cached:
		return "cached"
	case s.Completed:
		return "done"
	case s.Started:
		return "started"
	}
	return "waiting"
}

func TestContextFilter(t *testing.T) {
	for _, tc := range []struct {
		name, dir string
		follow    []string
		want      []string
	}{
		{"the frontend's look for .dockerignore finds nothing", dirContext, []string{".dockerignore"}, []string{"*.dockerignore"}},
		{"the context gets berth's excludes", dirContext, nil, []string{"secret.txt", "!keep"}},
		{"the Dockerfile's folder hides ignore files", dirDockerfile, []string{"Dockerfile"}, []string{"*.dockerignore"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := fsFilterOpt(tc.follow)
			if err := contextFilter([]string{"secret.txt", "!keep"})(tc.dir, o); err != nil {
				t.Fatal(err)
			}
			if strings.Join(o.ExcludePatterns, ",") != strings.Join(tc.want, ",") {
				t.Errorf("excludes = %q, want %q", o.ExcludePatterns, tc.want)
			}
		})
	}
}

func fsFilterOpt(follow []string) *fsutil.FilterOpt { return &fsutil.FilterOpt{FollowPaths: follow} }
