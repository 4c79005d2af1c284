package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/berth-compose/berth/engine"
)

// Version is berth's version. Release builds set it with
//
//	-ldflags "-X github.com/berth-compose/berth/cmd.Version=v0.1.0"
var Version = "dev"

type versionOptions struct {
	Format string
	Short  bool
}

func newVersionCommand(deps *Deps) *cobra.Command {
	opts := versionOptions{}
	c := &cobra.Command{
		Use:   "version [OPTIONS]",
		Short: "Print berth's version and the engine's",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return runVersion(c.Context(), deps, opts)
		},
	}
	f := c.Flags()
	// No -f shorthand, unlike docker compose: berth's -f is --file everywhere.
	f.StringVar(&opts.Format, "format", "pretty", "Output format: pretty or json")
	f.BoolVar(&opts.Short, "short", false, "Print only berth's version number")
	return c
}

// versionJSON is the --format json output. Its keys are part of berth's
// interface: scripts read them.
type versionJSON struct {
	Version string             `json:"version"`
	Engine  *engineVersionJSON `json:"engine,omitempty"`
}

type engineVersionJSON struct {
	Platform             string `json:"platform,omitempty"`
	Version              string `json:"version"`
	APIVersion           string `json:"api_version"`
	MinAPIVersion        string `json:"min_api_version,omitempty"`
	NegotiatedAPIVersion string `json:"negotiated_api_version"`
	OS                   string `json:"os"`
	Arch                 string `json:"arch"`
	KernelVersion        string `json:"kernel_version,omitempty"`
	GoVersion            string `json:"go_version,omitempty"`
	GitCommit            string `json:"git_commit,omitempty"`
}

// runVersion prints berth's version first, so it shows even when no engine
// answers; the engine's error is then returned for the root to print.
func runVersion(ctx context.Context, deps *Deps, opts versionOptions) error {
	if opts.Format != "pretty" && opts.Format != "json" {
		return fmt.Errorf("invalid --format %q: use pretty or json", opts.Format)
	}
	if opts.Short {
		// Like docker compose --short: the bare number, no engine needed.
		_, err := fmt.Fprintln(deps.Out, strings.TrimPrefix(Version, "v"))
		return err
	}

	if opts.Format == "json" {
		v, engineErr := engineVersion(ctx, deps)
		out := versionJSON{Version: Version}
		if engineErr == nil {
			out.Engine = &engineVersionJSON{
				Platform:             v.Platform,
				Version:              v.Version,
				APIVersion:           v.APIVersion,
				MinAPIVersion:        v.MinAPIVersion,
				NegotiatedAPIVersion: v.NegotiatedAPIVersion,
				OS:                   v.OS,
				Arch:                 v.Arch,
				KernelVersion:        v.KernelVersion,
				GoVersion:            v.GoVersion,
				GitCommit:            v.GitCommit,
			}
		}
		if err := json.NewEncoder(deps.Out).Encode(out); err != nil {
			return err
		}
		return engineErr
	}

	if _, err := fmt.Fprintf(deps.Out, "berth version %s\n", Version); err != nil {
		return err
	}
	v, err := engineVersion(ctx, deps)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(deps.Out, "Docker Engine version %s (API version %s, berth uses %s)\n",
		v.Version, v.APIVersion, v.NegotiatedAPIVersion)
	return err
}

func engineVersion(ctx context.Context, deps *Deps) (engine.Version, error) {
	eng, err := deps.Engine(ctx)
	if err != nil {
		return engine.Version{}, err
	}
	// Nothing was changed, so a failed close costs nothing worth reporting.
	defer func() { _ = eng.Close() }()
	return eng.Version(ctx)
}
