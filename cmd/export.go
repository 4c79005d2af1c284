package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/berth-compose/berth/progress"
)

// exportOptions are the flags of `export`.
type exportOptions struct {
	Output string
	Index  int
}

func newExportCommand(deps *Deps, global *globalOptions) *cobra.Command {
	opts := &exportOptions{}
	c := &cobra.Command{
		Use:               "export [OPTIONS] SERVICE",
		Short:             "Write a service container's filesystem as a tar archive",
		ValidArgsFunction: completeServices(deps, global),
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return errors.New("export needs one argument, the SERVICE whose container to export: e.g. berth export -o web.tar web")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			return runExport(c.Context(), deps, global, opts, args[0])
		},
	}
	f := c.Flags()
	f.StringVarP(&opts.Output, "output", "o", "", "Write the archive to this file instead of standard output")
	f.IntVar(&opts.Index, "index", 0, "Which container of the service, when it has several (default: the first)")
	return c
}

func runExport(ctx context.Context, deps *Deps, global *globalOptions, opts *exportOptions, service string) error {
	if err := checkExportTarget(deps, opts.Output); err != nil {
		return err
	}
	s, c, err := openServiceContainer(ctx, deps, global, service, opts.Index)
	if err != nil {
		return err
	}
	defer s.close()
	s.progress.Emit(progress.Event{Kind: progress.Container, Name: c.Name, Status: progress.Working, Text: "Exporting"})
	if !global.DryRun {
		if err := exportTo(ctx, s, c.ID, opts.Output); err != nil {
			s.progress.Emit(progress.Event{Kind: progress.Container, Name: c.Name, Status: progress.Error, Text: "Error"})
			return err
		}
	}
	s.progress.Emit(progress.Event{Kind: progress.Container, Name: c.Name, Status: progress.Done, Text: "Exported"})
	return nil
}

// checkExportTarget refuses, before any engine call, what cannot work: a
// tar archive sent to a terminal (it would only garble it), a file in a
// folder that does not exist, a path that is a folder.
func checkExportTarget(deps *Deps, output string) error {
	if output == "" {
		if isTerminal(deps.Out) {
			return errors.New("refusing to write a tar archive to a terminal: give -o FILE, or redirect the output (berth export web > web.tar)")
		}
		return nil
	}
	if dir := filepath.Dir(output); dir != "" {
		if info, err := os.Stat(dir); err != nil || !info.IsDir() {
			return fmt.Errorf("invalid --output %s: folder %s does not exist", output, dir)
		}
	}
	if info, err := os.Stat(output); err == nil && info.IsDir() {
		return fmt.Errorf("invalid --output %s: it is a folder; name a file in it instead", output)
	}
	return nil
}

// exportTo streams the container's archive to standard output, or to the
// file output. A file is written under a temporary name and renamed into
// place only once complete, so a failed or interrupted export never
// leaves a truncated archive where a good one was.
func exportTo(ctx context.Context, s *session, id, output string) error {
	rc, err := s.engine.ExportContainer(ctx, id)
	if err != nil {
		return err
	}
	defer rc.Close()
	if output == "" {
		if _, err := io.Copy(s.deps.Out, rc); err != nil {
			return fmt.Errorf("exporting container %s: %w", id, err)
		}
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(output), "."+filepath.Base(output)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", output, err)
	}
	defer os.Remove(tmp.Name()) // gone once renamed; cleans up after a failure
	if _, err := io.Copy(tmp, rc); err != nil {
		tmp.Close()
		return fmt.Errorf("exporting container %s to %s: %w", id, output, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", output, err)
	}
	if err := os.Rename(tmp.Name(), output); err != nil {
		return fmt.Errorf("writing %s: %w", output, err)
	}
	return nil
}
