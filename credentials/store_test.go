package credentials

import (
	"encoding/base64"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/docker/docker-credential-helpers/client"
)

// fakeHelpers stands for docker-credential-* programs: by helper name, the
// secrets it keeps by server URL. It counts the gets each helper answers.
type fakeHelpers struct {
	mu    sync.Mutex
	kept  map[string]map[string][2]string // helper -> server -> {user, secret}
	fail  map[string]string               // helper -> what it prints when it fails
	calls map[string]int
}

func (h *fakeHelpers) program(helper string) client.ProgramFunc {
	return func(args ...string) client.Program { return &fakeProgram{h: h, helper: helper, action: args[0]} }
}

type fakeProgram struct {
	h              *fakeHelpers
	helper, action string
	in             string
}

func (p *fakeProgram) Input(in io.Reader) { b, _ := io.ReadAll(in); p.in = string(b) }

func (p *fakeProgram) Output() ([]byte, error) {
	p.h.mu.Lock()
	defer p.h.mu.Unlock()
	p.h.calls[p.helper]++
	if msg, ok := p.h.fail[p.helper]; ok {
		return []byte(msg), errors.New("exit status 1")
	}
	kept, ok := p.h.kept[p.helper][strings.TrimSpace(p.in)]
	if p.action != "get" || !ok {
		return []byte("credentials not found in native keychain\n"), errors.New("exit status 1")
	}
	return []byte(`{"ServerURL":"` + p.in + `","Username":"` + kept[0] + `","Secret":"` + kept[1] + `"}`), nil
}

func newHelpers() *fakeHelpers {
	return &fakeHelpers{kept: map[string]map[string][2]string{}, fail: map[string]string{}, calls: map[string]int{}}
}

// storeWith writes config.json and loads it with helpers standing in for
// the real programs.
func storeWith(t *testing.T, config string, h *fakeHelpers) *Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := LoadFile(path)
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	s.program = h.program
	return s
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestStoreGet(t *testing.T) {
	h := newHelpers()
	h.kept["pass"] = map[string][2]string{"reg.example:5000": {"helperuser", "helpersecret"}}
	h.kept["desktop"] = map[string][2]string{IndexServer: {"hubuser", "hubsecret"}, "tok.example": {"<token>", "idtoken"}}
	tests := []struct {
		name, config, key string
		want              Auth
	}{
		{"no file entry: anonymous", `{}`, "reg.example", Auth{ServerAddress: "reg.example"}},
		{"auth is base64 of user:password", `{"auths":{"reg.example":{"auth":"` + b64("ann:s3cr:et") + `"}}}`, "reg.example",
			Auth{ServerAddress: "reg.example", Username: "ann", Password: "s3cr:et"}},
		{"username and password fields", `{"auths":{"reg.example":{"username":"bob","password":"pw"}}}`, "reg.example",
			Auth{ServerAddress: "reg.example", Username: "bob", Password: "pw"}},
		{"auth wins over the fields", `{"auths":{"reg.example":{"auth":"` + b64("ann:a") + `","username":"bob","password":"b"}}}`, "reg.example",
			Auth{ServerAddress: "reg.example", Username: "ann", Password: "a"}},
		{"identity token", `{"auths":{"reg.example":{"identitytoken":"tok"}}}`, "reg.example",
			Auth{ServerAddress: "reg.example", IdentityToken: "tok"}},
		{"key with scheme and path names the same host", `{"auths":{"https://reg.example:5000/v1/":{"auth":"` + b64("ann:pw") + `"}}}`, "reg.example:5000",
			Auth{ServerAddress: "reg.example:5000", Username: "ann", Password: "pw"}},
		{"another port is another registry", `{"auths":{"reg.example:5001":{"auth":"` + b64("ann:pw") + `"}}}`, "reg.example:5000",
			Auth{ServerAddress: "reg.example:5000"}},
		{"credsStore answers instead of auths", `{"credsStore":"desktop","auths":{"https://index.docker.io/v1/":{"auth":"` + b64("file:pw") + `"}}}`, IndexServer,
			Auth{ServerAddress: IndexServer, Username: "hubuser", Password: "hubsecret"}},
		{"credsStore without the registry: anonymous, not auths", `{"credsStore":"desktop","auths":{"reg.example":{"auth":"` + b64("file:pw") + `"}}}`, "reg.example",
			Auth{ServerAddress: "reg.example"}},
		{"credHelpers wins over credsStore", `{"credsStore":"desktop","credHelpers":{"reg.example:5000":"pass"}}`, "reg.example:5000",
			Auth{ServerAddress: "reg.example:5000", Username: "helperuser", Password: "helpersecret"}},
		{"credHelpers of another registry leaves credsStore", `{"credsStore":"desktop","credHelpers":{"reg.example:5000":"pass"}}`, IndexServer,
			Auth{ServerAddress: IndexServer, Username: "hubuser", Password: "hubsecret"}},
		{"helper's <token> user is an identity token", `{"credsStore":"desktop"}`, "tok.example",
			Auth{ServerAddress: "tok.example", IdentityToken: "idtoken"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := storeWith(t, tt.config, h).Get(tt.key)
			if err != nil {
				t.Fatalf("Get(%s): %v", tt.key, err)
			}
			if got != tt.want {
				t.Errorf("Get(%s) = %+v, want %+v", tt.key, fields(got), fields(tt.want))
			}
		})
	}
}

// fields shows an Auth whole, for failure messages of these tests only:
// its own formatting hides the secrets on purpose.
func fields(a Auth) string {
	return strings.Join([]string{a.ServerAddress, a.Username, a.Password, a.IdentityToken, a.RegistryToken}, "|")
}

func TestStoreForImage(t *testing.T) {
	s := storeWith(t, `{"auths":{"https://index.docker.io/v1/":{"auth":"`+b64("hub:pw")+`"},"127.0.0.1:5001":{"auth":"`+b64("local:pw")+`"}}}`, newHelpers())
	tests := map[string]string{
		"busybox":                             "hub",
		"library/busybox:1.36":                "hub",
		"docker.io/library/busybox":           "hub",
		"index.docker.io/team/app":            "hub",
		"127.0.0.1:5001/berth/busybox:latest": "local",
		"127.0.0.1:5001/berth/app@sha256:" + strings.Repeat("a", 64): "local",
		"127.0.0.1:5002/berth/busybox":                               "",
		"quay.io/team/app":                                           "",
	}
	for ref, user := range tests {
		got, err := s.ForImage(ref)
		if err != nil || got.Username != user {
			t.Errorf("ForImage(%s) = user %q, %v; want user %q", ref, got.Username, err, user)
		}
	}
	if _, err := s.ForImage("Not/A:Valid:Ref"); err == nil {
		t.Error("ForImage of an invalid reference: want an error")
	}
}

func TestKeyForHost(t *testing.T) {
	for host, want := range map[string]string{
		"docker.io": IndexServer, "index.docker.io": IndexServer, "registry-1.docker.io": IndexServer,
		"Docker.IO": IndexServer, "localhost:5000": "localhost:5000", "reg.example": "reg.example",
	} {
		if got := KeyForHost(host); got != want {
			t.Errorf("KeyForHost(%s) = %s, want %s", host, got, want)
		}
	}
	for key, want := range map[string]string{
		"https://index.docker.io/v1/": "index.docker.io", "http://reg.example:5000": "reg.example:5000",
		"reg.example:5000/v2/": "reg.example:5000", "reg.example": "reg.example",
	} {
		if got := hostname(key); got != want {
			t.Errorf("hostname(%s) = %s, want %s", key, got, want)
		}
	}
}

// TestHelperRunsOncePerKey: a helper may be slow (a keychain prompt), so
// a registry's credentials are asked for once per Store.
func TestHelperRunsOncePerKey(t *testing.T) {
	h := newHelpers()
	h.kept["pass"] = map[string][2]string{"reg.example": {"u", "p"}}
	s := storeWith(t, `{"credsStore":"pass"}`, h)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if a, err := s.ForImage("reg.example/app:1"); err != nil || a.Username != "u" {
				t.Errorf("ForImage = %v, %v", a, err)
			}
		})
	}
	wg.Wait()
	if h.calls["pass"] != 1 {
		t.Errorf("the helper ran %d times, want once", h.calls["pass"])
	}
}

func TestConfigDir(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	if got := ConfigDir(env(map[string]string{"DOCKER_CONFIG": "/etc/dc", "HOME": "/home/ann", "USERPROFILE": `C:\ann`})); got != "/etc/dc" {
		t.Errorf("with DOCKER_CONFIG: %s", got)
	}
	home := env(map[string]string{"HOME": "/home/ann", "USERPROFILE": "/home/ann"})
	if got := ConfigDir(home); got != filepath.Join("/home/ann", ".docker") {
		t.Errorf("without DOCKER_CONFIG: %s", got)
	}
	s, err := Load(env(map[string]string{"DOCKER_CONFIG": t.TempDir()}))
	if err != nil {
		t.Fatalf("Load with no config.json: %v", err)
	}
	if a, err := s.Get("reg.example"); err != nil || !a.Empty() {
		t.Errorf("no config.json: want anonymous, got %v, %v", a, err)
	}
}
