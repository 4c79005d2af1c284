package engine

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"

	"github.com/moby/moby/api/types/registry"
)

// RegistryAuth is what a pull or push logs in to its registry with; the
// zero value is anonymous. The engine gets it in the X-Registry-Auth
// header and talks to the registry itself.
type RegistryAuth struct {
	ServerAddress string
	Username      string
	Password      string
	IdentityToken string
	RegistryToken string
}

// String names the registry and user only: an auth that reaches a message
// or a log must not carry its secret along.
func (a RegistryAuth) String() string {
	if a.Username != "" {
		return fmt.Sprintf("login %s at %s (hidden)", a.Username, a.ServerAddress)
	}
	return fmt.Sprintf("registry auth for %s (hidden)", a.ServerAddress)
}

// GoString and Format are String, for %#v and every other verb.
func (a RegistryAuth) GoString() string           { return a.String() }
func (a RegistryAuth) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, a.String()) }

// header encodes a as the engine wants X-Registry-Auth: base64url of the
// JSON auth config. Anonymous is "{}" encoded, not no header: engines
// before API 1.42 refuse a push without one.
func (a RegistryAuth) header() string {
	buf, err := json.Marshal(registry.AuthConfig{
		Username: a.Username, Password: a.Password, ServerAddress: a.ServerAddress,
		IdentityToken: a.IdentityToken, RegistryToken: a.RegistryToken,
	})
	if err != nil {
		return "" // strings only: Marshal cannot fail here
	}
	return base64.URLEncoding.EncodeToString(buf)
}
