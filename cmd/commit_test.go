package cmd

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/engine/enginetest"
)

// commitOpts is an engine that remembers the options of each commit: the
// fake keeps no record of whether a commit paused the container.
type commitOpts struct {
	*enginetest.Fake
	mu   sync.Mutex
	seen []engine.CommitOptions
}

func (c *commitOpts) CommitContainer(ctx context.Context, id string, opts engine.CommitOptions) (string, error) {
	c.mu.Lock()
	c.seen = append(c.seen, opts)
	c.mu.Unlock()
	return c.Fake.CommitContainer(ctx, id, opts)
}

func TestCommitRun(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		container string // the container committed
		ref       string // where the image is found afterwards ("" for untagged)
		want      engine.CommitOptions
	}{
		{"defaults: paused, untagged", []string{"commit", "web"}, "run-web-1", "", engine.CommitOptions{Pause: true}},
		{"every flag", []string{"commit", "-a", "Jane <j@x>", "-m", "snap", "-c", "ENV A=1", "--change", "CMD [\"x\"]", "-p=false", "web", "snap:v1"},
			"run-web-1", "snap:v1", engine.CommitOptions{Reference: "snap:v1", Author: "Jane <j@x>", Message: "snap", Changes: []string{"ENV A=1", `CMD ["x"]`}}},
		{"the container of --index", []string{"commit", "--index", "2", "web", "two"}, "run-web-2", "two:latest", engine.CommitOptions{Reference: "two", Pause: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, dir := runningProject(t)
			mustRun(t, fake, dir, nil, "up", "-d", "--scale", "web=2")
			e := &commitOpts{Fake: fake}
			code, out, errOut := berthRun(t, e, dir, nil, tt.args...)
			if code != 0 || out != "" {
				t.Fatalf("exit %d, stdout %q (want none), stderr %q", code, out, errOut)
			}
			if !reflect.DeepEqual(e.seen, []engine.CommitOptions{tt.want}) {
				t.Errorf("commits %+v, want %+v", e.seen, tt.want)
			}
			if calls := fake.Calls("CommitContainer"); len(calls) != 1 || calls[0].Target != mustContainer(t, fake, tt.container).ID {
				t.Errorf("committed %v, want %s", calls, tt.container)
			}
			if !strings.Contains(errOut, "Container "+tt.container+"  Committed as sha256:") {
				t.Errorf("stderr %q does not give the new image's id", errOut)
			}
			if tt.ref != "" {
				img, err := fake.InspectImage(t.Context(), tt.ref)
				if err != nil || img.Author != tt.want.Author || img.Comment != tt.want.Message {
					t.Errorf("image %s: %+v, %v", tt.ref, img, err)
				}
			}
		})
	}
}

func TestCommitErrors(t *testing.T) {
	fake, dir := runningProject(t)
	mustRun(t, fake, dir, nil, "stop", "worker")
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"commit", "web", "Snap"}, `invalid image name "Snap"`},
		{[]string{"commit", "web", "snap@sha256:" + strings.Repeat("a", 64)}, "a new image cannot have a digest"},
		{[]string{"commit", "worker"}, `service "worker" has no running container`},
		{[]string{"commit", "--index", "4", "web"}, `service "web" has no running container number 4`},
		{[]string{"commit", "nosuch"}, "no such service: nosuch"},
		{[]string{"commit"}, "commit takes a SERVICE"},
		{[]string{"commit", "web", "a", "b"}, "commit takes a SERVICE"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, errOut := berthRun(t, fake, dir, nil, tt.args...)
			if code != 1 || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("exit %d, stderr %q; want 1 and %q", code, errOut, tt.wantErr)
			}
		})
	}
	if calls := fake.Calls("CommitContainer"); len(calls) != 0 {
		t.Errorf("refused commits reached the engine: %v", calls)
	}
}

func TestCommitDryRun(t *testing.T) {
	fake, dir := runningProject(t)
	code, _, errOut := berthRun(t, fake, dir, nil, "--dry-run", "commit", "web", "snap")
	if code != 0 || !strings.Contains(errOut, "Committed") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if calls := fake.Calls("CommitContainer"); len(calls) != 0 {
		t.Errorf("a dry run committed: %v", calls)
	}
	if _, err := fake.InspectImage(t.Context(), "snap"); !engine.IsNotFound(err) {
		t.Errorf("a dry run made image snap: %v", err)
	}
}
