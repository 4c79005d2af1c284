package e2e

import (
	"encoding/base64"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// seedAuth puts a new image into the registry behind auth, under a
// repository of the test's own, and returns its reference with the tag.
func seedAuth(t *testing.T, r authRegistry, name string) (ref, repo string) {
	t.Helper()
	repo = "berth-e2e/" + name + "-app"
	seedImage(t, r.Addr+"/"+repo, "1", registryAuthHeader(r.User, r.Password))
	ref = r.Addr + "/" + repo + ":1"
	t.Cleanup(func() { dockerAPI(t, "DELETE", "/images/"+ref+"?force=1") })
	return ref, repo
}

// secretsIn lists the forms of a password that must never show: itself,
// and the encodings that carry it to the engine and in config.json.
func secretsIn(user, password string) []string {
	return []string{password,
		base64.StdEncoding.EncodeToString([]byte(user + ":" + password)),
		base64.URLEncoding.EncodeToString([]byte(`{"username":"` + user + `","password":"` + password + `"}`)),
	}
}

// TestPullAuth: pulls log in through config.json's auths and through a
// credential helper (credsStore and credHelpers); without a login, or with
// a wrong one, they fail with the registry's reason, naming the service
// and the image, and no output holds a password.
func TestPullAuth(t *testing.T) {
	r := requireAuthRegistry(t)
	dir, name := upProject(t)
	ref, repo := seedAuth(t, r, name)
	img := []string{"IMG=" + ref}
	pull := func(env []string, args ...string) Result {
		t.Helper()
		removeImage(t, ref)
		return runBerth(t, dir, append(env, img...), append([]string{"-p", name, "--progress", "plain"}, args...)...)
	}

	res := pull(dockerConfigDir(t, `{}`), "pull")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "Image "+ref+": for service app: ") || !strings.Contains(res.Stderr, "no basic auth credentials") {
		t.Errorf("pull without a login: want the registry's refusal, naming app and %s: %s", ref, res)
	}

	from := logSize(t, r.Log)
	if res := pull(dockerConfigDir(t, authsConfig(r.Addr, r.User, r.Password)), "pull"); res.ExitCode != 0 || !exists(t, "/images/"+ref+"/json") {
		t.Errorf("pull with config.json auths: %s", res)
	}
	if n := manifestRequests(t, r.Log, from, repo, "1"); n != 1 {
		t.Errorf("%d manifest requests for one pull, want 1", n)
	}

	helpers := buildCredHelper(t, "berthtest")
	helperStore(t, helpers, "berthtest", r.Addr, r.User, r.Password)
	path := "PATH=" + helpers + string(os.PathListSeparator) + os.Getenv("PATH")
	if res := pull(append(dockerConfigDir(t, `{"credsStore":"berthtest"}`), path), "pull"); res.ExitCode != 0 || !exists(t, "/images/"+ref+"/json") {
		t.Errorf("pull with a credsStore helper: %s", res)
	}
	helperConfig := `{"credHelpers":{"` + r.Addr + `":"berthtest"},"credsStore":"not-installed"}`
	if res := pull(append(dockerConfigDir(t, helperConfig), path), "up", "-d"); res.ExitCode != 0 || states(t, name)[name+"-app-1"] != "running" {
		t.Errorf("up with a credHelpers helper: %s", res)
	}
	runBerth(t, dir, img, "-p", name, "down", "-t", "0")

	// Wrong logins, every way in: none may show a password.
	const wrong = "Not-The-Password-0815"
	wrongHelpers := buildCredHelper(t, "berthwrong")
	helperStore(t, wrongHelpers, "berthwrong", r.Addr, r.User, wrong)
	wrongPath := "PATH=" + wrongHelpers + string(os.PathListSeparator) + os.Getenv("PATH")
	never := append(secretsIn(r.User, wrong), secretsIn(r.User, r.Password)...)
	for _, tc := range []struct {
		env  []string
		args []string
	}{
		{dockerConfigDir(t, authsConfig(r.Addr, r.User, wrong)), []string{"pull"}},
		{dockerConfigDir(t, authsConfig(r.Addr, r.User, wrong)), []string{"--progress", "json", "up", "-d"}},
		{append(dockerConfigDir(t, `{"credsStore":"berthwrong"}`), wrongPath), []string{"--progress", "tty", "run", "--rm", "app", "true"}},
		{dockerConfigDir(t, authsConfig(r.Addr, r.User, wrong)), []string{"pull", "-q"}},
	} {
		res := pull(tc.env, tc.args...)
		if res.ExitCode == 0 || !strings.Contains(res.Stderr, "unauthorized") || !strings.Contains(res.Stderr, "for service app") {
			t.Errorf("berth %v with a wrong password: want the registry's refusal naming app: %s", tc.args, res)
		}
		for _, s := range never {
			if strings.Contains(res.Stdout+res.Stderr, s) {
				t.Errorf("berth %v shows a password (%q): %s", tc.args, s, res)
			}
		}
	}
}

// TestPushPullRoundTrip: an image pushed with a login comes back whole by
// pull once the engine forgot it, and runs.
func TestPushPullRoundTrip(t *testing.T) {
	r := requireAuthRegistry(t)
	dir, name := upProject(t)
	repo := r.Addr + "/berth-e2e/" + name + "-app"
	ref := repo + ":1"
	t.Cleanup(func() { dockerAPI(t, "DELETE", "/images/"+ref+"?force=1") })
	commitImage(t, repo, "1", "echo round-trip-"+name+" > /marker")
	env := append(dockerConfigDir(t, authsConfig(r.Addr, r.User, r.Password)), "IMG="+ref)

	res := runBerth(t, dir, env, "-p", name, "push", "-q")
	if res.ExitCode != 0 || res.Stdout != "" || res.Stderr != "" {
		t.Fatalf("push -q: want exit 0 and no output: %s", res)
	}
	req, _ := http.NewRequest("GET", "http://"+r.Addr+"/v2/berth-e2e/"+name+"-app/manifests/1", nil)
	req.SetBasicAuth(r.User, r.Password)
	req.Header.Set("Accept", "application/vnd.docker.distribution.manifest.v2+json")
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("the registry lacks the pushed image: %v %v", err, resp)
	}
	resp.Body.Close()

	removeImage(t, ref)
	// The JSON view shows the pull's layers under the image, with bytes.
	res = runBerth(t, dir, env, "-p", name, "--progress", "json", "pull")
	if res.ExitCode != 0 || !strings.Contains(res.Stderr, `"id":"Image `+ref+`","status":"Done","text":"Pulled"`) ||
		!strings.Contains(res.Stderr, `"parent_id":"Image `+ref+`"`) || !strings.Contains(res.Stderr, `"kind":"Layer"`) {
		t.Fatalf("pull: want the image pulled and its layers shown: %s", res)
	}
	if res := runBerth(t, dir, env, "-p", name, "up", "-d"); res.ExitCode != 0 {
		t.Fatalf("up: %s", res)
	}
	cs := projectContainers(t, name)
	if len(cs) != 1 || cs[0].State.Status != "running" {
		t.Fatalf("containers = %+v, want app running", cs)
	}
	if got := strings.TrimSpace(execIn(t, cs[0].ID, "cat", "/marker")); got != "round-trip-"+name {
		t.Errorf("/marker = %q: not the image that was pushed", got)
	}
}
