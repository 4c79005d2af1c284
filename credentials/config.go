package credentials

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// configFile is the part of the docker CLI's config.json that says where
// credentials are.
type configFile struct {
	Auths       map[string]authEntry `json:"auths"`
	CredsStore  string               `json:"credsStore"`
	CredHelpers map[string]string    `json:"credHelpers"`
}

// authEntry is one entry of "auths". `docker login` writes "auth" (base64
// of user:password) or, with a helper, nothing; "username" and "password"
// are accepted too, as the docker CLI accepts them.
type authEntry struct {
	Auth          string `json:"auth"`
	Username      string `json:"username"`
	Password      string `json:"password"`
	IdentityToken string `json:"identitytoken"`
	RegistryToken string `json:"registrytoken"`
}

// ConfigDir is the folder of config.json, as the docker CLI finds it:
// $DOCKER_CONFIG, else .docker in the home folder.
func ConfigDir(getenv func(string) string) string {
	if dir := getenv("DOCKER_CONFIG"); dir != "" {
		return dir
	}
	return filepath.Join(homeDir(getenv), ".docker")
}

func homeDir(getenv func(string) string) string {
	key := "HOME"
	if runtime.GOOS == "windows" {
		key = "USERPROFILE"
	}
	if home := getenv(key); home != "" {
		return home
	}
	home, _ := os.UserHomeDir() // "" when unknown: then config.json is looked for in .docker here
	return home
}

// readConfig reads config.json at path; a missing file is an empty one:
// no login was ever made.
func readConfig(path string) (configFile, error) {
	var c configFile
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("reading registry credentials: %w", err)
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return c, fmt.Errorf("reading registry credentials from %s: %w; fix the file or move it away", path, safeJSONError(err))
	}
	return c, nil
}

// safeJSONError drops what a syntax error quotes of the file, which may be
// part of a secret, and keeps where it is.
func safeJSONError(err error) error {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return fmt.Errorf("not valid JSON at byte %d", syntax.Offset)
	}
	return err
}

// auth is the entry as credentials for key; the error names the entry,
// never its content.
func (e authEntry) auth(key string) (Auth, error) {
	a := Auth{ServerAddress: key, Username: e.Username, Password: e.Password,
		IdentityToken: e.IdentityToken, RegistryToken: e.RegistryToken}
	if e.Auth == "" {
		return a, nil
	}
	decoded, err := base64.StdEncoding.DecodeString(strings.TrimSpace(e.Auth))
	user, password, ok := strings.Cut(string(decoded), ":")
	if err != nil || !ok {
		return Auth{}, fmt.Errorf("the \"auth\" of %s is not base64 of user:password; run docker login %s again", key, hostname(key))
	}
	a.Username, a.Password = user, password
	return a, nil
}
