package stack

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/swarm"
)

const filesProject = `
name: shop
services:
  web:
    image: nginx
    configs:
      - site
      - {source: site, target: etc/site.conf}
      - {source: tls, target: /etc/tls.conf, uid: "101", gid: "102", mode: 0440}
    secrets:
      - db
      - {source: db, target: db.password}
      - {source: api, target: /etc/api.key, uid: "33", mode: 0400}
configs:
  site: {file: ./site.conf}
  tls: {content: "tls on"}
secrets:
  db: {environment: DB_PASSWORD}
  api: {external: true, name: team-api-key}
`

func TestServiceSpecConfigs(t *testing.T) {
	p := loadProject(t, filesProject, []string{"DB_PASSWORD=s3cret"}, "site.conf", "listen 80;")
	spec, _, err := ServiceSpec(p, p.Services["web"], refsFor(p))
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "configs", spec.TaskTemplate.ContainerSpec.Configs, []*swarm.ConfigReference{
		{File: &swarm.ConfigReferenceFileTarget{Name: "/site", UID: "0", GID: "0", Mode: 0o444}, ConfigID: "id-site", ConfigName: "shop_site"},
		{File: &swarm.ConfigReferenceFileTarget{Name: "/etc/site.conf", UID: "0", GID: "0", Mode: 0o444}, ConfigID: "id-site", ConfigName: "shop_site"},
		{File: &swarm.ConfigReferenceFileTarget{Name: "/etc/tls.conf", UID: "101", GID: "102", Mode: 0o440}, ConfigID: "id-tls", ConfigName: "shop_tls"},
	})
}

func TestServiceSpecSecrets(t *testing.T) {
	p := loadProject(t, filesProject, []string{"DB_PASSWORD=s3cret"}, "site.conf", "listen 80;")
	spec, _, err := ServiceSpec(p, p.Services["web"], refsFor(p))
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "secrets", spec.TaskTemplate.ContainerSpec.Secrets, []*swarm.SecretReference{
		{File: &swarm.SecretReferenceFileTarget{Name: "/run/secrets/db", UID: "0", GID: "0", Mode: 0o444}, SecretID: "id-db", SecretName: "shop_db"},
		// relative: the engine puts it under /run/secrets
		{File: &swarm.SecretReferenceFileTarget{Name: "db.password", UID: "0", GID: "0", Mode: 0o444}, SecretID: "id-db", SecretName: "shop_db"},
		{File: &swarm.SecretReferenceFileTarget{Name: "/etc/api.key", UID: "33", GID: "0", Mode: 0o400}, SecretID: "id-api", SecretName: "team-api-key"},
	})
}

func TestServiceSpecFileErrors(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(p *types.Project, s *types.ServiceConfig, refs *Refs)
		wants []string
	}{
		{"config without object", func(_ *types.Project, _ *types.ServiceConfig, refs *Refs) { delete(refs.Configs, "tls") },
			[]string{`service "web": configs: config "tls" has no swarm object in this deploy`}},
		{"secret without object", func(_ *types.Project, _ *types.ServiceConfig, refs *Refs) { delete(refs.Secrets, "api") },
			[]string{`service "web": secrets: secret "api" has no swarm object in this deploy`}},
		{"undefined config", func(p *types.Project, _ *types.ServiceConfig, _ *Refs) { delete(p.Configs, "site") },
			[]string{`service "web": configs: config "site" is not defined in the project`}},
		{"undefined secret", func(p *types.Project, _ *types.ServiceConfig, _ *Refs) { delete(p.Secrets, "db") },
			[]string{`service "web": secrets: secret "db" is not defined in the project`}},
		{"named uid", func(_ *types.Project, s *types.ServiceConfig, _ *Refs) { s.Configs[2].UID = "www-data" },
			[]string{`service "web": configs: tls: uid "www-data" is not a number`}},
		{"negative gid", func(_ *types.Project, s *types.ServiceConfig, _ *Refs) { s.Secrets[2].GID = "-1" },
			[]string{`service "web": secrets: api: gid "-1" is not a number`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := loadProject(t, filesProject, []string{"DB_PASSWORD=s3cret"}, "site.conf", "listen 80;")
			s := p.Services["web"]
			refs := refsFor(p)
			tt.edit(p, &s, &refs)
			_, _, err := ServiceSpec(p, s, refs)
			if err == nil {
				t.Fatal("translated without error")
			}
			assertErrorContains(t, err, tt.wants...)
		})
	}
}

func TestObjectData(t *testing.T) {
	p := loadProject(t, `
name: shop
services:
  web: {image: nginx, configs: [file, content, env, empty, big], secrets: [env, unset, ext]}
configs:
  file: {file: ./site.conf}
  content: {content: "port $PORT"}
  env: {environment: SITE}
  empty: {environment: EMPTY}
  big: {file: ./big}
secrets:
  env: {environment: TOKEN}
  unset: {environment: NOT_SET}
  ext: {external: true, name: team-token}
`, []string{"PORT=80", "SITE=from env", "EMPTY=", "TOKEN=t0k3n"},
		"site.conf", "listen 80;", "big", strings.Repeat("x", maxConfigSize))
	config := func(key string) types.FileObjectConfig { return types.FileObjectConfig(p.Configs[key]) }
	secret := func(key string) types.FileObjectConfig { return types.FileObjectConfig(p.Secrets[key]) }
	tests := []struct {
		name, kind, key string
		object          types.FileObjectConfig
		want            string
		wantErr         string
	}{
		{"file", "config", "file", config("file"), "listen 80;", ""},
		{"content, interpolated", "config", "content", config("content"), "port 80", ""},
		{"config from environment", "config", "env", config("env"), "from env", ""},
		{"secret from environment", "secret", "env", secret("env"), "t0k3n", ""},
		{"relative file against the project", "config", "rel", types.FileObjectConfig{File: "site.conf"}, "listen 80;", ""},
		{"driver provides it", "secret", "plugin", types.FileObjectConfig{Driver: "vault"}, "", ""},
		{"unset variable", "secret", "unset", secret("unset"), "",
			`secret "unset" takes its value from the variable NOT_SET, which is not set; set it in the environment or the .env file`},
		{"external", "secret", "ext", secret("ext"), "", `secret "ext" is external: its data is the swarm's own secret "team-token"`},
		{"empty", "config", "empty", config("empty"), "", `config "empty" is empty, and the swarm stores no empty config`},
		{"too big", "config", "big", config("big"), "", `config "big" is 1024000 bytes; the swarm stores a config only under 1024000 bytes`},
		{"missing file", "config", "gone", types.FileObjectConfig{File: filepath.Join(p.WorkingDir, "gone")}, "", `config "gone": reading its file:`},
		{"nothing", "config", "none", types.FileObjectConfig{}, "", `config "none" has no file:, content: or environment:`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := ObjectData(p, tt.kind, tt.key, tt.object)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("no error; data %q", data)
				}
				assertErrorContains(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			assertEqual(t, "data", string(data), tt.want)
		})
	}
}

func TestObjectDataMissingFileIsNotExist(t *testing.T) {
	p := loadProject(t, "name: shop\nservices: {web: {image: nginx}}\n", nil)
	_, err := ObjectData(p, "config", "gone", types.FileObjectConfig{File: filepath.Join(p.WorkingDir, "gone")})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %v does not wrap the missing file's", err)
	}
}
