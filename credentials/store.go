package credentials

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sync"

	"github.com/docker/docker-credential-helpers/client"
	helpers "github.com/docker/docker-credential-helpers/credentials"
)

// Store answers which credentials to use for a registry, from one
// config.json read once. Helper answers are kept for the Store's life, so
// a helper runs once per registry however many images come from it. It is
// safe for concurrent use.
type Store struct {
	path string
	file configFile
	// program runs a credential helper; tests replace it.
	program func(helper string) client.ProgramFunc

	mu    sync.Mutex
	cache map[string]Auth
}

// Load reads config.json from ConfigDir. A missing file gives a Store with
// no credentials: every registry is used anonymously.
func Load(getenv func(string) string) (*Store, error) {
	return LoadFile(filepath.Join(ConfigDir(getenv), "config.json"))
}

// LoadFile reads the config.json at path.
func LoadFile(path string) (*Store, error) {
	c, err := readConfig(path)
	if err != nil {
		return nil, err
	}
	return &Store{path: path, file: c, program: shellProgram, cache: map[string]Auth{}}, nil
}

// shellProgram runs docker-credential-<helper> found on PATH, as the
// docker CLI does.
func shellProgram(helper string) client.ProgramFunc {
	return client.NewShellProgramFunc("docker-credential-" + helper)
}

// ForImage is the credentials for the registry that holds image ref.
func (s *Store) ForImage(ref string) (Auth, error) {
	key, err := KeyForImage(ref)
	if err != nil {
		return Auth{}, err
	}
	return s.Get(key)
}

// Get is the credentials kept under key (see KeyForImage), looked for as
// the docker CLI looks: the helper credHelpers names for key, else the
// credsStore helper, else the "auths" entry of key, or of another key
// naming the same host. No credentials is not an error: the registry is
// then used anonymously.
func (s *Store) Get(key string) (Auth, error) {
	s.mu.Lock()
	defer s.mu.Unlock() // helpers run under the lock: each runs once per key
	if a, ok := s.cache[key]; ok {
		return a, nil
	}
	var (
		a   Auth
		err error
	)
	if helper, origin := s.helperFor(key); helper != "" {
		a, err = s.fromHelper(helper, origin, key)
	} else {
		a, err = s.fromFile(key)
	}
	if err != nil {
		return Auth{}, err
	}
	s.cache[key] = a
	return a, nil
}

// helperFor names the helper that keeps key's credentials, and the
// setting that chose it; "" when the file keeps them itself.
func (s *Store) helperFor(key string) (helper, origin string) {
	if h := s.file.CredHelpers[key]; h != "" {
		return h, "credHelpers"
	}
	if s.file.CredsStore != "" {
		return s.file.CredsStore, "credsStore"
	}
	return "", ""
}

// fromHelper asks a helper. A helper that knows nothing of key means no
// login: anonymous, as for the docker CLI.
func (s *Store) fromHelper(helper, origin, key string) (Auth, error) {
	creds, err := client.Get(s.program(helper), key)
	switch {
	case helpers.IsErrCredentialsNotFound(err):
		return Auth{ServerAddress: key}, nil
	case err != nil:
		return Auth{}, fmt.Errorf("getting the credentials of %s from docker-credential-%s (%s in %s): %w; check that the helper is on PATH and works, or run docker login %s again",
			key, helper, origin, s.path, err, hostname(key))
	}
	a := Auth{ServerAddress: key}
	// Helpers keep an identity token as the secret of the user "<token>".
	if creds.Username == "<token>" {
		a.IdentityToken = creds.Secret
	} else {
		a.Username, a.Password = creds.Username, creds.Secret
	}
	return a, nil
}

// fromFile finds key in "auths": the entry of that exact key, else one
// whose key names the same host ("https://host:5000/v1/" for "host:5000").
func (s *Store) fromFile(key string) (Auth, error) {
	if e, ok := s.file.Auths[key]; ok {
		return e.auth(key)
	}
	host := hostname(key)
	for _, k := range slices.Sorted(maps.Keys(s.file.Auths)) { // sorted: the same entry wins every time
		if e := s.file.Auths[k]; hostname(k) == host {
			a, err := e.auth(k)
			a.ServerAddress = key
			return a, err
		}
	}
	return Auth{ServerAddress: key}, nil
}
