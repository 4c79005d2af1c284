package cmd

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/berth-compose/berth/convergence"
	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/engine/enginetest"
)

func TestParseCpEnd(t *testing.T) {
	tests := []struct {
		arg  string
		want cpEnd
	}{
		{"web:/tmp/x", cpEnd{Service: "web", Path: "/tmp/x"}},
		{"web:relative", cpEnd{Service: "web", Path: "relative"}},
		{"web:", cpEnd{Service: "web", Path: ""}},
		{"/abs/with:colon", cpEnd{Path: "/abs/with:colon"}},
		{"./local:colon", cpEnd{Path: "./local:colon"}},
		{"../up:colon", cpEnd{Path: "../up:colon"}},
		{"plain", cpEnd{Path: "plain"}},
		{"-", cpEnd{Path: "-"}},
		{":x", cpEnd{Path: ":x"}},
	}
	for _, tt := range tests {
		if got := parseCpEnd(tt.arg); got != tt.want {
			t.Errorf("parseCpEnd(%q) = %+v, want %+v", tt.arg, got, tt.want)
		}
	}
}

func TestCpDirection(t *testing.T) {
	tests := []struct {
		src, dst  string
		toService bool
		wantErr   string
	}{
		{"f", "web:/tmp", true, ""},
		{"web:/tmp/f", "-", false, ""},
		{"web:/a", "db:/b", false, "from one service's container to another's (web to db)"},
		{"a", "b", false, `neither "a" nor "b" is in a container`},
		{"f", "web:", false, "the path after SERVICE: is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.src+" "+tt.dst, func(t *testing.T) {
			got, err := cpDirection(parseCpEnd(tt.src), parseCpEnd(tt.dst))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.toService {
				t.Errorf("cpDirection = %v, %v; want %v", got, err, tt.toService)
			}
		})
	}
}

func TestCpTargets(t *testing.T) {
	ctr := func(name, service, number, oneoff string) engine.Container {
		return engine.Container{ID: name, Name: name, Labels: map[string]string{
			convergence.LabelService: service, convergence.LabelContainerNumber: number, convergence.LabelOneoff: oneoff}}
	}
	o := &convergence.Observed{Containers: []engine.Container{
		ctr("p-db-1", "db", "1", "False"),
		ctr("p-web-run-abc", "web", "1", "True"),
		ctr("p-web-10", "web", "10", "False"),
		ctr("p-web-2", "web", "2", "False"),
	}}
	tests := []struct {
		name      string
		service   string
		opts      cpOptions
		toService bool
		want      []string
		wantErr   string
	}{
		{"into every container, by number", "web", cpOptions{}, true, []string{"p-web-2", "p-web-10"}, ""},
		{"out of the first", "web", cpOptions{}, false, []string{"p-web-2"}, ""},
		{"--index", "web", cpOptions{Index: 10}, false, []string{"p-web-10"}, ""},
		{"--index into one", "web", cpOptions{Index: 2}, true, []string{"p-web-2"}, ""},
		{"--all adds one-off containers", "web", cpOptions{All: true}, true, []string{"p-web-2", "p-web-10", "p-web-run-abc"}, ""},
		{"--index missing", "web", cpOptions{Index: 3}, true, nil, `service "web" has no container number 3`},
		{"no container", "cache", cpOptions{}, true, nil, `no container found for service "cache"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := cpTargets(o, tt.service, &tt.opts, tt.toService)
			var names []string
			for _, c := range got {
				names = append(names, c.Name)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("error %v, want it to contain %q", err, tt.wantErr)
			}
			if !slices.Equal(names, tt.want) {
				t.Errorf("targets = %v, want %v", names, tt.want)
			}
		})
	}
}

// cpRun runs berth over fake with stdin as its standard input.
func cpRun(t *testing.T, fake engine.Engine, dir string, stdin io.Reader, args ...string) (int, string, string) {
	t.Helper()
	deps, out, errOut := testDeps()
	deps.In = stdin
	deps.Engine = func(context.Context) (engine.Engine, error) { return fake, nil }
	code := Execute(context.Background(), deps, append([]string{"--project-directory", dir, "--progress", "quiet"}, args...))
	return code, out.String(), errOut.String()
}

// fileList is a container's files as "path content" lines.
func fileList(fake *enginetest.Fake, container string) []string {
	var out []string
	for _, f := range fake.Files(container) {
		out = append(out, fmt.Sprintf("%s %s", f.Path, f.Content))
	}
	return out
}

// localTree makes base/src/{a,sub/b} and base/out, and returns base.
func localTree(t *testing.T) string {
	t.Helper()
	base := t.TempDir()
	for name, content := range map[string]string{"src/a": "A", "src/sub/b": "B", "f": "F"} {
		p := filepath.Join(base, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(base, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	return base
}

// TestCpRun: copies both ways through the fake: into every container or
// one, out of the first or one, stopped containers included, tar streams
// both ways, and the errors.
func TestCpRun(t *testing.T) {
	fake, dir := mixedProject(t)
	base := localTree(t)
	local := func(p string) string { return filepath.Join(base, filepath.FromSlash(p)) }
	run := func(stdin io.Reader, args ...string) (int, string, string) {
		return cpRun(t, fake, dir, stdin, append([]string{"cp"}, args...)...)
	}
	mustCp := func(args ...string) string {
		t.Helper()
		code, out, errOut := run(strings.NewReader(""), args...)
		if code != 0 {
			t.Fatalf("cp %v: exit %d: %s", args, code, errOut)
		}
		return out
	}

	mustCp(local("src"), "web:/srv")
	mustCp("--index", "2", local("f"), "web:/srv/sub/")
	mustCp(local("f"), "worker:/") // stopped
	want1 := []string{"/srv/a A", "/srv/sub/b B"}
	want2 := []string{"/srv/a A", "/srv/sub/b B", "/srv/sub/f F"}
	if got := fileList(fake, "run-web-1"); !slices.Equal(got, want1) {
		t.Errorf("web-1 files = %v, want %v", got, want1)
	}
	if got := fileList(fake, "run-web-2"); !slices.Equal(got, want2) {
		t.Errorf("web-2 files = %v, want %v", got, want2)
	}
	if got := fileList(fake, "run-worker-1"); !slices.Equal(got, []string{"/f F"}) {
		t.Errorf("worker files = %v", got)
	}

	mustCp("web:/srv", local("out"))
	mustCp("--index", "2", "web:/srv/sub/.", local("out/from2"))
	mustCp("worker:/f", local("out/g"))
	for p, want := range map[string]string{"out/srv/a": "A", "out/srv/sub/b": "B", "out/from2/f": "F", "out/g": "F"} {
		if got, err := os.ReadFile(local(p)); err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", p, got, err, want)
		}
	}
	if _, err := os.Stat(local("out/srv/sub/f")); err == nil {
		t.Error("the copy out of web read web-2, not web-1")
	}

	out := mustCp("web:/srv/sub", "-")
	if got := tarNames(t, strings.NewReader(out)); !slices.Equal(got, []string{"sub/", "sub/b"}) {
		t.Errorf("tar to stdout = %v", got)
	}
	code, _, errOut := run(bytes.NewReader(tarStream(t, "in/", "in/x")), "-", "web:/srv")
	if code != 0 {
		t.Fatalf("cp - web:/srv: %s", errOut)
	}
	for _, c := range []string{"run-web-1", "run-web-2"} {
		if !slices.Contains(fileList(fake, c), "/srv/in/x x") {
			t.Errorf("%s lacks the file of the stream: %v", c, fileList(fake, c))
		}
	}

	errs := []struct {
		args []string
		want string
	}{
		{[]string{local("f"), "nope:/"}, "no such service: nope"},
		{[]string{local("missing"), "web:/srv"}, "cannot copy " + local("missing")},
		{[]string{local("f"), "web:/nowhere/x"}, "the directory /nowhere does not exist in container run-web-1"},
		{[]string{local("src"), "web:/srv/a"}, "cannot copy a directory onto a file"},
		{[]string{"web:/nope", local("out")}, "cannot copy web:/nope: no such file or directory in container run-web-1"},
		{[]string{"web:/srv/a", local("nowhere/x")}, "cannot copy to " + local("nowhere/x")},
		{[]string{"-", "web:/srv/a"}, "it is not an existing directory"},
		{[]string{"--index", "5", local("f"), "web:/"}, `service "web" has no container number 5`},
		{[]string{"--index", "-1", local("f"), "web:/"}, "invalid --index -1"},
		{[]string{local("f")}, "cp takes a source and a destination"},
	}
	for _, tt := range errs {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, errOut := run(strings.NewReader(""), tt.args...)
			if code != 1 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want 1 and %q", code, errOut, tt.want)
			}
		})
	}
}

// TestCpArchiveAndDryRun: -a asks the engine to give the files to the
// container's user; --dry-run copies nothing.
func TestCpArchiveAndDryRun(t *testing.T) {
	fake := busyboxFake()
	dir := projectIn(t, "name: own\nservices:\n  app: {image: busybox, user: \"1000:50\"}\n")
	mustRun(t, fake, dir, nil, "up", "-d")
	base := localTree(t)
	for _, args := range [][]string{
		{"cp", "-a", filepath.Join(base, "f"), "app:/owned"},
		{"cp", filepath.Join(base, "f"), "app:/kept"},
		{"--dry-run", "cp", filepath.Join(base, "f"), "app:/dry"},
		{"--dry-run", "cp", "app:/kept", filepath.Join(base, "out", "dry")},
	} {
		if code, _, errOut := cpRun(t, fake, dir, strings.NewReader(""), args...); code != 0 {
			t.Fatalf("%v: %s", args, errOut)
		}
	}
	uid, gid := os.Getuid(), os.Getgid()
	var got []string
	for _, f := range fake.Files("own-app-1") {
		got = append(got, fmt.Sprintf("%s %d:%d", f.Path, f.UID, f.GID))
	}
	want := []string{fmt.Sprintf("/kept %d:%d", uid, gid), "/owned 1000:50"}
	if uid < 0 { // Windows has no numeric owners: the archive carries 0
		want[0] = "/kept 0:0"
	}
	if !slices.Equal(got, want) {
		t.Errorf("files = %v, want %v", got, want)
	}
	if _, err := os.Lstat(filepath.Join(base, "out", "dry")); err == nil {
		t.Error("--dry-run copied out of the container")
	}
	if code, _, errOut := cpRun(t, fake, dir, strings.NewReader(""), "--dry-run", "cp", "app:/nope", base); code != 1 || !strings.Contains(errOut, "no such file") {
		t.Errorf("--dry-run of a missing source: exit %d, %q; want it refused", code, errOut)
	}
}

func tarNames(t *testing.T, r io.Reader) []string {
	t.Helper()
	var names []string
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, hdr.Name)
	}
}

// tarStream is an archive of the named entries: directories end in "/",
// and a file's content is its base name.
func tarStream(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range names {
		hdr := &tar.Header{Name: n, Mode: 0o755, Typeflag: tar.TypeDir}
		body := filepath.Base(n)
		if !strings.HasSuffix(n, "/") {
			hdr.Typeflag, hdr.Mode, hdr.Size = tar.TypeReg, 0o644, int64(len(body))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if hdr.Typeflag == tar.TypeReg {
			if _, err := tw.Write([]byte(body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
