package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v4"

	"github.com/berth-compose/berth/convergence"
	"github.com/berth-compose/berth/project"
)

// configOptions are the flags of `config`, as in docker compose.
type configOptions struct {
	Format           string
	Output           string
	Quiet            bool
	NoInterpolate    bool
	NoNormalize      bool
	NoPathResolution bool
	NoConsistency    bool
	NoEnvResolution  bool
	Services         bool
	Volumes          bool
	Networks         bool
	Profiles         bool
	Images           bool
	Hash             string
}

func newConfigCommand(deps *Deps, global *globalOptions) *cobra.Command {
	opts := &configOptions{}
	c := &cobra.Command{
		Use:               "config [OPTIONS] [SERVICE...]",
		Short:             "Parse, resolve and render compose file in canonical format",
		ValidArgsFunction: completeServices(deps, global),
		RunE: func(c *cobra.Command, args []string) error {
			return runConfig(c.Context(), deps, global, opts, args)
		},
	}
	f := c.Flags()
	f.StringVar(&opts.Format, "format", "yaml", "Format the output. Values: [yaml | json]")
	f.StringVarP(&opts.Output, "output", "o", "", "Save to file (default to stdout)")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "Only validate the configuration, don't print anything")
	f.BoolVar(&opts.NoInterpolate, "no-interpolate", false, "Don't interpolate environment variables")
	f.BoolVar(&opts.NoNormalize, "no-normalize", false, "Don't normalize compose model")
	f.BoolVar(&opts.NoPathResolution, "no-path-resolution", false, "Don't resolve file paths")
	f.BoolVar(&opts.NoConsistency, "no-consistency", false, "Don't check model consistency - warning: may produce invalid Compose output")
	f.BoolVar(&opts.NoEnvResolution, "no-env-resolution", false, "Don't resolve service env files")
	f.BoolVar(&opts.Services, "services", false, "Print the service names, one per line.")
	f.BoolVar(&opts.Volumes, "volumes", false, "Print the volume names, one per line.")
	f.BoolVar(&opts.Networks, "networks", false, "Print the network names, one per line.")
	f.BoolVar(&opts.Profiles, "profiles", false, "Print the profile names, one per line.")
	f.BoolVar(&opts.Images, "images", false, "Print the image names, one per line.")
	f.StringVar(&opts.Hash, "hash", "", `Print the service config hash, one per line ("*" for all, or a comma-separated list).`)
	return c
}

func runConfig(ctx context.Context, deps *Deps, global *globalOptions, opts *configOptions, args []string) error {
	if opts.Format != "yaml" && opts.Format != "json" {
		return fmt.Errorf("unsupported format %q: use yaml or json", opts.Format)
	}
	lo := opts.loadOptions(global.loadOptions(deps, args))
	var (
		out []byte
		err error
	)
	switch {
	case opts.Services, opts.Volumes, opts.Networks, opts.Profiles, opts.Images, opts.Hash != "":
		out, err = configListing(ctx, deps, opts, lo)
	case opts.NoInterpolate:
		out, err = configModel(ctx, opts, lo)
	default:
		out, err = configProject(ctx, opts, lo)
	}
	if err != nil || opts.Quiet {
		return err
	}
	return writeOutput(deps, opts.Output, out)
}

func (o *configOptions) loadOptions(lo project.LoadOptions) project.LoadOptions {
	lo.NoInterpolate = o.NoInterpolate
	lo.NoNormalize = o.NoNormalize
	lo.NoPathResolution = o.NoPathResolution
	lo.NoConsistency = o.NoConsistency
	lo.DiscardEnvFiles = true
	return lo
}

// configProject renders the fully resolved project, the default output.
func configProject(ctx context.Context, opts *configOptions, lo project.LoadOptions) ([]byte, error) {
	p, err := project.Load(ctx, lo)
	if err != nil {
		return nil, err
	}
	if !opts.NoEnvResolution {
		if p, err = p.WithServicesEnvironmentResolved(true); err != nil {
			return nil, err
		}
	}
	if !opts.NoConsistency {
		if err := project.CheckContainerNames(p); err != nil {
			return nil, err
		}
	}
	if opts.Quiet {
		return nil, nil // validated; rendering would be thrown away
	}
	var out []byte
	if opts.Format == "json" {
		out, err = p.MarshalJSON()
	} else {
		out, err = p.MarshalYAML()
	}
	if err != nil {
		return nil, fmt.Errorf("rendering the project: %w", err)
	}
	// Interpolation consumed one level of `$$` escaping; restore it so the
	// output is itself a valid compose file that means the same.
	return bytes.ReplaceAll(out, []byte("$"), []byte("$$")), nil
}

// configModel renders the merged model without interpolation: the project
// cannot be typed while variables are still in it. It goes through the
// same YAML encoder as the typed project (compose-go's), so strings that
// YAML 1.1 reads as booleans ('y', 'on', 'no') are quoted alike in both.
func configModel(ctx context.Context, opts *configOptions, lo project.LoadOptions) ([]byte, error) {
	model, err := project.LoadModel(ctx, lo)
	if err != nil {
		return nil, err
	}
	if opts.Format == "json" {
		return json.MarshalIndent(model, "", "  ")
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(model); err != nil {
		return nil, fmt.Errorf("rendering the model: %w", err)
	}
	return buf.Bytes(), nil
}

// configListing answers --services, --volumes, --networks, --profiles,
// --images and --hash: one name per line.
func configListing(ctx context.Context, deps *Deps, opts *configOptions, lo project.LoadOptions) ([]byte, error) {
	// Hashes are taken after env files are read into environment, as
	// docker compose takes them; the listings need no environment at all.
	lo.NoEnvironmentResolved = opts.Hash == ""
	// Like docker compose, only --images and --profiles narrow to the
	// SERVICE arguments; the other listings describe the whole project.
	if !opts.Images && !opts.Profiles {
		lo.Services = nil
	}
	p, err := project.Load(ctx, lo)
	if err != nil {
		return nil, err
	}
	var lines []string
	switch {
	case opts.Services:
		lines, err = servicesInDependencyOrder(p)
	case opts.Volumes:
		lines = p.VolumeNames()
	case opts.Networks:
		lines = p.NetworkNames()
	case opts.Profiles:
		lines = allProfiles(p)
	case opts.Images:
		lines = imageNames(p)
	default:
		lines, err = serviceHashes(p, opts.Hash, deps.Getenv("DOCKER_DEFAULT_PLATFORM"))
	}
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return []byte(b.String()), nil
}

// servicesInDependencyOrder lists dependencies before their dependents, as
// docker compose does, so scripts can start services in that order.
func servicesInDependencyOrder(p *types.Project) ([]string, error) {
	var names []string
	err := p.ForEachService(p.ServiceNames(), func(name string, _ *types.ServiceConfig) error {
		names = append(names, name)
		return nil
	})
	return names, err
}

func allProfiles(p *types.Project) []string {
	set := map[string]bool{}
	for _, s := range p.AllServices() {
		for _, prof := range s.Profiles {
			set[prof] = true
		}
	}
	return sortedKeys(set)
}

func imageNames(p *types.Project) []string {
	var images []string
	for _, name := range p.ServiceNames() {
		images = append(images, project.ImageName(p.Name, p.Services[name]))
	}
	return images
}

// serviceHashes prints "name hash" for the services named in sel ("*" for
// all), sorted by name.
func serviceHashes(p *types.Project, sel, defaultPlatform string) ([]string, error) {
	names := p.ServiceNames()
	if sel != "*" {
		names = strings.Split(sel, ",")
	}
	sort.Strings(names)
	var lines []string
	for _, name := range names {
		s, err := p.GetService(name)
		if err != nil {
			return nil, err
		}
		if s.Platform == "" && defaultPlatform != "" {
			s.Platform = defaultPlatform
		}
		h, err := convergence.ServiceHash(s)
		if err != nil {
			return nil, err
		}
		lines = append(lines, name+" "+h)
	}
	return lines, nil
}

func sortedKeys(set map[string]bool) []string {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
