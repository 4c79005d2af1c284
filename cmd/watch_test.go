package cmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWatchErrors: rules that could never work, and services that do not
// exist, end watch at once with exit 1 and a message naming them.
func TestWatchErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		args       []string
		want       string
	}{
		{"no rules", "services:\n  web:\n    image: busybox\n", nil, "none of the selected services has develop.watch rules"},
		{"unknown service", "services:\n  web:\n    image: busybox\n", []string{"nope"}, "nope"},
		{"rebuild of a pulled image", "services:\n  web:\n    image: busybox\n    develop:\n      watch:\n        - {path: ., action: rebuild}\n",
			nil, "service web, develop.watch[0]: action rebuild needs a build: section"},
		{"missing path", "services:\n  web:\n    image: busybox\n    develop:\n      watch:\n        - {path: ./gone, action: sync, target: /app}\n",
			nil, "gone cannot be watched"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := busyboxFake()
			code, _, errOut := berthRun(t, fake, projectIn(t, tt.yaml), nil, append([]string{"watch"}, tt.args...)...)
			if code != 1 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want 1 and %q", code, errOut, tt.want)
			}
			if got := fake.Calls("CreateContainer"); len(got) != 0 {
				t.Errorf("a failed watch created containers: %v", got)
			}
		})
	}
}

// TestWatchRun: watch brings the project up, copies a file written under
// its sync path into the container, and ends with 130 when interrupted.
func TestWatchRun(t *testing.T) {
	dir := projectIn(t, "name: w\nservices:\n  web:\n    image: busybox\n    develop:\n      watch:\n        - {path: ./src, action: sync, target: /app}\n")
	if err := os.Mkdir(filepath.Join(dir, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	fake := busyboxFake()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	var errOut string
	go func() {
		var code int
		code, _, errOut = berthRunContext(ctx, t, fake, dir, nil, "watch")
		done <- code
	}()
	deadline := time.Now().Add(10 * time.Second)
	for len(fake.Files("w-web-1")) == 0 && time.Now().Before(deadline) {
		// Written again each round: the first writes may come before the
		// watch is set up.
		if err := os.WriteFile(filepath.Join(dir, "src", "a.txt"), []byte("A"), 0o644); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 130 {
		t.Errorf("exit %d after the interrupt, want 130; stderr: %s", code, errOut)
	}
	files := fake.Files("w-web-1")
	if len(files) != 1 || files[0].Path != "/app/a.txt" || string(files[0].Content) != "A" {
		t.Errorf("files in w-web-1 = %+v, want /app/a.txt = A", files)
	}
}
