package credentials

import (
	"fmt"
	"io"
)

// Auth is what a registry is logged in with: a user and password, or an
// identity token (what `docker login` keeps for registries that use
// OAuth), or nothing for anonymous access. ServerAddress is the key it was
// found under ("https://index.docker.io/v1/", "registry.example:5000").
type Auth struct {
	ServerAddress string
	Username      string
	Password      string
	IdentityToken string
	RegistryToken string
}

// Empty reports whether a holds no credential: the registry is used
// anonymously.
func (a Auth) Empty() bool {
	return a.Username == "" && a.Password == "" && a.IdentityToken == "" && a.RegistryToken == ""
}

// String names the registry and user, never a secret, so that an Auth
// that slips into a message or a log leaks nothing.
func (a Auth) String() string {
	switch {
	case a.Empty():
		return fmt.Sprintf("no credentials for %s", a.ServerAddress)
	case a.Username != "":
		return fmt.Sprintf("credentials of %s for %s (hidden)", a.Username, a.ServerAddress)
	}
	return fmt.Sprintf("a token for %s (hidden)", a.ServerAddress)
}

// GoString is String: %#v would otherwise print every field.
func (a Auth) GoString() string { return a.String() }

// Format is String for every verb: %d or %x of a struct would otherwise
// print its fields.
func (a Auth) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, a.String()) }
