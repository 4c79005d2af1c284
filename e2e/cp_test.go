package e2e

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// cpTree makes, in a fresh folder, the local tree the cp tests copy:
//
//	f            "file content\n", 0640
//	d/x          "x\n"
//	d/empty/
//	d/link -> x
func cpTree(t *testing.T) string {
	t.Helper()
	base := t.TempDir()
	for _, step := range []error{
		os.MkdirAll(filepath.Join(base, "d", "empty"), 0o755),
		os.WriteFile(filepath.Join(base, "f"), []byte("file content\n"), 0o600),
		os.Chmod(filepath.Join(base, "f"), 0o640),
		os.WriteFile(filepath.Join(base, "d", "x"), []byte("x\n"), 0o644),
		os.Symlink("x", filepath.Join(base, "d", "link")),
		os.Mkdir(filepath.Join(base, "out"), 0o755),
	} {
		if step != nil {
			t.Fatal(step)
		}
	}
	return base
}

// inContainer runs a shell line in the container and returns its output,
// trimmed.
func inContainer(t *testing.T, container, script string) string {
	t.Helper()
	return strings.TrimSpace(execIn(t, container, "sh", "-c", script))
}

// TestCpBothWays: a file and a directory (with an empty subdirectory and
// a symlink) go into a container and come back out as they were, DIR/.
// copies the contents, and "-" is a tar stream on stdin and on stdout.
func TestCpBothWays(t *testing.T) {
	dir, name := upProject(t)
	mustBerth(t, dir, name, nil, "up", "-d")
	web := name + "-web-1"
	base := cpTree(t)
	local := func(p string) string { return filepath.Join(base, filepath.FromSlash(p)) }

	mustBerth(t, dir, name, nil, "cp", local("f"), "web:/tmp/")
	mustBerth(t, dir, name, nil, "cp", local("d"), "web:/tmp/d")
	mustBerth(t, dir, name, nil, "cp", local("d")+"/.", "web:/tmp/contents")
	got := inContainer(t, web, `cd /tmp && stat -c '%n %a %s' f && find d contents | sort && readlink d/link && cat d/x`)
	want := "f 640 13\ncontents\ncontents/empty\ncontents/link\ncontents/x\nd\nd/empty\nd/link\nd/x\nx\nx"
	if got != want {
		t.Errorf("in the container:\n%s\nwant:\n%s", got, want)
	}

	mustBerth(t, dir, name, nil, "cp", "web:/tmp/d", local("out"))
	mustBerth(t, dir, name, nil, "cp", "web:/tmp/f", local("out/renamed"))
	if link, err := os.Readlink(local("out/d/link")); err != nil || link != "x" {
		t.Errorf("out/d/link: %q, %v; want a symlink to x", link, err)
	}
	if fi, err := os.Stat(local("out/d/empty")); err != nil || !fi.IsDir() {
		t.Errorf("out/d/empty: %v, want an empty directory", err)
	}
	if content, err := os.ReadFile(local("out/renamed")); err != nil || string(content) != "file content\n" {
		t.Errorf("out/renamed: %q, %v", content, err)
	}
	if fi, err := os.Stat(local("out/renamed")); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("out/renamed mode: %v, %v; want 0640", fi.Mode(), err)
	}

	// A symlink to a directory in the container, at the end of the
	// destination or on the way to it, leads there.
	inContainer(t, web, "ln -s /tmp /tmp-link")
	mustBerth(t, dir, name, nil, "cp", local("d/x"), "web:/tmp-link")
	mustBerth(t, dir, name, nil, "cp", local("f"), "web:/tmp-link/vialink")
	if got := inContainer(t, web, "cat /tmp/x /tmp/vialink"); got != "x\nfile content" {
		t.Errorf("copies through /tmp-link: %q", got)
	}

	// -L copies what a symlink named as the source leads to, under the
	// symlink's name, both ways.
	mustBerth(t, dir, name, nil, "cp", "-L", local("d/link"), "web:/tmp/followed")
	if got := inContainer(t, web, "stat -c %F /tmp/followed && cat /tmp/followed"); got != "regular file\nx" {
		t.Errorf("-L into the container: %q, want a regular file holding x", got)
	}
	mustBerth(t, dir, name, nil, "cp", "-L", "web:/tmp/d/link", local("out"))
	if fi, err := os.Lstat(local("out/link")); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("-L out of the container: out/link is %v, %v; want a regular file", fi.Mode(), err)
	}

	// A tar stream out, and the same stream back in under another folder.
	res := mustBerth(t, dir, name, nil, "cp", "web:/tmp/d", "-")
	names := tarEntryNames(t, res.Stdout)
	if want := []string{"d/", "d/empty/", "d/link", "d/x"}; !slices.Equal(names, want) {
		t.Errorf("tar on stdout has %v, want %v", names, want)
	}
	inContainer(t, web, "mkdir /tmp/streamed")
	if res := runBerthInput(t, dir, nil, res.Stdout, "-p", name, "cp", "-", "web:/tmp/streamed"); res.ExitCode != 0 {
		t.Fatalf("cp - web:/tmp/streamed: %s", res)
	}
	if got := inContainer(t, web, "cd /tmp/streamed && find . | sort && readlink d/link"); got != ".\n./d\n./d/empty\n./d/link\n./d/x\nx" {
		t.Errorf("streamed in:\n%s", got)
	}
}

// TestCpOwnership: the archive carries the local uid and gid, which the
// engine keeps; with -a it gives the files to the container's user
// instead, as docker cp does. Copies out belong to whoever runs berth.
func TestCpOwnership(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chown needs root")
	}
	dir, name := upProject(t)
	mustBerth(t, dir, name, nil, "up", "-d")
	app := name + "-app-1"
	base := cpTree(t)
	f := filepath.Join(base, "f")
	if err := os.Chown(f, 1234, 1234); err != nil {
		t.Fatal(err)
	}
	mustBerth(t, dir, name, nil, "cp", f, "app:/tmp/plain")
	mustBerth(t, dir, name, nil, "cp", "-a", f, "app:/tmp/archived")
	if got := inContainer(t, app, "stat -c '%n %u:%g' /tmp/plain /tmp/archived"); got != "/tmp/plain 1234:1234\n/tmp/archived 65534:65534" {
		t.Errorf("owners in the container:\n%s", got)
	}
	back := filepath.Join(base, "out", "back")
	mustBerth(t, dir, name, nil, "cp", "-a", "app:/tmp/plain", back)
	if uid, gid := fileOwner(t, back); uid != 0 || gid != 0 {
		t.Errorf("copied out: owned by %d:%d, want 0:0 (who ran berth)", uid, gid)
	}
}

// TestCpReplicasAndErrors: a copy in reaches every replica, or the one
// --index names; a copy out reads the first, or --index's; -p works with
// no compose file; bad paths and names fail with what is wrong.
func TestCpReplicasAndErrors(t *testing.T) {
	dir, name := upProject(t)
	mustBerth(t, dir, name, nil, "up", "-d")
	web1, web2 := name+"-web-1", name+"-web-2"
	base := cpTree(t)
	f := filepath.Join(base, "f")
	eventually(t, 10*time.Second, "both replicas wrote /tmp/who", func() (bool, string) {
		a, b := inContainer(t, web1, "cat /tmp/who"), inContainer(t, web2, "cat /tmp/who")
		return a != b && !strings.Contains(a+b, "No such file"), a + " " + b
	})

	mustBerth(t, dir, name, nil, "cp", f, "web:/tmp/all")
	mustBerth(t, dir, name, nil, "cp", "--index", "2", f, "web:/tmp/second")
	if got := inContainer(t, web1, "ls -1 /tmp/all /tmp/second 2>&1"); !strings.Contains(got, "/tmp/all") || !strings.Contains(got, "No such file") {
		t.Errorf("web-1 has: %s; want /tmp/all only", got)
	}
	if got := inContainer(t, web2, "ls -1 /tmp/all /tmp/second"); got != "/tmp/all\n/tmp/second" {
		t.Errorf("web-2 has: %s; want both", got)
	}

	away := t.TempDir() // no compose file: the project is found by -p
	mustBerth(t, away, name, nil, "cp", "web:/tmp/who", filepath.Join(base, "out", "first"))
	mustBerth(t, away, name, nil, "cp", "--index", "2", "web:/tmp/who", filepath.Join(base, "out", "second"))
	for file, ctr := range map[string]string{"first": web1, "second": web2} {
		content, err := os.ReadFile(filepath.Join(base, "out", file))
		if want := inContainer(t, ctr, "cat /tmp/who"); err != nil || strings.TrimSpace(string(content)) != want {
			t.Errorf("out/%s = %q, %v; want %s's %q", file, content, err, ctr, want)
		}
	}

	errs := []struct {
		name string
		args []string
		want string
	}{
		{"unknown service", []string{"cp", f, "nosuch:/tmp"}, "no such service: nosuch"},
		{"missing source", []string{"cp", filepath.Join(base, "missing"), "web:/tmp"}, "no such file or directory"},
		{"missing source in the container", []string{"cp", "web:/nope", base}, "cannot copy web:/nope: no such file or directory in container " + web1},
		{"missing parent in the container", []string{"cp", f, "web:/nowhere/f"}, "the directory /nowhere does not exist in container"},
		{"missing local parent", []string{"cp", "web:/tmp/who", filepath.Join(base, "nowhere", "f")}, "the destination directory does not exist: " + filepath.Join(base, "nowhere")},
		{"directory onto a file", []string{"cp", filepath.Join(base, "d"), "web:/tmp/all"}, "cannot copy a directory onto a file"},
		{"no such replica", []string{"cp", "--index", "3", f, "web:/tmp"}, `service "web" has no container number 3`},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			res := runBerth(t, dir, nil, append([]string{"-p", name}, tt.args...)...)
			if res.ExitCode != 1 || !strings.Contains(res.Stderr, tt.want) {
				t.Errorf("want exit 1 and %q in stderr: %s", tt.want, res)
			}
		})
	}
}

func tarEntryNames(t *testing.T, stream string) []string {
	t.Helper()
	var names []string
	tr := tar.NewReader(bytes.NewReader([]byte(stream)))
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names
		}
		if err != nil {
			t.Fatalf("stdout is no tar stream: %v", err)
		}
		names = append(names, hdr.Name)
	}
}
