package cmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/distribution/reference"
	"github.com/spf13/cobra"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/progress"
)

// commitOptions are the flags of `commit`.
type commitOptions struct {
	Author  string
	Changes []string
	Message string
	Pause   bool
	Index   int
}

func newCommitCommand(deps *Deps, global *globalOptions) *cobra.Command {
	opts := &commitOptions{}
	c := &cobra.Command{
		Use:               "commit [OPTIONS] SERVICE [REPOSITORY[:TAG]]",
		Short:             "Make an image of a service container's current state",
		ValidArgsFunction: completeServices(deps, global),
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) < 1 || len(args) > 2 {
				return errors.New("commit takes a SERVICE and optionally the REPOSITORY[:TAG] to name the image: e.g. berth commit web snapshot:v1")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			ref := ""
			if len(args) == 2 {
				ref = args[1]
			}
			return runCommit(c.Context(), deps, global, opts, args[0], ref)
		},
	}
	f := c.Flags()
	f.StringVarP(&opts.Author, "author", "a", "", `Author recorded in the image (e.g. "Jane Doe <jane@example.com>")`)
	f.StringArrayVarP(&opts.Changes, "change", "c", nil, `Dockerfile instruction to apply to the image, e.g. 'CMD ["sh"]' (repeatable)`)
	f.StringVarP(&opts.Message, "message", "m", "", "Message recorded in the image")
	f.BoolVarP(&opts.Pause, "pause", "p", true, "Freeze the container while its filesystem is read")
	f.IntVar(&opts.Index, "index", 0, "Which container of the service, when it has several (default: the first)")
	return c
}

// runCommit makes the image and, as docker compose, prints nothing on
// standard output: the progress line tells the new image's id.
func runCommit(ctx context.Context, deps *Deps, global *globalOptions, opts *commitOptions, service, ref string) error {
	if err := checkImageName(ref); err != nil {
		return err
	}
	s, c, err := openServiceContainer(ctx, deps, global, service, opts.Index)
	if err != nil {
		return err
	}
	defer s.close()
	s.progress.Emit(progress.Event{Kind: progress.Container, Name: c.Name, Status: progress.Working, Text: "Committing"})
	if global.DryRun {
		s.progress.Emit(progress.Event{Kind: progress.Container, Name: c.Name, Status: progress.Done, Text: "Committed"})
		return nil
	}
	id, err := s.engine.CommitContainer(ctx, c.ID, engine.CommitOptions{
		Reference: ref, Message: opts.Message, Author: opts.Author, Changes: opts.Changes, Pause: opts.Pause,
	})
	if err != nil {
		s.progress.Emit(progress.Event{Kind: progress.Container, Name: c.Name, Status: progress.Error, Text: "Error"})
		return err
	}
	s.progress.Emit(progress.Event{Kind: progress.Container, Name: c.Name, Status: progress.Done, Text: "Committed as " + id})
	return nil
}

// checkImageName refuses, before any engine call, a name the engine
// would refuse: not a valid REPOSITORY[:TAG], or one with a digest, which
// names existing content and cannot be given to a new image.
func checkImageName(ref string) error {
	if ref == "" {
		return nil
	}
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return fmt.Errorf("invalid image name %q: %w (write it as REPOSITORY[:TAG], in lower case)", ref, err)
	}
	if _, ok := named.(reference.Digested); ok {
		return fmt.Errorf("invalid image name %q: a new image cannot have a digest; give a REPOSITORY[:TAG]", ref)
	}
	return nil
}
