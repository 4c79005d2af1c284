package engine

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestProxyEnv(t *testing.T) {
	const both = `{"proxies": {
		"default": {"httpProxy": "http://proxy:3128", "noProxy": "localhost,.internal"},
		"tcp://build:2376": {"httpsProxy": "http://build-proxy:8080", "ftpProxy": "ftp://f:21", "allProxy": "socks5://s:1080"}
	}}`
	tests := []struct {
		name   string
		config string // config.json; empty means none
		host   string
		want   map[string]string
	}{
		{name: "no config file", host: "unix:///var/run/docker.sock"},
		{name: "no proxies", config: `{"currentContext": "default"}`, host: "unix:///var/run/docker.sock"},
		{
			name: "default entry", config: both, host: "unix:///var/run/docker.sock",
			want: map[string]string{
				"HTTP_PROXY": "http://proxy:3128", "http_proxy": "http://proxy:3128",
				"NO_PROXY": "localhost,.internal", "no_proxy": "localhost,.internal",
			},
		},
		{
			// The host's entry replaces the default one; nothing is merged.
			name: "host entry wins whole", config: both, host: "tcp://build:2376",
			want: map[string]string{
				"HTTPS_PROXY": "http://build-proxy:8080", "https_proxy": "http://build-proxy:8080",
				"FTP_PROXY": "ftp://f:21", "ftp_proxy": "ftp://f:21",
				"ALL_PROXY": "socks5://s:1080", "all_proxy": "socks5://s:1080",
			},
		},
		{name: "empty values are left out", config: `{"proxies": {"default": {"httpProxy": ""}}}`, host: "unix:///x.sock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.config != "" {
				if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(tt.config), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, err := ProxyEnv(envOf(map[string]string{"DOCKER_CONFIG": dir}), tt.host)
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("\n got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestProxyEnvInvalidConfig(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"proxies": `), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ProxyEnv(envOf(map[string]string{"DOCKER_CONFIG": dir}), "unix:///x.sock")
	if err == nil || !strings.Contains(err.Error(), "config.json is not valid JSON") {
		t.Fatalf("error = %v", err)
	}
}
