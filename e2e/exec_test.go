package e2e

import (
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestOneoffExec: exec runs a command in a running service container
// and passes its exit code on; -e, -u and -w set its environment, user
// and folder; piped input reaches it; without a TTY its stdout and stderr
// stay apart; --index picks the replica, -d returns at once and leaves
// the command running, --privileged grants what a plain exec is denied;
// a service without a running container and an unknown service are
// refused by name.
func TestOneoffExec(t *testing.T) {
	dir, name := upProject(t)
	mustBerth(t, dir, name, nil, "up", "-d", "app", "done")
	eventually(t, 30*time.Second, "done to exit", func() (bool, string) {
		s := states(t, name)
		return s[name+"-done-1"] == "exited", strings.TrimSpace(serviceStates(t, name))
	})
	exec := func(env []string, stdin string, args ...string) Result {
		t.Helper()
		return runBerthInput(t, dir, env, stdin, append([]string{"-p", name, "exec"}, args...)...)
	}

	for _, code := range []int{0, 3} {
		if res := exec(nil, "", "-T", "app", "sh", "-c", "exit "+strconv.Itoa(code)); res.ExitCode != code {
			t.Errorf("exec of a command exiting %d: %s", code, res)
		}
	}
	if res := exec([]string{"PASSED=passed"}, "", "-T", "-e", "FOO=bar", "-e", "PASSED", "app", "sh", "-c", "echo $FOO $PASSED"); res.Stdout != "bar passed\n" {
		t.Errorf("-e FOO=bar -e PASSED: %s", res)
	}
	if res := exec(nil, "", "-T", "-u", "1234", "-w", "/tmp", "app", "sh", "-c", "id -u; pwd"); res.Stdout != "1234\n/tmp\n" {
		t.Errorf("-u 1234 -w /tmp: %s", res)
	}
	if res := exec(nil, "a\nb\n", "-T", "app", "cat"); res.ExitCode != 0 || res.Stdout != "a\nb\n" {
		t.Errorf("printf 'a\\nb\\n' | exec -T app cat: %s", res)
	}
	// Output is a pipe here, so there is no TTY even without -T; -t, which
	// docker compose accepts and ignores, changes nothing.
	if res := exec(nil, "", "-t", "app", "sh", "-c", "echo out; echo err >&2"); res.ExitCode != 0 || res.Stdout != "out\n" || res.Stderr != "err\n" {
		t.Errorf("stdout and stderr without a TTY: want out on stdout and err on stderr: %s", res)
	}

	second := containerNamed(t, name, name+"-app-2")
	first := containerNamed(t, name, name+"-app-1")
	for index, c := range map[string]containerInfo{"2": second, "1": first} {
		res := exec(nil, "", "-T", "--index", index, "app", "hostname")
		if res.Stdout != c.ID[:12]+"\n" {
			t.Errorf("exec --index %s: hostname %q, want %s's id %s", index, res.Stdout, c.Name, c.ID[:12])
		}
	}

	started := time.Now()
	if res := exec(nil, "", "-d", "app", "sh", "-c", "sleep 3; touch /tmp/detached"); res.ExitCode != 0 || res.Stdout != "" {
		t.Errorf("exec -d: %s", res)
	}
	if d := time.Since(started); d > 2500*time.Millisecond {
		t.Errorf("exec -d took %s: it waited for the command", d)
	}
	eventually(t, 15*time.Second, "the detached command to touch /tmp/detached", func() (bool, string) {
		out := execIn(t, first.ID, "sh", "-c", "test -f /tmp/detached && echo there")
		return strings.TrimSpace(out) == "there", out
	})

	checkPrivileged(t, exec)

	for _, service := range []string{"done", "never", "nosuch"} {
		res := exec(nil, "", "-T", service, "true")
		if res.ExitCode == 0 || !strings.Contains(res.Stderr, service) {
			t.Errorf("exec in %s, which has no running container: want a failure naming it: %s", service, res)
		}
	}
}

// TestOneoffExecTerminal: exec in a real terminal (a tmux pane) gives the
// command a terminal by default: what is typed runs and shows, its size
// is the pane's and follows a resize, `exit 7` ends berth with 7, and the
// pane's terminal is left as it was.
func TestOneoffExecTerminal(t *testing.T) {
	tmux := ensureTmux(t)
	dir, name := upProject(t)
	mustBerth(t, dir, name, nil, "up", "-d")
	p := startTTYPane(t, tmux, dir, 100, 30, "-p", name, "exec", "app", "sh")
	checkTerminalSession(t, p)
	if s := states(t, name); s[name+"-app-1"] != "running" {
		t.Errorf("the container after its exec ended: %v, want running", s)
	}
}

// checkPrivileged: a mount, which a plain exec is denied, works with
// --privileged. Some engines cannot grant all capabilities themselves
// (one running in a container without CAP_SYS_RESOURCE, say) and refuse
// every privileged process; there what berth asked the engine for is
// checked instead, through a proxy that records the exec requests.
func checkPrivileged(t *testing.T, exec func(env []string, stdin string, args ...string) Result) {
	t.Helper()
	host, recorded := recordingEngine(t, regexp.MustCompile(`^(/v[0-9.]+)?/containers/[^/]+/exec$`))
	env := []string{"DOCKER_HOST=" + host}
	mount := []string{"app", "mount", "-t", "tmpfs", "none", "/mnt"}
	if res := exec(env, "", append([]string{"-T"}, mount...)...); res.ExitCode == 0 {
		t.Errorf("mount without --privileged succeeded, so the check with it proves nothing: %s", res)
	}
	res := exec(env, "", append([]string{"-T", "--privileged"}, mount...)...)
	var asked []bool
	for _, body := range recorded() {
		var spec struct{ Privileged bool }
		if err := json.Unmarshal([]byte(body), &spec); err != nil {
			t.Fatalf("exec request %q: %v", body, err)
		}
		asked = append(asked, spec.Privileged)
	}
	if !slices.Equal(asked, []bool{false, true}) {
		t.Errorf("exec requests asked for privileged %v, want false then true", asked)
	}
	switch {
	case res.ExitCode == 0:
	case strings.Contains(res.Stdout+res.Stderr, "apply caps"):
		t.Logf("this engine cannot start privileged processes (%s); only the request was checked", strings.TrimSpace(res.Stdout+res.Stderr))
	default:
		t.Errorf("mount with --privileged: %s", res)
	}
}
