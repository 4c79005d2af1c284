package e2e

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// publishedOn reads, from the engine, the host port a container publishes
// port ("80/tcp") on.
func publishedOn(t *testing.T, id, port string) string {
	t.Helper()
	code, body := dockerAPI(t, "GET", "/containers/"+id+"/json")
	if code != 200 {
		t.Fatalf("inspecting %s: %d %s", id, code, body)
	}
	var c struct {
		NetworkSettings struct {
			Ports map[string][]struct{ HostIP, HostPort string }
		}
	}
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	for _, b := range c.NetworkSettings.Ports[port] {
		if b.HostIP == "0.0.0.0" {
			return b.HostPort
		}
	}
	t.Fatalf("container %s publishes no %s on 0.0.0.0: %s", id, port, body)
	return ""
}

// TestInspectTopPort: top shows each running container's processes in one
// table, CMD last; port prints where a port is published and fails, naming
// the container, for a port only exposed or not there at all.
func TestInspectTopPort(t *testing.T) {
	dir, name := upProject(t)
	mustBerth(t, dir, name, nil, "up", "-d")

	res := mustBerth(t, dir, name, nil, "top")
	lines := strings.Split(strings.TrimSuffix(res.Stdout, "\n"), "\n")
	if !regexp.MustCompile(`^SERVICE +# +UID +PID +PPID +C +STIME +TTY +TIME +CMD$`).MatchString(lines[0]) {
		t.Errorf("top header %q", lines[0])
	}
	for _, want := range []string{`^db +1 +root +\d+ .* sleep 3602$`, `^web +1 +root +\d+ .* sleep 3601$`} {
		if !slices.ContainsFunc(lines[1:], regexp.MustCompile(want).MatchString) {
			t.Errorf("top has no line like %s:\n%s", want, res.Stdout)
		}
	}
	if res := mustBerth(t, dir, name, nil, "top", "db"); strings.Contains(res.Stdout, "sleep 3601") || !strings.Contains(res.Stdout, "sleep 3602") {
		t.Errorf("top db:\n%s", res.Stdout)
	}

	web := containerNamed(t, name, name+"-web-1")
	tests := []struct {
		args    []string
		want    string // stdout, exactly, on success
		wantErr string // in stderr, for a failure
	}{
		{args: []string{"port", "web", "80"}, want: "0.0.0.0:" + publishedOn(t, web.ID, "80/tcp") + "\n"},
		{args: []string{"port", "--protocol", "udp", "web", "5353"}, want: "0.0.0.0:" + publishedOn(t, web.ID, "5353/udp") + "\n"},
		{args: []string{"port", "web", "90"}, wantErr: "container " + name + "-web-1 does not publish port 90/tcp"},
		{args: []string{"port", "web", "5353"}, wantErr: "does not publish port 5353/tcp"},
		{args: []string{"port", "nosuch", "80"}, wantErr: "no such service: nosuch"},
	}
	for _, tt := range tests {
		res := runBerth(t, dir, nil, append([]string{"-p", name}, tt.args...)...)
		switch {
		case tt.wantErr == "" && (res.ExitCode != 0 || res.Stdout != tt.want):
			t.Errorf("%v: want stdout %q; %s", tt.args, tt.want, res)
		case tt.wantErr != "" && (res.ExitCode != 1 || !strings.Contains(res.Stderr, tt.wantErr) || res.Stdout != ""):
			t.Errorf("%v: want exit 1 and %q; %s", tt.args, tt.wantErr, res)
		}
	}
}

// TestInspectImagesVolumes: images names each container's image with the
// engine's id for it; volumes lists the project's named volume, not the
// anonymous one, as a table, names only, and JSON.
func TestInspectImagesVolumes(t *testing.T) {
	dir, name := upProject(t)
	mustBerth(t, dir, name, nil, "up", "-d")
	code, body := dockerAPI(t, "GET", "/images/busybox/json")
	var img struct {
		ID   string `json:"Id"`
		Size int64
	}
	if err := json.Unmarshal(body, &img); code != 200 || err != nil {
		t.Fatalf("inspecting busybox: %d %s %v", code, body, err)
	}
	id := strings.TrimPrefix(img.ID, "sha256:")

	res := mustBerth(t, dir, name, nil, "images")
	for _, c := range []string{name + "-db-1", name + "-web-1"} {
		row := fmt.Sprintf(`(?m)^%s +busybox +latest +linux/\S+ +%s +\S+ +(\d+|an?|About an?) \w+ ago$`, regexp.QuoteMeta(c), id[:12])
		if !regexp.MustCompile(row).MatchString(res.Stdout) {
			t.Errorf("images has no row like %s:\n%s", row, res.Stdout)
		}
	}
	if res := mustBerth(t, dir, name, nil, "images", "-q"); res.Stdout != id+"\n" {
		t.Errorf("images -q = %q, want %s once", res.Stdout, id)
	}
	res = mustBerth(t, dir, name, nil, "images", "--format", "json", "web")
	var rows []struct{ ID, ContainerName, Repository, Tag string }
	if err := json.Unmarshal([]byte(res.Stdout), &rows); err != nil || len(rows) != 1 ||
		rows[0].ID != img.ID || rows[0].ContainerName != name+"-web-1" || rows[0].Repository != "busybox" || rows[0].Tag != "latest" {
		t.Errorf("images --format json web = %s (%v)", res.Stdout, err)
	}

	volume := name + "_data"
	if res := mustBerth(t, dir, name, nil, "volumes"); res.Stdout != "DRIVER    VOLUME NAME\nlocal     "+volume+"\n" {
		t.Errorf("volumes:\n%s", res.Stdout)
	}
	for _, args := range [][]string{{"volumes", "-q"}, {"volumes", "-q", "web"}} {
		if res := mustBerth(t, dir, name, nil, args...); res.Stdout != volume+"\n" {
			t.Errorf("%v = %q, want %s", args, res.Stdout, volume)
		}
	}
	if res := mustBerth(t, dir, name, nil, "volumes", "-q", "db"); res.Stdout != "" {
		t.Errorf("volumes -q db = %q, want none: db mounts nothing", res.Stdout)
	}
	res = mustBerth(t, dir, name, nil, "volumes", "--format", "json")
	var v struct{ Name, Driver, Scope, Mountpoint, Labels string }
	if err := json.Unmarshal([]byte(res.Stdout), &v); err != nil || v.Name != volume || v.Driver != "local" ||
		v.Scope != "local" || v.Mountpoint == "" || !strings.Contains(v.Labels, "com.docker.compose.volume=data") {
		t.Errorf("volumes --format json = %s (%v)", res.Stdout, err)
	}
}

// TestInspectLs: ls lists the project with its states counted and its
// compose file, only while something runs unless -a; -q, --filter and
// --format json narrow and shape it; it needs no compose file.
func TestInspectLs(t *testing.T) {
	dir, name := upProject(t)
	mustBerth(t, dir, name, nil, "up", "-d")
	away := t.TempDir()
	only := "name=^" + regexp.QuoteMeta(name) + "$"
	files := filepath.Join(dir, "compose.yaml")
	ls := func(args ...string) string {
		t.Helper()
		res := runBerth(t, away, nil, append([]string{"ls", "--filter", only}, args...)...)
		if res.ExitCode != 0 {
			t.Fatalf("ls %v: %s", args, res)
		}
		return res.Stdout
	}
	// The table's columns are at least 20 wide, and 3 wider than their
	// widest cell.
	row := func(status string) string {
		nameW, statusW := max(20, len(name)+3), max(20, len(status)+3)
		return "NAME" + pad("NAME", nameW) + "STATUS" + pad("STATUS", statusW) + "CONFIG FILES\n" +
			name + pad(name, nameW) + status + pad(status, statusW) + files + "\n"
	}
	steps := []struct {
		stop      []string // services to stop first
		ls, lsAll string   // the table without and with -a
	}{
		{nil, row("running(2)"), row("running(2)")},
		{[]string{"db"}, row("running(1)"), row("exited(1), running(1)")},
		{[]string{"web"}, "NAME                STATUS              CONFIG FILES\n", row("exited(2)")},
	}
	for _, st := range steps {
		if len(st.stop) > 0 {
			mustBerth(t, dir, name, nil, append([]string{"stop"}, st.stop...)...)
		}
		if got := ls(); got != st.ls {
			t.Errorf("after stopping %v, ls:\n%s\nwant:\n%s", st.stop, got, st.ls)
		}
		if got := ls("-a"); got != st.lsAll {
			t.Errorf("after stopping %v, ls -a:\n%s\nwant:\n%s", st.stop, got, st.lsAll)
		}
	}
	if got := ls("-a", "-q"); got != name+"\n" {
		t.Errorf("ls -a -q = %q", got)
	}
	var projects []struct{ Name, Status, ConfigFiles string }
	if err := json.Unmarshal([]byte(ls("-a", "--format", "json")), &projects); err != nil || len(projects) != 1 ||
		projects[0].Name != name || projects[0].Status != "exited(2)" || projects[0].ConfigFiles != files {
		t.Errorf("ls -a --format json = %+v (%v)", projects, err)
	}
	if res := runBerth(t, away, nil, "ls", "--filter", "status=running"); res.ExitCode != 1 || !strings.Contains(res.Stderr, "ls filters by name only") {
		t.Errorf("ls --filter status=running: %s", res)
	}
}

// pad is the run of spaces the table layout puts after cell in a column
// width wide.
func pad(cell string, width int) string { return strings.Repeat(" ", width-len(cell)) }

// tarEntries lists the names in a tar archive.
func tarEntries(t *testing.T, r io.Reader) []string {
	t.Helper()
	var names []string
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names
		}
		if err != nil {
			t.Fatalf("reading the archive after %d entries: %v", len(names), err)
		}
		names = append(names, hdr.Name)
	}
}

// runImage runs image's default command in a new container, waits for it
// to end and returns its output.
func runImage(t *testing.T, image string) string {
	t.Helper()
	code, body := dockerAPIJSON(t, "POST", "/containers/create", map[string]any{"Image": image, "Tty": true})
	var created struct {
		ID string `json:"Id"`
	}
	if err := json.Unmarshal(body, &created); code != 201 || err != nil {
		t.Fatalf("creating a container of %s: %d %s", image, code, body)
	}
	defer dockerAPI(t, "DELETE", "/containers/"+created.ID+"?force=1")
	if code, body := dockerAPI(t, "POST", "/containers/"+created.ID+"/start"); code != 204 {
		t.Fatalf("starting a container of %s: %d %s", image, code, body)
	}
	if code, body := dockerAPI(t, "POST", "/containers/"+created.ID+"/wait"); code != 200 {
		t.Fatalf("waiting for a container of %s: %d %s", image, code, body)
	}
	_, out := dockerAPI(t, "GET", "/containers/"+created.ID+"/logs?stdout=1&stderr=1")
	return string(out)
}

// TestInspectExportCommit: export writes the container's filesystem as a
// tar, to a file or piped out; commit makes an image of the container, its
// changes and the -c instructions included, that runs.
func TestInspectExportCommit(t *testing.T) {
	dir, name := upProject(t)
	mustBerth(t, dir, name, nil, "up", "-d")
	web := containerNamed(t, name, name+"-web-1")
	execIn(t, web.ID, "sh", "-c", "echo marker-"+name+" > /marker")

	file := filepath.Join(t.TempDir(), "web.tar")
	if res := mustBerth(t, dir, name, nil, "export", "-o", file, "web"); res.Stdout != "" {
		t.Errorf("export -o printed %q", res.Stdout)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if names := tarEntries(t, f); !slices.Contains(names, "bin/busybox") || !slices.Contains(names, "marker") {
		t.Errorf("export -o holds %d entries, without bin/busybox or marker", len(names))
	}
	res := mustBerth(t, dir, name, nil, "export", "web")
	if names := tarEntries(t, strings.NewReader(res.Stdout)); !slices.Contains(names, "bin/busybox") {
		t.Errorf("export to stdout holds %d entries, without bin/busybox", len(names))
	}

	image := name + "-snap:v1"
	t.Cleanup(func() { dockerAPI(t, "DELETE", "/images/"+url.PathEscape(image)+"?force=1") })
	res = mustBerth(t, dir, name, nil, "commit", "-m", "snapshot of "+name, "-a", "e2e <e2e@example.com>",
		"-c", `CMD ["cat", "/marker"]`, "-c", "ENV COMMITTED=yes", "web", image)
	if res.Stdout != "" || !strings.Contains(res.Stderr, "Committed as sha256:") {
		t.Errorf("commit: %s", res)
	}
	code, body := dockerAPI(t, "GET", "/images/"+url.PathEscape(image)+"/json")
	var committed struct {
		Comment, Author string
		Config          struct{ Env []string }
	}
	if err := json.Unmarshal(body, &committed); code != 200 || err != nil {
		t.Fatalf("inspecting %s: %d %s", image, code, body)
	}
	if committed.Comment != "snapshot of "+name || committed.Author != "e2e <e2e@example.com>" || !slices.Contains(committed.Config.Env, "COMMITTED=yes") {
		t.Errorf("committed image: %+v", committed)
	}
	if out := runImage(t, image); !strings.Contains(out, "marker-"+name) {
		t.Errorf("the committed image printed %q, want the marker", out)
	}
	if state := containerNamed(t, name, name+"-web-1").State.Status; state != "running" {
		t.Errorf("web after commit: %s, want running (unpaused)", state)
	}
	mustBerth(t, dir, name, nil, "stop", "web")
	eventually(t, 10*time.Second, "web stopped", func() (bool, string) {
		s := containerNamed(t, name, name+"-web-1").State.Status
		return s == "exited", s
	})
	for _, args := range [][]string{{"export", "-o", file, "web"}, {"commit", "web"}} {
		if res := runBerth(t, dir, nil, append([]string{"-p", name}, args...)...); res.ExitCode != 1 || !strings.Contains(res.Stderr, `service "web" has no running container`) {
			t.Errorf("%v of a stopped service: %s", args, res)
		}
	}
}
