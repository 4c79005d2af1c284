package cmd

import (
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/engine/enginetest"
)

// exitOnStart plays the command of every container whose name has prefix:
// once started, it writes output and exits with code.
func exitOnStart(fake *enginetest.Fake, prefix, output string, code int) {
	fake.OnCall(func(_ context.Context, c enginetest.Call) error {
		if c.Method != "StartContainer" {
			return nil
		}
		go func() {
			for range 200 {
				d, err := fake.InspectContainer(context.Background(), c.Target)
				if err == nil && !strings.HasPrefix(d.Name, prefix) {
					return
				}
				if err == nil && d.State == engine.StateRunning {
					fake.WriteStdout(d.ID, output)
					fake.Exit(d.ID, code)
					return
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
		return nil
	})
}

// oneoffs lists the fake's one-off containers by name.
func oneoffs(t *testing.T, fake *enginetest.Fake) []engine.ContainerDetails {
	t.Helper()
	cs, err := fake.ListContainers(context.Background(), engine.Filter{Labels: []string{"com.docker.compose.oneoff=True"}})
	if err != nil {
		t.Fatal(err)
	}
	var out []engine.ContainerDetails
	for _, c := range cs {
		out = append(out, mustContainer(t, fake, c.Name))
	}
	return out
}

func TestRunOneoff(t *testing.T) {
	fake := busyboxFake()
	dir := projectIn(t, runYAML)
	exitOnStart(fake, "run-web-run-", "hello from the one-off\n", 3)
	code, out, errOut := berthRun(t, fake, dir, nil, "run", "--rm", "-T", "web", "sh", "-c", "exit 3")
	if code != 3 || out != "hello from the one-off\n" {
		t.Fatalf("run --rm: exit %d, stdout %q, stderr %q; want 3 and the command's output", code, out, errOut)
	}
	if got := states(fake); !strings.Contains(got, "run-db-1=running") {
		t.Errorf("states %s: the dependency db should have been brought up", got)
	}
	if left := oneoffs(t, fake); len(left) != 0 {
		t.Errorf("--rm left %d one-off containers", len(left))
	}

	fake.OnCall(nil) // the next one-off runs on, to be looked at
	code, out, errOut = berthRun(t, fake, dir, nil, "run", "-d", "-l", "team=qa", "-e", "A=1", "web")
	name := strings.TrimSpace(out)
	if code != 0 || !regexp.MustCompile(`^run-web-run-[0-9a-f]{12}$`).MatchString(name) {
		t.Fatalf("run -d: exit %d, stdout %q, stderr %q; want the one-off's name", code, out, errOut)
	}
	d := mustContainer(t, fake, name)
	if d.State != engine.StateRunning || d.Labels["com.docker.compose.oneoff"] != "True" || d.Labels["team"] != "qa" ||
		len(d.Labels["com.docker.compose.slug"]) != 64 || !strings.HasPrefix(d.Labels["com.docker.compose.slug"], strings.TrimPrefix(name, "run-web-run-")) {
		t.Errorf("run -d made %s %s with labels %v", name, d.State, d.Labels)
	}
	mustRun(t, fake, dir, nil, "down")
	if left := oneoffs(t, fake); len(left) != 0 {
		t.Errorf("down left %d one-off containers", len(left))
	}
}

func TestRunOneoffNoDeps(t *testing.T) {
	fake := busyboxFake()
	dir := projectIn(t, runYAML)
	exitOnStart(fake, "run-web-run-", "", 0)
	if code, _, errOut := berthRun(t, fake, dir, nil, "run", "--rm", "--no-deps", "-T", "web", "true"); code != 0 {
		t.Fatalf("run --no-deps: exit %d: %s", code, errOut)
	}
	if got := states(fake); got != "" {
		t.Errorf("states %q: --no-deps brought up %s", got, got)
	}
}

func TestRunOneoffErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"run", "--rm", "-d", "web"}, "--rm and --detach"},
		{[]string{"run", "--pull", "sometimes", "web"}, "invalid --pull"},
		{[]string{"run", "-T", "-l", "novalue", "web"}, "invalid --label"},
		{[]string{"run", "-T", "-p", "nope:80", "web"}, "invalid --publish"},
		{[]string{"run", "-T", "nosuch"}, "nosuch"},
		{[]string{"run", "-t", "web"}, "add -T"},
		{[]string{"run"}, "needs the name of a service"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			fake := busyboxFake()
			code, _, errOut := berthRun(t, fake, projectIn(t, runYAML), nil, tt.args...)
			if code == 0 || !strings.Contains(errOut, tt.want) {
				t.Fatalf("exit %d, stderr %q; want an error with %q", code, errOut, tt.want)
			}
			if w := writes(fake); len(w) > 0 {
				t.Errorf("a refused run changed the engine: %v", w)
			}
		})
	}
}

func TestExecRun(t *testing.T) {
	fake, dir := runningProject(t)
	mustRun(t, fake, dir, nil, "up", "-d", "--scale", "web=2")
	fake.OnExec(func(r enginetest.ExecRun) int {
		in, _ := io.ReadAll(r.Stdin)
		io.WriteString(r.Stdout, r.Container+" "+strings.Join(r.Spec.Cmd, " ")+" "+string(in))
		io.WriteString(r.Stderr, "user="+r.Spec.User+" dir="+r.Spec.WorkingDir+" env="+strings.Join(r.Spec.Env, ","))
		return 3
	})
	tests := []struct {
		args         []string
		code         int
		stdout       string
		stderrSubstr string
	}{
		{[]string{"exec", "-T", "web", "cat"}, 3, "run-web-1 cat ", "user= dir="},
		{[]string{"exec", "-T", "--index", "2", "-u", "nobody", "-w", "/tmp", "-e", "A=1", "-e", "HOME", "web", "cat", "-n"}, 3, "run-web-2 cat -n ", "user=nobody dir=/tmp env=A=1,HOME=/root"},
		{[]string{"exec", "-T", "--index", "3", "web", "true"}, 1, "", "no running container number 3"},
		{[]string{"exec", "-T", "nosuch", "true"}, 1, "", "nosuch"},
		{[]string{"exec", "-T", "web"}, 1, "", "needs a command"},
		{[]string{"exec", "-T=false", "web", "sh"}, 1, "", "add -T"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := berthRun(t, fake, dir, []string{"HOME=/root"}, tt.args...)
			if code != tt.code || out != tt.stdout || !strings.Contains(errOut, tt.stderrSubstr) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want %d, %q, stderr with %q", code, out, errOut, tt.code, tt.stdout, tt.stderrSubstr)
			}
		})
	}
}

func TestAttachRun(t *testing.T) {
	fake, dir := runningProject(t)
	id := containerIDs(fake)["run-web-1"]
	fake.OnCall(func(_ context.Context, c enginetest.Call) error {
		if c.Method == "AttachContainer" {
			go func() {
				time.Sleep(20 * time.Millisecond) // once the stream is there
				fake.WriteStdout(id, "last words\n")
				fake.Exit(id, 4)
			}()
		}
		return nil
	})
	code, out, errOut := berthRun(t, fake, dir, nil, "attach", "--no-stdin", "web")
	if code != 4 || out != "last words\n" {
		t.Fatalf("attach: exit %d, stdout %q, stderr %q; want the container's output and its code 4", code, out, errOut)
	}
	if code, _, errOut := berthRun(t, fake, dir, nil, "attach", "web"); code == 0 || !strings.Contains(errOut, "no running container") {
		t.Errorf("attach to a stopped service: exit %d, %q; want an error", code, errOut)
	}
	if code, _, errOut := berthRun(t, fake, dir, nil, "attach", "--detach-keys", "ctrl-1", "db"); code == 0 || !strings.Contains(errOut, "detach keys") {
		t.Errorf("bad --detach-keys: exit %d, %q; want an error", code, errOut)
	}
}
