package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// proxySettings is one entry of "proxies" in the docker CLI's config.json.
type proxySettings struct {
	HTTPProxy  string `json:"httpProxy"`
	HTTPSProxy string `json:"httpsProxy"`
	NoProxy    string `json:"noProxy"`
	FTPProxy   string `json:"ftpProxy"`
	AllProxy   string `json:"allProxy"`
}

// ProxyEnv is the environment the docker CLI's config.json ("proxies")
// gives every container created on the engine at host: HTTP_PROXY and
// http_proxy and so on, for each setting that is not empty. The entry keyed
// by host replaces the "default" one as a whole, as in the docker CLI. No
// config file, or no proxies in it, is nil. Callers let the service's own
// environment win over these.
func ProxyEnv(env func(string) string, host string) (map[string]string, error) {
	dir := configDir(env)
	if dir == "" {
		return nil, nil
	}
	path := filepath.Join(dir, "config.json")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading proxy settings from the docker CLI config: %w", err)
	}
	var cfg struct {
		Proxies map[string]proxySettings `json:"proxies"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("reading proxy settings: %s is not valid JSON: %w", path, err)
	}
	settings, ok := cfg.Proxies[host]
	if !ok {
		settings = cfg.Proxies["default"]
	}
	out := map[string]string{}
	for name, value := range map[string]string{
		"HTTP_PROXY":  settings.HTTPProxy,
		"HTTPS_PROXY": settings.HTTPSProxy,
		"NO_PROXY":    settings.NoProxy,
		"FTP_PROXY":   settings.FTPProxy,
		"ALL_PROXY":   settings.AllProxy,
	} {
		if value != "" {
			// Both spellings: tools disagree on which one they read.
			out[name] = value
			out[strings.ToLower(name)] = value
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}
