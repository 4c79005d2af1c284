package stack

import (
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/mount"
)

func TestServiceSpecMounts(t *testing.T) {
	tests := []struct {
		name     string
		volumes  string // the service's volumes and tmpfs
		topLevel string // top-level volumes
		want     []mount.Mount
	}{
		{
			name:     "named volume with driver and labels",
			volumes:  "volumes: [data:/var/lib/data]",
			topLevel: "volumes: {data: {driver: local, driver_opts: {type: nfs, o: addr=10.0.0.1}, labels: {backup: daily}}}",
			want: []mount.Mount{{Type: mount.TypeVolume, Source: "shop_data", Target: "/var/lib/data", VolumeOptions: &mount.VolumeOptions{
				Labels:       map[string]string{"backup": "daily", labelNamespace: "shop"},
				DriverConfig: &mount.Driver{Name: "local", Options: map[string]string{"type": "nfs", "o": "addr=10.0.0.1"}},
			}}},
		},
		{
			name:     "named volume read-only with nocopy and service labels",
			volumes:  "volumes: [{type: volume, source: data, target: /data, read_only: true, volume: {nocopy: true, subpath: sub, labels: {role: cache}}}]",
			topLevel: "volumes: {data: {}}",
			want: []mount.Mount{{Type: mount.TypeVolume, Source: "shop_data", Target: "/data", ReadOnly: true, VolumeOptions: &mount.VolumeOptions{
				NoCopy: true, Subpath: "sub", Labels: map[string]string{"role": "cache", labelNamespace: "shop"},
			}}},
		},
		{
			name:     "external volume by its own name, without the stack's options",
			volumes:  "volumes: [shared:/shared]",
			topLevel: "volumes: {shared: {external: true, name: team-shared}}",
			want:     []mount.Mount{{Type: mount.TypeVolume, Source: "team-shared", Target: "/shared"}},
		},
		{
			name:    "anonymous volume",
			volumes: "volumes: [/cache]",
			want:    []mount.Mount{{Type: mount.TypeVolume, Target: "/cache"}},
		},
		{
			name:    "bind with propagation and recursion",
			volumes: "volumes: [{type: bind, source: /srv/www, target: /www/, read_only: true, bind: {propagation: rslave, recursive: disabled}}]",
			want: []mount.Mount{{Type: mount.TypeBind, Source: "/srv/www", Target: "/www", ReadOnly: true,
				BindOptions: &mount.BindOptions{Propagation: mount.PropagationRSlave, NonRecursive: true}}},
		},
		{
			name:    "bind read-only recursively",
			volumes: "volumes: [{type: bind, source: /srv, target: /srv, read_only: true, bind: {recursive: readonly}}]",
			want: []mount.Mount{{Type: mount.TypeBind, Source: "/srv", Target: "/srv", ReadOnly: true,
				BindOptions: &mount.BindOptions{ReadOnlyForceRecursive: true}}},
		},
		{
			name:    "tmpfs long syntax keeps the mode's bits",
			volumes: "volumes: [{type: tmpfs, target: /scratch, tmpfs: {size: 1m, mode: 01777}}]",
			want: []mount.Mount{{Type: mount.TypeTmpfs, Target: "/scratch",
				TmpfsOptions: &mount.TmpfsOptions{SizeBytes: 1 << 20, Mode: 0o1777}}},
		},
		{
			name:    "tmpfs list with size, mode and other options",
			volumes: `tmpfs: ["/run:size=64m,mode=755,noexec,uid=1000", "/tmp"]`,
			want: []mount.Mount{
				{Type: mount.TypeTmpfs, Target: "/run", TmpfsOptions: &mount.TmpfsOptions{
					SizeBytes: 64 << 20, Mode: 0o755, Options: [][]string{{"noexec"}, {"uid", "1000"}}}},
				{Type: mount.TypeTmpfs, Target: "/tmp"},
			},
		},
		{
			name:     "sorted by target across volumes and tmpfs",
			volumes:  "volumes: [data:/z, /srv:/a]\n    tmpfs: [/m]",
			topLevel: "volumes: {data: {}}",
			want: []mount.Mount{
				{Type: mount.TypeBind, Source: "/srv", Target: "/a"},
				{Type: mount.TypeTmpfs, Target: "/m"},
				{Type: mount.TypeVolume, Source: "shop_data", Target: "/z", VolumeOptions: &mount.VolumeOptions{Labels: map[string]string{labelNamespace: "shop"}}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, warnings := specOf(t, "name: shop\nservices:\n  web:\n    image: nginx\n    "+tt.volumes+"\n"+tt.topLevel+"\n", "web")
			assertWarnings(t, warnings)
			assertEqual(t, "mounts", spec.TaskTemplate.ContainerSpec.Mounts, tt.want)
		})
	}
}

func TestServiceSpecRelativeBindResolved(t *testing.T) {
	p := loadProject(t, "name: shop\nservices: {web: {image: nginx, volumes: [./html:/usr/share/nginx/html]}}\n", nil)
	spec, _, err := ServiceSpec(p, p.Services["web"], refsFor(p))
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "source", spec.TaskTemplate.ContainerSpec.Mounts[0].Source, p.WorkingDir+"/html")
}

func TestServiceSpecSELinuxWarns(t *testing.T) {
	spec, warnings := specOf(t, "name: shop\nservices: {web: {image: nginx, volumes: [/srv:/srv:z]}}\n", "web")
	assertWarnings(t, warnings, "volumes.bind.selinux")
	assertEqual(t, "bind options", spec.TaskTemplate.ContainerSpec.Mounts[0].BindOptions, (*mount.BindOptions)(nil))
}

func TestServiceSpecMountErrors(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		wants []string
	}{
		{
			name:  "bad tmpfs size",
			yaml:  `tmpfs: ["/run:size=lots"]`,
			wants: []string{`service "web": tmpfs: /run: size "lots"`},
		},
		{
			name:  "bad tmpfs mode",
			yaml:  `tmpfs: ["/run:mode=999"]`,
			wants: []string{`service "web": tmpfs: /run: mode "999" is not an octal mode`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := loadProject(t, "name: shop\nservices:\n  web:\n    image: nginx\n    "+tt.yaml+"\n", nil)
			assertErrorContains(t, specError(t, p, "web"), tt.wants...)
		})
	}
}

// Mounts compose-go never leaves: a bind still relative (a project loaded
// without path resolution), a volume the project does not define, two
// mounts at one target.
func TestServiceSpecMountSourceErrors(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(p *types.Project, s *types.ServiceConfig)
		wants []string
	}{
		{"relative bind source", func(_ *types.Project, s *types.ServiceConfig) { s.Volumes[0].Source = "srv" },
			[]string{`service "web": volumes: bind source "srv" is not an absolute path`}},
		{"undefined volume", func(p *types.Project, _ *types.ServiceConfig) { p.Volumes = nil },
			[]string{`service "web": volumes: volume "data" is not defined in the project`}},
		{"two mounts at one target", func(_ *types.Project, s *types.ServiceConfig) { s.Tmpfs = []string{"/srv/"} },
			[]string{`service "web": volumes: two mounts at /srv; keep one`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := loadProject(t, "name: shop\nservices: {web: {image: nginx, volumes: [/srv:/srv, data:/data]}}\nvolumes: {data: {}}\n", nil)
			s := p.Services["web"]
			tt.edit(p, &s)
			_, _, err := ServiceSpec(p, s, refsFor(p))
			if err == nil {
				t.Fatal("translated without error")
			}
			assertErrorContains(t, err, tt.wants...)
		})
	}
}
