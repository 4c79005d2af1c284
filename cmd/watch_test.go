package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-compose/berth/engine/enginetest"
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
// its sync path into the container, reports it as the progress mode
// says, and ends with 130 when interrupted.
func TestWatchRun(t *testing.T) {
	tests := []struct {
		mode  string
		check func(stderr string) error
	}{
		{"plain", func(stderr string) error {
			if !strings.Contains(stderr, "Syncing service web: 1 files\n") {
				return fmt.Errorf("no sync line")
			}
			return nil
		}},
		{"quiet", func(stderr string) error {
			if strings.Contains(stderr, "Syncing") {
				return fmt.Errorf("quiet shows the sync")
			}
			return nil
		}},
		{"json", func(stderr string) error {
			found := false
			for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
				var ev map[string]any
				if err := json.Unmarshal([]byte(line), &ev); err != nil {
					if line == "berth: interrupted" {
						continue
					}
					return fmt.Errorf("line %q is no JSON: %w", line, err)
				}
				found = found || strings.Contains(line, "Syncing service web: 1 files")
			}
			if !found {
				return fmt.Errorf("no sync event")
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			fake, errOut := watchOnce(t, "--progress", tt.mode, "watch")
			files := fake.Files("w-web-1")
			if len(files) != 1 || files[0].Path != "/app/a.txt" || string(files[0].Content) != "A" {
				t.Errorf("files in w-web-1 = %+v, want /app/a.txt = A", files)
			}
			if err := tt.check(errOut); err != nil {
				t.Errorf("%v; stderr:\n%s", err, errOut)
			}
		})
	}
}

// watchOnce runs berth with args in a project whose src/ syncs to /app of
// web, writes src/a.txt until it arrives, then interrupts berth, which
// must exit 130.
func watchOnce(t *testing.T, args ...string) (*enginetest.Fake, string) {
	t.Helper()
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
		code, _, errOut = berthRunContext(ctx, t, fake, dir, nil, args...)
		done <- code
	}()
	synced := func() bool {
		files := fake.Files("w-web-1")
		return len(files) == 1 && string(files[0].Content) == "A"
	}
	deadline := time.Now().Add(10 * time.Second)
	// Written again each round, as the first writes may come before the
	// watch is set up; and a copy made between a write's truncate and its
	// data is empty, the write's own event then bringing the content.
	for !synced() && time.Now().Before(deadline) {
		if err := os.WriteFile(filepath.Join(dir, "src", "a.txt"), []byte("A"), 0o644); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 130 {
		t.Errorf("exit %d after the interrupt, want 130; stderr: %s", code, errOut)
	}
	return fake, errOut
}

// TestUpWatchFlags: --watch needs a foreground up, and its rules are
// checked before anything is created.
func TestUpWatchFlags(t *testing.T) {
	bad := "services:\n  web:\n    image: busybox\n    develop:\n      watch:\n        - {path: ., action: sync, target: rel}\n"
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"up", "-d", "--watch"}, "--watch needs up to stay in the foreground"},
		{[]string{"up", "--wait", "-w"}, "--watch needs up to stay in the foreground"},
		{[]string{"up", "--watch"}, `target "rel" of action sync must be an absolute path`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			fake := busyboxFake()
			code, _, errOut := berthRun(t, fake, projectIn(t, bad), nil, tt.args...)
			if code != 1 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want 1 and %q", code, errOut, tt.want)
			}
			if got := fake.Calls("CreateContainer"); len(got) != 0 {
				t.Errorf("created containers: %v", got)
			}
		})
	}
}
