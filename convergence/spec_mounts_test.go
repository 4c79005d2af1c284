package convergence

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/mount"

	"github.com/berth-compose/berth/engine"
)

func TestSpecVolumes(t *testing.T) {
	tests := []struct {
		name    string
		volumes string
		binds   []string // "$DIR" is the project directory
		mounts  []mount.Mount
	}{
		{
			name:    "short bind creates the host path through Binds",
			volumes: `["./data:/data", "/etc/app.conf:/etc/app.conf:ro,z"]`,
			binds:   []string{"$DIR/data:/data:rw", "/etc/app.conf:/etc/app.conf:ro,z"},
		},
		{
			name:    "named volume gets the project-prefixed name",
			volumes: `["db:/var/lib/db"]`,
			binds:   []string{"shop_db:/var/lib/db:rw"},
		},
		{
			name:    "external volume keeps its own name",
			volumes: `["ext:/ext:ro"]`,
			binds:   []string{"shared-cache:/ext:ro"},
		},
		{
			name:    "anonymous volume",
			volumes: `["/cache"]`,
			mounts:  []mount.Mount{{Type: mount.TypeVolume, Target: "/cache", VolumeOptions: &mount.VolumeOptions{}}},
		},
		{
			name:    "nocopy and subpath need the Mount API",
			volumes: `[{type: volume, source: db, target: /data, volume: {nocopy: true, subpath: sub}}]`,
			mounts: []mount.Mount{{Type: mount.TypeVolume, Source: "shop_db", Target: "/data",
				VolumeOptions: &mount.VolumeOptions{NoCopy: true, Subpath: "sub"}}},
		},
		{
			name:    "bind without create_host_path, with propagation",
			volumes: `[{type: bind, source: /srv, target: /srv, read_only: true, bind: {create_host_path: false, propagation: rshared}}]`,
			mounts: []mount.Mount{{Type: mount.TypeBind, Source: "/srv", Target: "/srv", ReadOnly: true,
				BindOptions: &mount.BindOptions{Propagation: mount.PropagationRShared}}},
		},
		{
			name:    "long bind with defaults stays a bind string",
			volumes: `[{type: bind, source: ./conf, target: /conf, bind: {selinux: Z}}]`,
			binds:   []string{"$DIR/conf:/conf:rw,Z"},
		},
		{
			name:    "tmpfs with size and mode",
			volumes: `[{type: tmpfs, target: /scratch, tmpfs: {size: 64m, mode: 01777}}]`,
			mounts: []mount.Mount{{Type: mount.TypeTmpfs, Target: "/scratch",
				TmpfsOptions: &mount.TmpfsOptions{SizeBytes: 64 << 20, Mode: 01777}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := specProject(t, `
name: shop
services:
  web: {image: x, volumes: `+tt.volumes+`}
volumes:
  db: {}
  ext: {external: true, name: shared-cache}
`)
			spec, warnings := specOf(t, p, "web", SpecOptions{})
			assertEqual(t, "warnings", warnings, []string(nil))
			var want []string
			for _, b := range tt.binds {
				want = append(want, strings.ReplaceAll(b, "$DIR", p.WorkingDir))
			}
			assertEqual(t, "binds", spec.Host.Binds, want)
			assertEqual(t, "mounts", spec.Host.Mounts, tt.mounts)
		})
	}
}

func TestSpecInheritsAnonymousVolumes(t *testing.T) {
	const old, imageVol, stale = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	p := specProject(t, `
name: shop
services:
  db: {image: postgres, volumes: [{type: volume, target: /cache, read_only: true}, "data:/data"]}
volumes:
  data: {}
`)
	inherit := []engine.Mount{
		{Type: "volume", Name: old, Destination: "/cache"},
		{Type: "volume", Name: imageVol, Destination: "/var/lib/postgresql/data"}, // the image's VOLUME
		{Type: "volume", Name: stale, Destination: "/data"},                       // now a named volume
		{Type: "tmpfs", Destination: "/run"},
	}
	tests := []struct {
		name   string
		opts   SpecOptions
		mounts []mount.Mount
	}{
		{
			name: "kept at the same place",
			opts: SpecOptions{InheritMounts: inherit},
			mounts: []mount.Mount{
				{Type: mount.TypeVolume, Source: old, Target: "/cache", ReadOnly: true},
				{Type: mount.TypeVolume, Source: imageVol, Target: "/var/lib/postgresql/data"},
			},
		},
		{
			name: "only the image's declared paths when known",
			opts: SpecOptions{InheritMounts: inherit, ImageVolumes: []string{"/other"}},
			mounts: []mount.Mount{
				{Type: mount.TypeVolume, Source: old, Target: "/cache", ReadOnly: true},
			},
		},
		{
			name: "renewed",
			opts: SpecOptions{},
			mounts: []mount.Mount{
				{Type: mount.TypeVolume, Target: "/cache", ReadOnly: true},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, _ := specOf(t, p, "db", tt.opts)
			assertEqual(t, "binds", spec.Host.Binds, []string{"shop_data:/data:rw"})
			assertEqual(t, "mounts", spec.Host.Mounts, tt.mounts)
		})
	}
}

func TestSpecSecretsAndConfigs(t *testing.T) {
	p := specProject(t, `
name: shop
services:
  web:
    image: x
    secrets: [token, {source: cert, target: tls.pem}]
    configs: [app, {source: nginx, target: /etc/nginx/nginx.conf, mode: 0440}]
secrets:
  token: {file: ./token.txt}
  cert: {file: ./cert.pem}
configs:
  app: {file: ./app.yaml}
  nginx: {file: ./nginx.conf}
`, "token.txt", "t", "cert.pem", "c", "app.yaml", "a: 1", "nginx.conf", "events {}")
	spec, warnings := specOf(t, p, "web", SpecOptions{})
	dir := p.WorkingDir
	file := func(source, target string, createOpts *mount.BindOptions) mount.Mount {
		return mount.Mount{Type: mount.TypeBind, Source: filepath.Join(dir, source), Target: target, ReadOnly: true, BindOptions: createOpts}
	}
	noCreate := &mount.BindOptions{} // a missing secret file must fail the create
	assertEqual(t, "mounts", spec.Host.Mounts, []mount.Mount{
		file("app.yaml", "/app", nil),
		file("nginx.conf", "/etc/nginx/nginx.conf", nil),
		file("cert.pem", "/run/secrets/tls.pem", noCreate),
		file("token.txt", "/run/secrets/token", noCreate),
	})
	if len(warnings) != 1 || !strings.Contains(warnings[0], "config nginx: uid, gid and mode are ignored") {
		t.Errorf("warnings = %q, want one about the config's mode", warnings)
	}
}

func TestSpecMountErrors(t *testing.T) {
	tests := []struct {
		name    string
		compose string
		api     string
		want    string
	}{
		{
			name:    "external secret",
			compose: "services: {web: {image: x, secrets: [s]}}\nsecrets: {s: {external: true}}",
			want:    "external secret",
		},
		{
			name:    "image volume before API 1.48",
			compose: "services: {web: {image: x, volumes: [{type: image, source: alpine, target: /img}]}}",
			api:     "1.47",
			want:    "needs Docker Engine 28",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := specProject(t, "name: shop\n"+tt.compose+"\n")
			_, _, err := ContainerSpecFor(p, p.Services["web"], 1, SpecOptions{APIVersion: tt.api})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestSpecImageVolume(t *testing.T) {
	p := specProject(t, "name: shop\nservices: {web: {image: x, volumes: [{type: image, source: alpine, target: /img, image: {subpath: etc}}]}}\n")
	spec, _ := specOf(t, p, "web", SpecOptions{APIVersion: "1.48"})
	assertEqual(t, "mounts", spec.Host.Mounts, []mount.Mount{
		{Type: mount.TypeImage, Source: "alpine", Target: "/img", ImageOptions: &mount.ImageOptions{Subpath: "etc"}},
	})
}
