package e2e

// Helpers for the tests of pull, push and registry logins: the harness's
// two registries (scripts/engine.sh), images put into them, and their
// request logs, which say how often the engine asked for a manifest.

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// authRegistry is the harness's registry behind basic auth.
type authRegistry struct {
	Addr, User, Password, Log string
}

// requireAuthRegistry returns the registry behind auth, failing the test
// when engine.sh did not export it.
func requireAuthRegistry(t *testing.T) authRegistry {
	t.Helper()
	requireEngine(t)
	r := authRegistry{os.Getenv("BERTH_AUTH_REGISTRY"), os.Getenv("BERTH_AUTH_USER"), os.Getenv("BERTH_AUTH_PASSWORD"), os.Getenv("BERTH_AUTH_REGISTRY_LOG")}
	if r.Addr == "" || r.User == "" || r.Password == "" || r.Log == "" {
		t.Fatal("BERTH_AUTH_REGISTRY, BERTH_AUTH_USER, BERTH_AUTH_PASSWORD or BERTH_AUTH_REGISTRY_LOG is not set; " +
			"run eval \"$(scripts/engine.sh ensure)\" first")
	}
	req, _ := http.NewRequest("GET", "http://"+r.Addr+"/v2/", nil)
	req.SetBasicAuth(r.User, r.Password)
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("the registry behind auth at %s does not take the test login: %v %v", r.Addr, err, resp)
	}
	resp.Body.Close()
	return r
}

// registryLog is the open registry's request log.
func registryLog(t *testing.T) string {
	t.Helper()
	requireRegistry(t)
	p := os.Getenv("BERTH_REGISTRY_LOG")
	if p == "" {
		t.Fatal("BERTH_REGISTRY_LOG is not set; run eval \"$(scripts/engine.sh ensure)\" first")
	}
	return p
}

// registryAuthHeader is X-Registry-Auth for a user (none: anonymous).
func registryAuthHeader(user, password string) string {
	data, _ := json.Marshal(map[string]string{"username": user, "password": password})
	return base64.URLEncoding.EncodeToString(data)
}

// engineWithHeader is engineCallBody with one more request header.
func engineWithHeader(t *testing.T, method, path, key, value string) (int, []byte) {
	t.Helper()
	ep, err := engine()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, ep.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(key, value)
	resp, err := ep.client.Do(req)
	if err != nil {
		t.Fatalf("engine %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// seedImage puts an image into a registry as repo:tag (repo starts with
// the registry's address), logged in with auth (an X-Registry-Auth value),
// and removes it from the engine again, so that pulling it is the test's
// to do. The image is busybox with a file /seed naming it: a new image,
// not busybox again.
func seedImage(t *testing.T, repo, tag, auth string) {
	t.Helper()
	ref := repo + ":" + tag
	commitImage(t, repo, tag, "echo "+ref+" > /seed")
	code, body := engineWithHeader(t, "POST", "/images/"+repo+"/push?tag="+tag, "X-Registry-Auth", auth)
	if code != 200 || strings.Contains(string(body), `"error"`) {
		t.Fatalf("pushing %s: %d %s", ref, code, body)
	}
	removeImage(t, ref)
}

// commitImage makes repo:tag from busybox after running script in it.
func commitImage(t *testing.T, repo, tag, script string) {
	t.Helper()
	code, body := dockerAPIJSON(t, "POST", "/containers/create", map[string]any{"Image": "busybox:latest", "Cmd": []string{"sh", "-c", script}})
	if code != 201 {
		t.Fatalf("creating a container to commit: %d %s", code, body)
	}
	var c struct {
		ID string `json:"Id"`
	}
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	defer dockerAPI(t, "DELETE", "/containers/"+c.ID+"?force=1")
	if code, body := dockerAPI(t, "POST", "/containers/"+c.ID+"/start"); code != 204 {
		t.Fatalf("starting it: %d %s", code, body)
	}
	if code, body := dockerAPI(t, "POST", "/containers/"+c.ID+"/wait"); code != 200 {
		t.Fatalf("waiting for it: %d %s", code, body)
	}
	if code, body := dockerAPI(t, "POST", "/commit?container="+c.ID+"&repo="+url.QueryEscape(repo)+"&tag="+tag); code != 201 {
		t.Fatalf("committing %s:%s: %d %s", repo, tag, code, body)
	}
}

// removeImage drops ref from the engine (absent is fine) and fails the
// test if it is still there.
func removeImage(t *testing.T, ref string) {
	t.Helper()
	dockerAPI(t, "DELETE", "/images/"+ref+"?force=1")
	if exists(t, "/images/"+ref+"/json") {
		t.Fatalf("%s is still on the engine", ref)
	}
}

// logSize is where a registry log ends now: counting starts after it.
func logSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// manifestRequests counts the requests for repo's manifest by tag (a
// pull's first step, which each pull makes once, by HEAD or GET) that the
// log received after offset. The registry writes a request's line as the
// response ends, so the count is read again until it settles.
func manifestRequests(t *testing.T, path string, offset int64, repo, tag string) int {
	t.Helper()
	line := regexp.MustCompile(`"(HEAD|GET) /v2/` + regexp.QuoteMeta(repo) + `/manifests/` + regexp.QuoteMeta(tag) + ` HTTP`)
	count := func() int {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.Seek(offset, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		n := 0
		for s := bufio.NewScanner(f); s.Scan(); {
			if line.MatchString(s.Text()) {
				n++
			}
		}
		return n
	}
	time.Sleep(200 * time.Millisecond) // long enough for a line still being written
	return count()
}

// closedPort is a 127.0.0.1 port nothing listens on: a registry out of
// reach.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// dockerConfigDir writes config.json into a new folder and returns the
// environment that points berth at it, with its own state folder.
func dockerConfigDir(t *testing.T, config string) []string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"DOCKER_CONFIG=" + dir, "XDG_STATE_HOME=" + t.TempDir()}
}

// authsConfig is a config.json that logs in to addr in "auths".
func authsConfig(addr, user, password string) string {
	return fmt.Sprintf(`{"auths":{%q:{"auth":%q}}}`, addr, base64.StdEncoding.EncodeToString([]byte(user+":"+password)))
}

// buildCredHelper builds testdata/credhelper as docker-credential-<name>
// in a new folder and returns that folder, for PATH.
func buildCredHelper(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(goTool(), "build", "-o", filepath.Join(dir, "docker-credential-"+name), "./testdata/credhelper")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the credential helper: %v\n%s", err, out)
	}
	return dir
}

// helperStore saves a login in the helper, through its own protocol.
func helperStore(t *testing.T, dir, name, server, user, secret string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(dir, "docker-credential-"+name), "store")
	cmd.Stdin = strings.NewReader(fmt.Sprintf(`{"ServerURL":%q,"Username":%q,"Secret":%q}`, server, user, secret))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("storing the login in the helper: %v\n%s", err, out)
	}
}
