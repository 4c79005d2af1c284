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
		Short:             "Print the project as berth resolves it: files merged, variables filled in, paths made absolute",
		ValidArgsFunction: completeServices(deps, global),
		RunE: func(c *cobra.Command, args []string) error {
			return runConfig(c.Context(), deps, global, opts, args)
		},
	}
	f := c.Flags()
	f.StringVar(&opts.Format, "format", "yaml", "Output format: yaml or json")
	f.StringVarP(&opts.Output, "output", "o", "", "Write the output to this file instead of stdout")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "Check the project and print nothing; the exit code tells")
	f.BoolVar(&opts.NoInterpolate, "no-interpolate", false, "Leave ${VARIABLES} as written")
	f.BoolVar(&opts.NoNormalize, "no-normalize", false, "Print the model without the defaults berth adds (default network, names)")
	f.BoolVar(&opts.NoPathResolution, "no-path-resolution", false, "Leave relative paths relative")
	f.BoolVar(&opts.NoConsistency, "no-consistency", false, "Skip the cross-reference checks (the output may not load again)")
	f.BoolVar(&opts.NoEnvResolution, "no-env-resolution", false, "Keep env_file entries instead of reading them into environment")
	f.BoolVar(&opts.Services, "services", false, "List the services, dependencies first")
	f.BoolVar(&opts.Volumes, "volumes", false, "List the volume names")
	f.BoolVar(&opts.Networks, "networks", false, "List the network names")
	f.BoolVar(&opts.Profiles, "profiles", false, "List the profiles the services name")
	f.BoolVar(&opts.Images, "images", false, "List the image each service runs")
	f.StringVar(&opts.Hash, "hash", "", `Print each named service's config hash, the value of its com.docker.compose.config-hash label ("*" for every service, or names separated by commas)`)
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
