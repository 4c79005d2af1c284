package project

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// LoadOptions says which compose files to read and how, in the terms of
// docker compose's global flags. The zero value loads like `docker compose`
// with no flags, except that Environ must be given: the loader never reads
// the process environment by itself, so tests stay hermetic.
type LoadOptions struct {
	ConfigPaths []string // -f, in order; empty means COMPOSE_FILE, then discovery
	ProjectName string   // -p
	ProjectDir  string   // --project-directory
	EnvFiles    []string // --env-file
	Profiles    []string // --profile; empty means COMPOSE_PROFILES
	Services    []string // SERVICE... arguments: enabled even outside active profiles
	Environ     []string // KEY=VALUE, the process environment

	// Stdin is what `-f -` reads; nil means os.Stdin.
	Stdin io.Reader

	NoInterpolate         bool
	NoNormalize           bool
	NoPathResolution      bool
	NoConsistency         bool
	NoEnvironmentResolved bool // keep env_file unresolved in services
	DiscardEnvFiles       bool // drop env_file once merged into environment
	AllResources          bool // keep networks/volumes no service uses
}

// Load reads a compose project the way docker compose does: same option
// order (environment, .env, COMPOSE_FILE, discovery, .env again from the
// project directory, profiles, name), then service selection and pruning of
// unused resources.
func Load(ctx context.Context, opts LoadOptions) (*types.Project, error) {
	po, err := projectOptions(opts)
	if err != nil {
		return nil, err
	}
	stdin, err := guardFiles(po, opts)
	if err != nil {
		return nil, err
	}
	var p *types.Project
	err = feedStdin(stdin, func() (err error) {
		p, err = po.LoadProject(ctx)
		return err
	})
	if err != nil {
		return nil, explainDependency(ctx, opts, stdin, explain(err, po.ConfigPaths))
	}
	return postProcess(p, opts)
}

// explainDependency replaces compose-go's "depends on undefined service"
// with the graph's own error when it says more: the dependency may exist
// but sit in a profile that is not enabled, and the fix is then a flag.
func explainDependency(ctx context.Context, opts LoadOptions, stdin []byte, err error) error {
	if opts.NoConsistency || !strings.Contains(err.Error(), "depends on undefined service") {
		return err
	}
	opts.NoConsistency = true
	po, perr := projectOptions(opts)
	if perr != nil {
		return err
	}
	var p *types.Project
	perr = feedStdin(stdin, func() (perr error) {
		p, perr = po.LoadProject(ctx)
		return perr
	})
	if perr != nil {
		return err
	}
	if _, gerr := NewGraph(p); gerr != nil {
		return gerr
	}
	return err
}

// LoadModel returns the merged but untyped model, used where the project
// cannot be typed yet, such as `config --no-interpolate`.
func LoadModel(ctx context.Context, opts LoadOptions) (map[string]any, error) {
	po, err := projectOptions(opts)
	if err != nil {
		return nil, err
	}
	stdin, err := guardFiles(po, opts)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	err = feedStdin(stdin, func() (err error) {
		m, err = po.LoadModel(ctx)
		return err
	})
	if err != nil {
		return nil, explain(err, po.ConfigPaths)
	}
	return m, nil
}

func projectOptions(opts LoadOptions) (*cli.ProjectOptions, error) {
	fns := []cli.ProjectOptionsFn{
		cli.WithInterpolation(!opts.NoInterpolate),
		cli.WithResolvedPaths(!opts.NoPathResolution),
		cli.WithNormalization(!opts.NoNormalize),
		cli.WithConsistency(!opts.NoConsistency),
		cli.WithWorkingDirectory(opts.ProjectDir),
		cli.WithEnv(opts.Environ),
	}
	if opts.DiscardEnvFiles {
		fns = append(fns, cli.WithDiscardEnvFile)
	}
	if opts.NoEnvironmentResolved {
		fns = append(fns, cli.WithoutEnvironmentResolution)
	}
	if !hasEnv(opts.Environ, "PWD") {
		if wd, err := os.Getwd(); err == nil {
			fns = append(fns, cli.WithEnv([]string{"PWD=" + wd}))
		}
	}
	fns = append(fns,
		cli.WithEnvFiles(opts.EnvFiles...),
		cli.WithDotEnv,
		cli.WithConfigFileEnv,
		cli.WithDefaultConfigPath,
		requireConfigFile,
		// A --project-directory other than the working directory has its own
		// .env, so it is read again once the directory is known.
		cli.WithEnvFiles(opts.EnvFiles...),
		cli.WithDotEnv,
		cli.WithDefaultProfiles(opts.Profiles...),
		withName(opts.ProjectName),
	)
	return cli.NewProjectOptions(opts.ConfigPaths, fns...)
}

// requireConfigFile turns "nothing found" into an error that says what was
// searched and where, instead of compose-go's terse one.
func requireConfigFile(o *cli.ProjectOptions) error {
	if len(o.ConfigPaths) > 0 {
		return nil
	}
	dir, err := o.GetWorkingDir()
	if err != nil {
		return err
	}
	return &NoConfigFileError{Dir: dir, Names: cli.DefaultFileNames}
}

// NoConfigFileError says no compose file was found by discovery.
type NoConfigFileError struct {
	Dir   string
	Names []string
}

func (e *NoConfigFileError) Error() string {
	return fmt.Sprintf("no configuration file provided: not found: no compose file found in %s or any parent directory (looked for %s); "+
		"create one, or name it with -f or COMPOSE_FILE", e.Dir, strings.Join(e.Names, ", "))
}

func withName(name string) cli.ProjectOptionsFn {
	inner := cli.WithName(name)
	return func(o *cli.ProjectOptions) error {
		if err := inner(o); err != nil {
			return fmt.Errorf("%w; pass a valid name with -p or COMPOSE_PROJECT_NAME", err)
		}
		return nil
	}
}

func hasEnv(environ []string, key string) bool {
	for _, kv := range environ {
		if k, _, _ := strings.Cut(kv, "="); k == key {
			return true
		}
	}
	return false
}

// postProcess does what docker compose does after loading: enable the
// services named on the command line, keep only those (and their
// dependencies) when some were named, and drop resources no service uses.
func postProcess(p *types.Project, opts LoadOptions) (*types.Project, error) {
	if p.Name == "" {
		return nil, errors.New("project name can't be empty: set it with -p, COMPOSE_PROJECT_NAME or a top-level name")
	}
	p, err := p.WithServicesEnabled(opts.Services...)
	if err != nil {
		return nil, err
	}
	p, err = p.WithSelectedServices(opts.Services)
	if err != nil {
		return nil, err
	}
	if !opts.AllResources {
		p = p.WithoutUnnecessaryResources()
	}
	return p, nil
}
