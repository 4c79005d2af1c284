package e2e

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestEngineHarnessImage checks what scripts/engine.sh promises every other
// e2e test: an engine answering at DOCKER_HOST, holding a busybox:latest that
// can run commands. Pulls go to the private registry only (see pull_test.go).
func TestEngineHarnessImage(t *testing.T) {
	code, body := dockerAPI(t, "GET", "/_ping")
	if code != 200 || string(body) != "OK" {
		t.Fatalf("/_ping: %d %q, want 200 \"OK\"", code, body)
	}

	code, body = dockerAPI(t, "GET", "/images/busybox:latest/json")
	if code != 200 {
		t.Fatalf("busybox:latest: %d %s\nimport it with: scripts/engine.sh start", code, body)
	}
	var img struct {
		Size   int64
		Config struct{ Env, Cmd []string }
	}
	if err := json.Unmarshal(body, &img); err != nil {
		t.Fatalf("decoding the image: %v", err)
	}
	// Each check names a way an imported rootfs has been broken before.
	if img.Size < 1_000_000 {
		t.Errorf("busybox:latest is %d bytes: the busybox binary is missing from it", img.Size)
	}
	if !slices.ContainsFunc(img.Config.Env, func(e string) bool { return strings.HasPrefix(e, "PATH=") }) {
		t.Errorf("busybox:latest has no PATH (Env %q): no command would be found", img.Config.Env)
	}
	if !slices.Equal(img.Config.Cmd, []string{"sh"}) {
		t.Errorf("busybox:latest Cmd = %q, want [sh]", img.Config.Cmd)
	}
}
