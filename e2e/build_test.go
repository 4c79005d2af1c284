package e2e

import (
	"bufio"
	"encoding/json"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// buildProjectDir is upProject for projects that build: the cleanup also
// removes the images berth built for the project.
func buildProjectDir(t *testing.T) (dir, name string) {
	t.Helper()
	requireEngine(t)
	dir = projectDir(t, t.Name())
	name = uniqueProjectName(t)
	t.Cleanup(func() {
		if res := runBerth(t, dir, buildEnv(name), "-p", name, "down", "-v", "-t", "0", "--rmi", "local"); res.ExitCode != 0 {
			t.Errorf("cleanup down: %s", res)
		}
		removeImagesLabelled(t, "com.docker.compose.project="+name)
	})
	return dir, name
}

// buildEnv names the images the build tests tag themselves, unique per
// project, and the variables their compose files read.
func buildEnv(name string) []string {
	return []string{"BASE_IMAGE=" + name + "-base:e2e", "TAGGED_IMAGE=" + name + "-tagged:e2e",
		"GREETING=hello", "BUILD_TOKEN=s3cr3t"}
}

// removeImagesLabelled removes what a failed test may have left.
func removeImagesLabelled(t *testing.T, label string) {
	t.Helper()
	_, body := dockerAPI(t, "GET", "/images/json?filters="+url.QueryEscape(`{"label":["`+label+`"]}`))
	var images []struct{ ID string }
	_ = json.Unmarshal(body, &images)
	for _, img := range images {
		dockerAPI(t, "DELETE", "/images/"+img.ID+"?force=1")
	}
}

// inImage runs script in a throwaway container of image and returns its
// output (a TTY, so no stream headers) and exit code.
func inImage(t *testing.T, image, script string) (string, int) {
	t.Helper()
	code, body := dockerAPIJSON(t, "POST", "/containers/create", map[string]any{
		"Image": image, "Cmd": []string{"sh", "-c", script}, "Tty": true,
	})
	if code != 201 {
		t.Fatalf("creating a container of %s: %d %s", image, code, body)
	}
	var created struct{ Id string }
	_ = json.Unmarshal(body, &created)
	defer dockerAPI(t, "DELETE", "/containers/"+created.Id+"?force=1")
	if code, body := dockerAPI(t, "POST", "/containers/"+created.Id+"/start"); code != 204 {
		t.Fatalf("starting a container of %s: %d %s", image, code, body)
	}
	_, body = dockerAPI(t, "POST", "/containers/"+created.Id+"/wait")
	var waited struct{ StatusCode int }
	_ = json.Unmarshal(body, &waited)
	_, logs := dockerAPI(t, "GET", "/containers/"+created.Id+"/logs?stdout=1&stderr=1")
	return strings.ReplaceAll(string(logs), "\r\n", "\n"), waited.StatusCode
}

// progressEvent is one line of --progress json.
type progressEvent struct {
	ID, ParentID, Status, Text, Kind, Name string
	Time                                   time.Time
}

func progressEvents(t *testing.T, stderr string) []progressEvent {
	t.Helper()
	var out []progressEvent
	sc := bufio.NewScanner(strings.NewReader(stderr))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e struct {
			ID       string    `json:"id"`
			ParentID string    `json:"parent_id"`
			Status   string    `json:"status"`
			Text     string    `json:"text"`
			Kind     string    `json:"kind"`
			Name     string    `json:"name"`
			Time     time.Time `json:"time"`
		}
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.ID != "" {
			out = append(out, progressEvent{e.ID, e.ParentID, e.Status, e.Text, e.Kind, e.Name, e.Time})
		}
	}
	return out
}

// instructionStep matches the steps of Dockerfile instructions that run
// or copy something: the ones a cache can serve.
var instructionStep = regexp.MustCompile(`\[[^\]]*\d+/\d+\] (RUN|COPY|ADD) `)

// TestBuildAttributes: build honours .dockerignore, args with
// interpolation, a multi-stage target, dockerfile_inline, a build secret
// (readable by its RUN step, absent from the image) and additional
// contexts (a folder, another service's image); a Dockerfile FROM another
// service's image builds after it; a second build is all cache hits, and
// both show in json and plain progress.
func TestBuildAttributes(t *testing.T) {
	dir, name := buildProjectDir(t)
	env := buildEnv(name)
	res := mustBerth(t, dir, name, env, "--progress", "json", "build")
	events := progressEvents(t, res.Stderr)

	app := name + "-app"
	out, code := inImage(t, app, `cat /greeting; ls -1 /app; test -e /secret-ok && echo secret-read; `+
		`test -e /run/secrets/token || echo no-secret-file; found=; for d in $(ls / | grep -vxE 'proc|sys|dev'); do grep -rqs s3cr3t /$d && found=$d; done; test -z "$found" && echo secret-nowhere; cat /files/asset.txt /base.txt`)
	if code != 0 {
		t.Fatalf("app image: exit %d: %s", code, out)
	}
	want := "hello-e2e\nDockerfile\nkeep.txt\nsecret-read\nno-secret-file\nsecret-nowhere\nasset\nbase\n"
	if out != want {
		t.Errorf("app image holds:\n%s\nwant:\n%s(.dockerignore drops secret.txt and *.log; the secret is read, never kept)", out, want)
	}
	if out, _ := inImage(t, name+"-child", "cat /child.txt"); out != "base\n" {
		t.Errorf("child image: %q, want base's file", out)
	}
	if exists(t, "/images/"+name+"-broken/json") || strings.Contains(res.Stderr, "RUN false") {
		t.Error("the stage past the target was built")
	}
	// base comes first: the other two read its image.
	baseDone := eventTime(events, "Image "+name+"-base:e2e", "Done")
	for _, s := range []string{"app", "child"} {
		if first := firstStep(events, "Image "+name+"-"+s); first.IsZero() || first.Before(baseDone) {
			t.Errorf("%s began building at %v, before base was built at %v", s, first, baseDone)
		}
	}
	if n := countImages(t, "berth-context-"); n != 0 {
		t.Errorf("%d additional-context images left behind", n)
	}

	again := mustBerth(t, dir, name, env, "--progress", "json", "build")
	steps := 0
	for _, e := range progressEvents(t, again.Stderr) {
		if e.Kind == "Step" && e.Status == "Done" && instructionStep.MatchString(e.Name) {
			steps++
			if e.Text != "Cached" {
				t.Errorf("second build ran %q again (%s): nothing changed", e.Name, e.Text)
			}
		}
	}
	if steps < 6 {
		t.Errorf("second build reported %d instruction steps, want every RUN and COPY:\n%s", steps, again.Stderr)
	}
	// -q says nothing; --build-arg wins over the file's args; --no-cache
	// runs the steps again, which the new greeting proves.
	quiet := mustBerth(t, dir, name, env, "build", "-q", "--no-cache", "--build-arg", "GREETING=flag", "app")
	if quiet.Stdout != "" || quiet.Stderr != "" {
		t.Errorf("build -q printed:\n%s", quiet)
	}
	if out, _ := inImage(t, app, "cat /greeting"); out != "flag\n" {
		t.Errorf("after --build-arg GREETING=flag the greeting is %q", out)
	}

	plain := mustBerth(t, dir, name, env, "--progress", "plain", "build", "app")
	if !regexp.MustCompile(`(?m)^ Step app \[final \d/\d\] COPY \. /app  Cached`).MatchString(plain.Stderr) ||
		!strings.Contains(plain.Stderr, " Image "+name+"-app  Built") {
		t.Errorf("plain progress lacks the cached step or the built image:\n%s", plain.Stderr)
	}
}

func eventTime(events []progressEvent, id, status string) time.Time {
	for _, e := range events {
		if e.ID == id && e.Status == status {
			return e.Time
		}
	}
	return time.Time{}
}

func firstStep(events []progressEvent, parent string) time.Time {
	for _, e := range events {
		if e.ParentID == parent {
			return e.Time
		}
	}
	return time.Time{}
}

func countImages(t *testing.T, prefix string) int {
	t.Helper()
	_, body := dockerAPI(t, "GET", "/images/json")
	var images []struct{ RepoTags []string }
	_ = json.Unmarshal(body, &images)
	n := 0
	for _, img := range images {
		for _, tag := range img.RepoTags {
			if strings.HasPrefix(tag, prefix) {
				n++
			}
		}
	}
	return n
}

// TestBuildUp: up builds the missing images and runs them; up again
// builds nothing; up --build after a change rebuilds and recreates only
// the containers of the changed image; down --rmi local removes the images
// named after the project and keeps those with an image: of their own.
func TestBuildUp(t *testing.T) {
	dir, name := buildProjectDir(t)
	env := buildEnv(name)
	mustBerth(t, dir, name, env, "up", "-d")
	eventually(t, 30*time.Second, "web prints the version it was built with", func() (bool, string) {
		res := runBerth(t, dir, env, "-p", name, "logs", "web")
		return strings.Contains(res.Stdout, "v1"), res.String()
	})
	before := states(t, name)
	if len(before) != 3 {
		t.Fatalf("containers after up: %v", before)
	}
	ids := containerIDs(t, name)
	if res := mustBerth(t, dir, name, env, "--progress", "plain", "up", "-d"); strings.Contains(res.Stderr, "Building") {
		t.Errorf("a second up built again:\n%s", res.Stderr)
	}

	writeFile(t, dir+"/web/version.txt", "v2\n")
	mustBerth(t, dir, name, env, "up", "-d", "--build")
	eventually(t, 30*time.Second, "web runs the rebuilt image", func() (bool, string) {
		res := runBerth(t, dir, env, "-p", name, "logs", "web")
		return strings.Contains(res.Stdout, "v2"), res.String()
	})
	after := containerIDs(t, name)
	for c, id := range after {
		if replaced := ids[c] != id; replaced != (c != name+"-plain-1") {
			t.Errorf("%s replaced: %v; only the containers of rebuilt images should be", c, replaced)
		}
	}

	// run --build rebuilds the one-off's image first.
	writeFile(t, dir+"/web/version.txt", "v3\n")
	if res := mustBerth(t, dir, name, env, "run", "--rm", "-T", "--build", "web", "cat", "/version.txt"); res.Stdout != "v3\n" {
		t.Errorf("run --build printed %q, want the rebuilt v3", res.Stdout)
	}

	mustBerth(t, dir, name, env, "down", "-t", "0", "--rmi", "local")
	if exists(t, "/images/"+name+"-web/json") {
		t.Error("down --rmi local left the image it built for web")
	}
	if !exists(t, "/images/"+name+"-tagged:e2e/json") || !exists(t, "/images/busybox:latest/json") {
		t.Error("down --rmi local removed an image named in image:")
	}
}

func containerIDs(t *testing.T, name string) map[string]string {
	t.Helper()
	_, body := dockerAPI(t, "GET", "/containers/json?all=1&filters="+url.QueryEscape(`{"label":["com.docker.compose.project=`+name+`"]}`))
	var list []struct {
		ID    string `json:"Id"`
		Names []string
	}
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, c := range list {
		out[strings.TrimPrefix(c.Names[0], "/")] = c.ID
	}
	return out
}

// TestBuildFailure: a failing step fails the build with the service, the
// step and its output named; up still brings up what does not need the
// image.
func TestBuildFailure(t *testing.T) {
	dir, name := buildProjectDir(t)
	res := runBerth(t, dir, nil, "-p", name, "--progress", "plain", "up", "-d")
	if res.ExitCode == 0 {
		t.Fatalf("up with a failing build succeeded: %s", res)
	}
	for _, want := range []string{"service bad failed to build", "RUN echo \"compiling the thing\"", "error: missing semicolon", "exit code: 3"} {
		if !strings.Contains(res.Stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, res.Stderr)
		}
	}
	got := states(t, name)
	if got[name+"-fine-1"] != "running" || len(got) != 1 {
		t.Errorf("states = %v: fine should run, bad should not exist", got)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBuildTerminal: in a real terminal (a tmux pane), build's live view
// ends with one line per image, built, none wider than the pane: the
// steps show only while they run.
func TestBuildTerminal(t *testing.T) {
	requireEngine(t)
	tmux := ensureTmux(t)
	dir, name := buildProjectDir(t)
	screen := runInPane(t, tmux, dir, 80, "-p", name, "--progress", "tty", "build")
	rows := nonEmpty(screen)
	if len(rows) != 2 {
		t.Fatalf("screen has %d rows, want one per image:\n%s", len(rows), screen)
	}
	for _, s := range []string{"one", "two"} {
		found := 0
		for _, r := range rows {
			if strings.HasPrefix(r, " ✔ Image "+name+"-"+s+" ") && strings.Contains(r, "Built") && utf8.RuneCountInString(r) <= 80 {
				found++
			}
		}
		if found != 1 {
			t.Errorf("want one row saying image %s is built, within 80 columns:\n%s", s, strings.Join(rows, "\n"))
		}
	}
}
