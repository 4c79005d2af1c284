package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/moby/client"
)

// contextID is the folder name the docker CLI gives a context.
func contextID(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:])
}

func contextMetaFile(name string) string {
	return filepath.Join("contexts", "meta", contextID(name), "meta.json")
}

func contextTLSFile(name, file string) string {
	return filepath.Join("contexts", "tls", contextID(name), "docker", file)
}

func contextMetaJSON(name, host string, skipVerify bool) string {
	skip := "false"
	if skipVerify {
		skip = "true"
	}
	return `{"Name":"` + name + `","Metadata":{"Description":""},"Endpoints":{"docker":{"Host":"` + host + `","SkipTLSVerify":` + skip + `}}}`
}

func TestResolveEndpoint(t *testing.T) {
	// In env, files and want, $CONF stands for the docker config folder
	// and $CERTS for a separate certificate folder, both under a temp dir.
	tests := []struct {
		name    string
		env     map[string]string
		files   map[string]string // path relative to $CONF or starting with $CERTS -> content
		want    Endpoint
		wantErr string
	}{
		{
			name: "nothing set is the platform default",
			env:  map[string]string{},
			want: Endpoint{Host: client.DefaultDockerHost, Context: "default", Source: "default"},
		},
		{
			name:  "no config file is the default",
			env:   map[string]string{"DOCKER_CONFIG": "$CONF"},
			files: map[string]string{},
			want:  Endpoint{Host: client.DefaultDockerHost, Context: "default", Source: "default"},
		},
		{
			name: "DOCKER_HOST tcp gets its default port",
			env:  map[string]string{"DOCKER_HOST": "tcp://10.0.0.1"},
			want: Endpoint{Host: "tcp://10.0.0.1:2375", Context: "default", Source: "DOCKER_HOST"},
		},
		{
			name: "DOCKER_HOST without a scheme is tcp",
			env:  map[string]string{"DOCKER_HOST": "10.0.0.1:2376"},
			want: Endpoint{Host: "tcp://10.0.0.1:2376", Context: "default", Source: "DOCKER_HOST"},
		},
		{
			name: "DOCKER_HOST tcp without a host is localhost",
			env:  map[string]string{"DOCKER_HOST": "tcp://:2375"},
			want: Endpoint{Host: "tcp://localhost:2375", Context: "default", Source: "DOCKER_HOST"},
		},
		{
			name: "DOCKER_HOST unix without a path is the default socket",
			env:  map[string]string{"DOCKER_HOST": "unix://"},
			want: Endpoint{Host: "unix:///var/run/docker.sock", Context: "default", Source: "DOCKER_HOST"},
		},
		{
			name: "DOCKER_HOST ssh is kept as is",
			env:  map[string]string{"DOCKER_HOST": "ssh://me@box"},
			want: Endpoint{Host: "ssh://me@box", Context: "default", Source: "DOCKER_HOST"},
		},
		{
			name:    "DOCKER_HOST with an unknown scheme",
			env:     map[string]string{"DOCKER_HOST": "http://box:2375"},
			wantErr: `DOCKER_HOST="http://box:2375" is not a valid engine address: unknown scheme "http"`,
		},
		{
			name: "DOCKER_HOST wins over DOCKER_CONTEXT and config",
			env:  map[string]string{"DOCKER_HOST": "unix:///run/user/1000/docker.sock", "DOCKER_CONTEXT": "remote", "DOCKER_CONFIG": "$CONF"},
			files: map[string]string{
				"config.json":             `{"currentContext":"remote"}`,
				contextMetaFile("remote"): contextMetaJSON("remote", "tcp://remote:2376", false),
			},
			want: Endpoint{Host: "unix:///run/user/1000/docker.sock", Context: "default", Source: "DOCKER_HOST"},
		},
		{
			name:  "DOCKER_CONTEXT reads the context store",
			env:   map[string]string{"DOCKER_CONTEXT": "remote", "DOCKER_CONFIG": "$CONF"},
			files: map[string]string{contextMetaFile("remote"): contextMetaJSON("remote", "tcp://remote:2376", false)},
			want:  Endpoint{Host: "tcp://remote:2376", Context: "remote", Source: `context "remote" from DOCKER_CONTEXT`},
		},
		{
			name: "DOCKER_CONTEXT wins over currentContext",
			env:  map[string]string{"DOCKER_CONTEXT": "remote", "DOCKER_CONFIG": "$CONF"},
			files: map[string]string{
				"config.json":             `{"currentContext":"other"}`,
				contextMetaFile("remote"): contextMetaJSON("remote", "tcp://remote:2376", false),
				contextMetaFile("other"):  contextMetaJSON("other", "tcp://other:2376", false),
			},
			want: Endpoint{Host: "tcp://remote:2376", Context: "remote", Source: `context "remote" from DOCKER_CONTEXT`},
		},
		{
			name: "DOCKER_CONTEXT=default ignores currentContext",
			env:  map[string]string{"DOCKER_CONTEXT": "default", "DOCKER_CONFIG": "$CONF"},
			files: map[string]string{
				"config.json":            `{"currentContext":"other"}`,
				contextMetaFile("other"): contextMetaJSON("other", "tcp://other:2376", false),
			},
			want: Endpoint{Host: client.DefaultDockerHost, Context: "default", Source: "default"},
		},
		{
			name: "currentContext from config.json under HOME",
			env:  map[string]string{"HOME": "$HOME"},
			files: map[string]string{
				".docker/config.json":                  `{"auths":{},"currentContext":"colima"}`,
				".docker/" + contextMetaFile("colima"): contextMetaJSON("colima", "unix:///home/me/.colima/default/docker.sock", false),
			},
			want: Endpoint{Host: "unix:///home/me/.colima/default/docker.sock", Context: "colima", Source: `context "colima" from $HOME/.docker/config.json`},
		},
		{
			name:  "currentContext default",
			env:   map[string]string{"DOCKER_CONFIG": "$CONF"},
			files: map[string]string{"config.json": `{"currentContext":"default"}`},
			want:  Endpoint{Host: client.DefaultDockerHost, Context: "default", Source: "default"},
		},
		{
			name:    "unknown context",
			env:     map[string]string{"DOCKER_CONTEXT": "nope", "DOCKER_CONFIG": "$CONF"},
			files:   map[string]string{},
			wantErr: `docker context "nope" (from DOCKER_CONTEXT) does not exist in $CONF/contexts; run 'docker context ls' to list contexts, or 'docker context use default'`,
		},
		{
			name:    "context without a docker endpoint",
			env:     map[string]string{"DOCKER_CONTEXT": "k8s", "DOCKER_CONFIG": "$CONF"},
			files:   map[string]string{contextMetaFile("k8s"): `{"Name":"k8s","Endpoints":{"kubernetes":{}}}`},
			wantErr: `docker context "k8s" has no docker endpoint`,
		},
		{
			name:    "malformed config.json",
			env:     map[string]string{"DOCKER_CONFIG": "$CONF"},
			files:   map[string]string{"config.json": `{"currentContext":`},
			wantErr: "reading the docker CLI config: $CONF/config.json is not valid JSON",
		},
		{
			name: "context with full TLS material",
			env:  map[string]string{"DOCKER_CONTEXT": "secure", "DOCKER_CONFIG": "$CONF"},
			files: map[string]string{
				contextMetaFile("secure"):            contextMetaJSON("secure", "tcp://secure:2376", false),
				contextTLSFile("secure", "ca.pem"):   "ca",
				contextTLSFile("secure", "cert.pem"): "cert",
				contextTLSFile("secure", "key.pem"):  "key",
			},
			want: Endpoint{Host: "tcp://secure:2376", Context: "secure", Source: `context "secure" from DOCKER_CONTEXT`, TLS: &TLSSettings{
				CAFile:   "$CONF/" + contextTLSFile("secure", "ca.pem"),
				CertFile: "$CONF/" + contextTLSFile("secure", "cert.pem"),
				KeyFile:  "$CONF/" + contextTLSFile("secure", "key.pem"),
			}},
		},
		{
			name: "context with a CA only, and a cert without its key",
			env:  map[string]string{"DOCKER_CONTEXT": "secure", "DOCKER_CONFIG": "$CONF"},
			files: map[string]string{
				contextMetaFile("secure"):            contextMetaJSON("secure", "tcp://secure:2376", false),
				contextTLSFile("secure", "ca.pem"):   "ca",
				contextTLSFile("secure", "cert.pem"): "cert",
			},
			want: Endpoint{Host: "tcp://secure:2376", Context: "secure", Source: `context "secure" from DOCKER_CONTEXT`, TLS: &TLSSettings{
				CAFile: "$CONF/" + contextTLSFile("secure", "ca.pem"),
			}},
		},
		{
			name:  "context that skips verification without material",
			env:   map[string]string{"DOCKER_CONTEXT": "lax", "DOCKER_CONFIG": "$CONF"},
			files: map[string]string{contextMetaFile("lax"): contextMetaJSON("lax", "tcp://lax:2376", true)},
			want:  Endpoint{Host: "tcp://lax:2376", Context: "lax", Source: `context "lax" from DOCKER_CONTEXT`, TLS: &TLSSettings{SkipVerify: true}},
		},
		{
			name: "context on a socket never uses TLS",
			env:  map[string]string{"DOCKER_CONTEXT": "sock", "DOCKER_CONFIG": "$CONF"},
			files: map[string]string{
				contextMetaFile("sock"):          contextMetaJSON("sock", "unix:///tmp/d.sock", true),
				contextTLSFile("sock", "ca.pem"): "ca",
			},
			want: Endpoint{Host: "unix:///tmp/d.sock", Context: "sock", Source: `context "sock" from DOCKER_CONTEXT`},
		},
		{
			name: "named context ignores the DOCKER_TLS variables",
			env:  map[string]string{"DOCKER_CONTEXT": "remote", "DOCKER_CONFIG": "$CONF", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": "$CERTS"},
			files: map[string]string{
				contextMetaFile("remote"): contextMetaJSON("remote", "tcp://remote:2375", false),
			},
			want: Endpoint{Host: "tcp://remote:2375", Context: "remote", Source: `context "remote" from DOCKER_CONTEXT`},
		},
		{
			name: "DOCKER_TLS_VERIFY without a host means localhost:2376",
			env:  map[string]string{"DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": "$CERTS"},
			files: map[string]string{
				"$CERTS/ca.pem":   "ca",
				"$CERTS/cert.pem": "cert",
				"$CERTS/key.pem":  "key",
			},
			want: Endpoint{Host: "tcp://localhost:2376", Context: "default", Source: "default", TLS: &TLSSettings{
				CAFile: "$CERTS/ca.pem", CertFile: "$CERTS/cert.pem", KeyFile: "$CERTS/key.pem",
			}},
		},
		{
			name: "DOCKER_TLS_VERIFY=0 still verifies, as in the docker CLI",
			env:  map[string]string{"DOCKER_HOST": "tcp://box:2376", "DOCKER_TLS_VERIFY": "0", "DOCKER_CERT_PATH": "$CERTS"},
			want: Endpoint{Host: "tcp://box:2376", Context: "default", Source: "DOCKER_HOST", TLS: &TLSSettings{CAFile: "$CERTS/ca.pem"}},
		},
		{
			name: "DOCKER_TLS alone encrypts without verifying",
			env:  map[string]string{"DOCKER_HOST": "tcp://box:2376", "DOCKER_TLS": "1", "DOCKER_CERT_PATH": "$CERTS"},
			want: Endpoint{Host: "tcp://box:2376", Context: "default", Source: "DOCKER_HOST", TLS: &TLSSettings{CAFile: "$CERTS/ca.pem", SkipVerify: true}},
		},
		{
			name: "DOCKER_CERT_PATH alone does not turn TLS on",
			env:  map[string]string{"DOCKER_HOST": "tcp://box:2375", "DOCKER_CERT_PATH": "$CERTS"},
			want: Endpoint{Host: "tcp://box:2375", Context: "default", Source: "DOCKER_HOST"},
		},
		{
			name:  "certificates default to the config folder",
			env:   map[string]string{"DOCKER_HOST": "tcp://box:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CONFIG": "$CONF"},
			files: map[string]string{"cert.pem": "cert", "key.pem": "key"},
			want: Endpoint{Host: "tcp://box:2376", Context: "default", Source: "DOCKER_HOST", TLS: &TLSSettings{
				CAFile: "$CONF/ca.pem", CertFile: "$CONF/cert.pem", KeyFile: "$CONF/key.pem",
			}},
		},
		{
			name: "TLS variables do not apply to a unix socket",
			env:  map[string]string{"DOCKER_HOST": "unix:///var/run/docker.sock", "DOCKER_TLS_VERIFY": "1"},
			want: Endpoint{Host: "unix:///var/run/docker.sock", Context: "default", Source: "DOCKER_HOST"},
		},
		{
			name: "DOCKER_API_VERSION pins the version",
			env:  map[string]string{"DOCKER_HOST": "unix:///d.sock", "DOCKER_API_VERSION": " 1.41 "},
			want: Endpoint{Host: "unix:///d.sock", Context: "default", Source: "DOCKER_HOST", APIVersion: "1.41"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			dirs := strings.NewReplacer(
				"$CONF", filepath.Join(base, "conf"),
				"$CERTS", filepath.Join(base, "certs"),
				"$HOME", filepath.Join(base, "home"),
			)
			for path, content := range tt.files {
				full := dirs.Replace(path)
				if !filepath.IsAbs(full) {
					root := "$CONF"
					if tt.env["HOME"] != "" {
						root = "$HOME"
					}
					full = filepath.Join(dirs.Replace(root), path)
				}
				if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(full, []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			env := func(k string) string { return dirs.Replace(tt.env[k]) }

			got, err := ResolveEndpoint(env)

			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), dirs.Replace(tt.wantErr)) {
					t.Fatalf("error = %v, want it to contain %q", err, dirs.Replace(tt.wantErr))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			want.Source = dirs.Replace(want.Source)
			if want.TLS != nil {
				w := *want.TLS
				w.CAFile, w.CertFile, w.KeyFile = dirs.Replace(w.CAFile), dirs.Replace(w.CertFile), dirs.Replace(w.KeyFile)
				want.TLS = &w
			}
			if got.Host != want.Host || got.Source != want.Source || got.Context != want.Context || got.APIVersion != want.APIVersion {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
			if (got.TLS == nil) != (want.TLS == nil) || (got.TLS != nil && *got.TLS != *want.TLS) {
				t.Errorf("TLS got %+v, want %+v", got.TLS, want.TLS)
			}
		})
	}
}
