package credentials

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// secret is the password every test here hides; no message may hold it,
// nor its base64 form.
const secret = "hunter2-Very-Secret"

// TestNoSecretInFormatting: an Auth printed by mistake, with any verb,
// shows no secret.
func TestNoSecretInFormatting(t *testing.T) {
	a := Auth{ServerAddress: "reg.example", Username: "ann", Password: secret, IdentityToken: secret + "tok", RegistryToken: secret + "reg"}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%T %v"} {
		got := fmt.Sprintf(verb, a)
		if strings.Contains(got, secret) || strings.Contains(got, fmt.Sprintf("%x", secret)) {
			t.Errorf("Sprintf(%s) = %q: holds the secret", verb, got)
		}
	}
	if got := fmt.Sprint([]Auth{a}, map[string]Auth{"k": a}, &a); strings.Contains(got, secret) {
		t.Errorf("Sprint of containers = %q: holds the secret", got)
	}
	if !strings.Contains(a.String(), "ann") || !strings.Contains(a.String(), "reg.example") {
		t.Errorf("String() = %q: want the user and registry named", a.String())
	}
}

// TestNoSecretInErrors: every way reading credentials can fail says what
// is wrong without quoting the secret.
func TestNoSecretInErrors(t *testing.T) {
	h := newHelpers()
	h.fail["broken"] = "the keychain is locked"
	tests := []struct{ name, config string }{
		{"syntax error just after the secret", `{"auths":{"r":{"password":"` + secret + `"x}}}`},
		{"secret where an object belongs", `{"auths":{"r":"` + secret + `"}}`},
		{"auth not base64", `{"auths":{"reg.example":{"auth":"` + secret + `!"}}}`},
		{"auth without a colon", `{"auths":{"reg.example":{"auth":"` + b64(secret) + `"}}}`},
		{"helper fails", `{"auths":{"reg.example":{"password":"` + secret + `"}},"credsStore":"broken"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.json")
			if err := os.WriteFile(path, []byte(tt.config), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := LoadFile(path)
			if err == nil {
				s.program = h.program
				_, err = s.Get("reg.example")
			}
			if err == nil {
				t.Fatal("want an error")
			}
			if msg := err.Error(); strings.Contains(msg, secret) || strings.Contains(msg, b64(secret)) {
				t.Errorf("error holds the secret: %s", msg)
			}
		})
	}
}
