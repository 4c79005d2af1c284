package e2e

import (
	"strings"
	"testing"
)

// TestBuildFromPrivateRegistry: a Dockerfile FROM an image in a registry
// behind a login builds with the login of config.json, given to the
// builder over the build's session; without one the build fails with the
// registry's refusal, and no output holds the password.
func TestBuildFromPrivateRegistry(t *testing.T) {
	r := requireAuthRegistry(t)
	dir := projectDir(t, "TestBuildFromPrivateRegistry")
	name := uniqueProjectName(t)
	base, _ := seedAuth(t, r, name)
	env := []string{"BASE=" + base}
	t.Cleanup(func() { runBerth(t, dir, env, "-p", name, "down", "--rmi", "local") })

	res := runBerth(t, dir, append(env, dockerConfigDir(t, `{}`)...), "-p", name, "--progress", "plain", "build", "--no-cache")
	if res.ExitCode == 0 {
		t.Fatalf("build FROM %s without a login succeeded: %s", base, res)
	}
	res = runBerth(t, dir, append(env, dockerConfigDir(t, authsConfig(r.Addr, r.User, r.Password))...),
		"-p", name, "--progress", "plain", "build", "--no-cache")
	if res.ExitCode != 0 {
		t.Fatalf("build FROM %s with config.json's login: %s", base, res)
	}
	for _, secret := range secretsIn(r.User, r.Password) {
		if strings.Contains(res.Stdout+res.Stderr, secret) {
			t.Fatalf("the build's output holds the password (or an encoding of it): %s", res)
		}
	}
	if !exists(t, "/images/"+name+"-app/json") {
		t.Errorf("image %s-app missing after the build", name)
	}
}
