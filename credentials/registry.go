package credentials

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/distribution/reference"
)

// IndexServer is the key the docker CLI keeps Docker Hub's credentials
// under, in config.json and in credential helpers alike.
const IndexServer = "https://index.docker.io/v1/"

// KeyForImage is the key the credentials of the registry that holds image
// ref are kept under: IndexServer for Docker Hub ("busybox",
// "docker.io/library/busybox"), else the registry's host[:port]
// ("registry.example:5000/team/app:1" gives "registry.example:5000").
func KeyForImage(ref string) (string, error) {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return "", fmt.Errorf("image %q is not a valid reference: %w", ref, err)
	}
	return KeyForHost(reference.Domain(named)), nil
}

// KeyForHost is the key of a registry named by its host[:port]: Docker
// Hub's names all map to IndexServer, as `docker login` stores it.
func KeyForHost(host string) string {
	switch strings.ToLower(host) {
	case "docker.io", "index.docker.io", "registry-1.docker.io":
		return IndexServer
	}
	return host
}

// hostname reduces a config.json key to host[:port], as the docker CLI
// compares keys: "https://registry.example:5000/v1/" and
// "registry.example:5000" name the same registry.
func hostname(key string) string {
	if strings.Contains(key, "://") {
		if u, err := url.Parse(key); err == nil && u.Host != "" {
			return u.Host
		}
	}
	host, _, _ := strings.Cut(key, "/")
	return host
}
