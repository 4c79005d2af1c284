package cmd

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/berth-compose/berth/engine/enginetest"
)

const authYAML = `
name: au
services:
  app: {image: "reg.example/team/app:1", build: .}
  db: {image: "reg.example/team/db:1"}
`

// dockerConfig writes config.json into a new folder and returns the
// environment that points berth at it.
func dockerConfig(t *testing.T, config string) []string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"DOCKER_CONFIG=" + dir, "XDG_STATE_HOME=" + t.TempDir()}
}

func authEntry(user, password string) string {
	return `{"auths":{"reg.example":{"auth":"` + base64.StdEncoding.EncodeToString([]byte(user+":"+password)) + `"}}}`
}

// TestPullPushWithLogin: config.json's login reaches the registry for
// pull, push and up alike.
func TestPullPushWithLogin(t *testing.T) {
	fake := enginetest.New().WithRegistryLogin("reg.example", "ann", "right-pw").
		WithImage("reg.example/team/app:1", "sha256:app").WithRegistryImage("reg.example/team/db:1", "sha256:db")
	dir := projectIn(t, authYAML)
	env := dockerConfig(t, authEntry("ann", "right-pw"))
	mustRun(t, fake, dir, env, "push")
	if id, ok := fake.RegistryImage("reg.example/team/app:1"); !ok || id != "sha256:app" {
		t.Errorf("registry holds %q, %v after push", id, ok)
	}
	mustRun(t, fake, dir, env, "pull", "db")
	mustRun(t, fake, dir, env, "up", "-d", "--pull", "always")
	if got := states(fake); got != "au-app-1=running au-db-1=running" {
		t.Errorf("after up: %s", got)
	}
}

// TestWrongLoginNeverShowsThePassword: a refused login fails with the
// registry's answer, in every progress mode and command, and no output
// holds the password, plain or encoded.
func TestWrongLoginNeverShowsThePassword(t *testing.T) {
	const secret = "Wrong-Secret-pw-4711"
	encoded := []string{secret, base64.StdEncoding.EncodeToString([]byte("ann:" + secret)),
		base64.URLEncoding.EncodeToString([]byte(secret)), "right-pw"}
	dir := projectIn(t, authYAML)
	env := dockerConfig(t, authEntry("ann", secret))
	for _, mode := range []string{"plain", "json", "tty", "quiet"} {
		for _, args := range [][]string{{"pull"}, {"push"}, {"up", "-d"}, {"run", "--rm", "db", "true"}, {"pull", "-q"}} {
			fake := enginetest.New().WithRegistryLogin("reg.example", "ann", "right-pw").WithImage("reg.example/team/app:1", "sha256:app")
			code, out, errOut := berthRun(t, fake, dir, env, append([]string{"--progress", mode}, args...)...)
			if code == 0 || !strings.Contains(errOut, "unauthorized: authentication required") {
				t.Errorf("--progress %s %v: exit %d, stderr:\n%s\nwant the registry's refusal", mode, args, code, errOut)
			}
			for _, s := range encoded {
				if strings.Contains(out+errOut, s) {
					t.Errorf("--progress %s %v shows a secret (%q):\n%s%s", mode, args, s, out, errOut)
				}
			}
		}
	}
}

// TestLoginFromCredentialHelper: credsStore and credHelpers run
// docker-credential-<name> from PATH, as the docker CLI does.
func TestLoginFromCredentialHelper(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in helper is a shell script")
	}
	bin := t.TempDir()
	helper := "#!/bin/sh\nread server\n[ \"$1\" = get ] && [ \"$server\" = reg.example ] && " +
		`echo '{"ServerURL":"reg.example","Username":"ann","Secret":"right-pw"}' && exit 0` +
		"\necho 'credentials not found in native keychain'\nexit 1\n"
	if err := os.WriteFile(filepath.Join(bin, "docker-credential-standin"), []byte(helper), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	dir := projectIn(t, authYAML)
	for _, config := range []string{`{"credsStore":"standin"}`, `{"credHelpers":{"reg.example":"standin"},"credsStore":"missing-helper"}`} {
		fake := enginetest.New().WithRegistryLogin("reg.example", "ann", "right-pw").WithRegistryImage("reg.example/team/db:1", "sha256:db")
		mustRun(t, fake, dir, dockerConfig(t, config), "pull", "db")
		if len(fake.Pulls()) != 1 {
			t.Errorf("%s: pulls %v", config, fake.Pulls())
		}
	}
	fake := enginetest.New()
	code, _, errOut := berthRun(t, fake, dir, dockerConfig(t, `{"credsStore":"missing-helper"}`), "pull", "db")
	if code == 0 || !strings.Contains(errOut, "docker-credential-missing-helper") || !strings.Contains(errOut, "for service db") {
		t.Errorf("a helper not on PATH: exit %d, stderr:\n%s\nwant an error naming it and the service", code, errOut)
	}
	if len(fake.Pulls()) != 0 {
		t.Errorf("pulled %v without a login", fake.Pulls())
	}
}

// TestBadConfigFileNamesIt: a config.json that is not JSON fails the pull,
// naming the file, and changes nothing.
func TestBadConfigFileNamesIt(t *testing.T) {
	fake := enginetest.New()
	env := dockerConfig(t, `{"auths": {`)
	code, _, errOut := berthRun(t, fake, projectIn(t, authYAML), env, "up", "-d", "db")
	if code == 0 || !strings.Contains(errOut, "config.json: not valid JSON") {
		t.Errorf("exit %d, stderr:\n%s", code, errOut)
	}
	if len(writes(fake)) != 0 { // the login is read before the pull reaches the engine
		t.Errorf("writes %v, want none", writes(fake))
	}
}
