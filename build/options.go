package build

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-compose/berth/engine"
)

// options sets everything of the request beyond its context, Dockerfile
// and arguments.
func options(req *engine.BuildRequest, p *types.Project, s types.ServiceConfig, o Options) error {
	bc := s.Build
	req.Labels = map[string]string{}
	maps.Copy(req.Labels, bc.Labels)
	req.Labels[labelProject], req.Labels[labelService] = p.Name, s.Name
	if o.Version != "" {
		req.Labels[labelVersion] = o.Version
	}
	req.Target, req.Network, req.Isolation = bc.Target, bc.Network, bc.Isolation
	req.ExtraHosts = bc.ExtraHosts.AsList(":")
	req.ShmSize, req.Memory = int64(bc.ShmSize), o.Memory
	req.NoCache, req.Pull = bc.NoCache || o.NoCache, bc.Pull || o.Pull
	req.Ulimits = ulimits(bc.Ulimits)
	var err error
	if req.Platform, err = platform(p, s); err != nil {
		return err
	}
	if req.CacheFrom, err = cacheFrom(bc.CacheFrom); err != nil {
		return err
	}
	if len(bc.CacheTo) > 0 {
		return fmt.Errorf("build.cache_to needs a builder that exports caches, which the engine's own builder cannot do; remove cache_to (cache_from still works)")
	}
	if req.Secrets, err = secrets(p, bc.Secrets); err != nil {
		return err
	}
	req.SSH = sshAgents(append(slices.Clone(bc.SSH), o.SSH...))
	return nil
}

// platform is the one platform to build for: build.platforms, the
// service's platform, or DOCKER_DEFAULT_PLATFORM. The engine's image
// store keeps one platform per image, so several are refused.
func platform(p *types.Project, s types.ServiceConfig) (string, error) {
	list := s.Build.Platforms
	if len(list) > 1 {
		return "", fmt.Errorf("build.platforms lists %d platforms (%s), but this engine's image store holds one platform per image: keep one",
			len(list), strings.Join(list, ", "))
	}
	chosen := s.Platform
	if chosen == "" {
		chosen = p.Environment["DOCKER_DEFAULT_PLATFORM"]
	}
	if len(list) == 1 {
		if chosen != "" && chosen != list[0] {
			return "", fmt.Errorf("platform %s is not among build.platforms (%s): make them agree", chosen, list[0])
		}
		chosen = list[0]
	}
	if chosen != "" && strings.Count(chosen, "/") < 1 {
		return "", fmt.Errorf("invalid platform %q: use os/arch or os/arch/variant, e.g. linux/amd64", chosen)
	}
	return chosen, nil
}

// cacheFrom reads cache_from: image references, or type=registry,ref=...
// entries; caches of other types need a builder the engine's is not.
func cacheFrom(entries []string) ([]string, error) {
	var out []string
	for _, e := range entries {
		if !strings.Contains(e, "=") {
			out = append(out, e)
			continue
		}
		fields := map[string]string{}
		for _, kv := range strings.Split(e, ",") {
			k, v, _ := strings.Cut(kv, "=")
			fields[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
		if t := fields["type"]; t != "" && t != "registry" || fields["ref"] == "" {
			return nil, fmt.Errorf("build.cache_from %q: the engine's builder reads caches from images only; give an image reference or type=registry,ref=IMAGE", e)
		}
		out = append(out, fields["ref"])
	}
	return out, nil
}

// secrets resolves build.secrets against the project's secrets: a file,
// read when a step asks for it, or an environment variable.
func secrets(p *types.Project, refs []types.ServiceSecretConfig) ([]engine.BuildSecret, error) {
	var out []engine.BuildSecret
	for _, ref := range refs {
		def, ok := p.Secrets[ref.Source]
		if !ok {
			return nil, fmt.Errorf("build.secrets names %s, which the top-level secrets section does not define", ref.Source)
		}
		id := cmpOr(ref.Target, ref.Source)
		switch {
		case def.File != "":
			out = append(out, engine.BuildSecret{ID: id, File: def.File})
		case def.Environment != "":
			v, ok := p.Environment[def.Environment]
			if !ok {
				return nil, fmt.Errorf("build secret %s comes from the variable %s, which is not set", ref.Source, def.Environment)
			}
			out = append(out, engine.BuildSecret{ID: id, Value: []byte(v)})
		case def.Content != "":
			out = append(out, engine.BuildSecret{ID: id, Value: []byte(def.Content)})
		default:
			return nil, fmt.Errorf("build secret %s must come from a file or an environment variable", ref.Source)
		}
	}
	return out, nil
}

// sshAgents turns ssh entries into the session's agents: "default" with
// no path is the agent at $SSH_AUTH_SOCK. An id given twice keeps its
// last entry, so --ssh overrides the file.
func sshAgents(keys []types.SSHKey) []engine.BuildSSH {
	byID := map[string]engine.BuildSSH{}
	for _, k := range keys {
		id := cmpOr(k.ID, "default")
		a := engine.BuildSSH{ID: id}
		if k.Path != "" {
			a.Paths = []string{k.Path}
		}
		byID[id] = a
	}
	out := make([]engine.BuildSSH, 0, len(byID))
	for _, id := range slices.Sorted(maps.Keys(byID)) {
		out = append(out, byID[id])
	}
	return out
}

func ulimits(m map[string]*types.UlimitsConfig) []engine.BuildUlimit {
	var out []engine.BuildUlimit
	for _, name := range slices.Sorted(maps.Keys(m)) {
		u := m[name]
		soft, hard := int64(u.Soft), int64(u.Hard)
		if u.Single != 0 {
			soft, hard = int64(u.Single), int64(u.Single)
		}
		out = append(out, engine.BuildUlimit{Name: name, Soft: soft, Hard: hard})
	}
	return out
}

// warnings name the attributes the engine's builder cannot honour but
// that do not stop a build.
func warnings(bc *types.BuildConfig) []string {
	var out []string
	if bc.Privileged {
		out = append(out, "build.privileged has no effect: the engine's builder runs no step with extended privileges")
	}
	for name, set := range map[string]bool{
		"entitlements": len(bc.Entitlements) > 0, "no_cache_filter": len(bc.NoCacheFilter) > 0,
		"provenance": bc.Provenance != "", "sbom": bc.SBOM != "",
	} {
		if set {
			out = append(out, "build."+name+" is ignored: the engine's builder has no such option")
		}
	}
	slices.Sort(out)
	return out
}
