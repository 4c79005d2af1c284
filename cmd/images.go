package cmd

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/distribution/reference"
	"github.com/spf13/cobra"

	"github.com/berth-compose/berth/convergence"
	"github.com/berth-compose/berth/engine"
)

// imagesOptions are the flags of `images`.
type imagesOptions struct {
	Format string
	Quiet  bool
}

func newImagesCommand(deps *Deps, global *globalOptions) *cobra.Command {
	opts := &imagesOptions{}
	c := &cobra.Command{
		Use:               "images [OPTIONS] [SERVICE...]",
		Short:             "List the images the project's containers were created from",
		ValidArgsFunction: completeServices(deps, global),
		RunE: func(c *cobra.Command, args []string) error {
			return runImages(c.Context(), deps, global, opts, args)
		},
	}
	f := c.Flags()
	f.StringVar(&opts.Format, "format", "table", "Output format: table or json")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "Print only the image ids")
	return c
}

// imageRow is one container's image, as images shows it.
type imageRow struct {
	Container  string
	Repository string // "" when the container names its image by id
	Tag        string
	Image      engine.Image
}

func runImages(ctx context.Context, deps *Deps, global *globalOptions, opts *imagesOptions, services []string) error {
	if !opts.Quiet && !oneOf(opts.Format, "table", "json", "") {
		return fmt.Errorf("invalid --format %q: use table or json", opts.Format)
	}
	s, err := openSessionOrByName(ctx, deps, global, services)
	if err != nil {
		return err
	}
	defer s.close()
	o, err := s.observe(ctx)
	if err != nil {
		return err
	}
	if err := requireServices(s, services); err != nil {
		return err
	}
	rows, err := imageRows(ctx, s.engine, o.Containers, services)
	if err != nil {
		return err
	}
	switch {
	case opts.Quiet:
		return printImageIDs(deps.Out, rows)
	case opts.Format == "json":
		return printImagesJSON(deps.Out, rows)
	}
	return printImagesTable(deps.Out, rows, time.Now())
}

// imageRows inspects the image of each container of the services (all
// when none is named), stopped and one-off ones included, each image
// once. Rows are in container name order.
func imageRows(ctx context.Context, e engine.Reader, cs []engine.Container, services []string) ([]imageRow, error) {
	inspected := map[string]engine.Image{}
	var rows []imageRow
	for _, c := range cs {
		if len(services) > 0 && !slices.Contains(services, c.Labels[convergence.LabelService]) {
			continue
		}
		img, ok := inspected[c.Image]
		if !ok {
			var err error
			if img, err = e.InspectImage(ctx, c.Image); err != nil {
				return nil, fmt.Errorf("the image of container %s: %w", c.Name, err)
			}
			inspected[c.Image] = img
		}
		repo, tag := splitImageRef(c.Image)
		rows = append(rows, imageRow{Container: c.Name, Repository: repo, Tag: tag, Image: img})
	}
	return rows, nil
}

// splitImageRef reads the repository, in its short form ("busybox",
// "team/app", "ghcr.io/team/app"), and the tag ("latest" when none is
// given) from the reference a container names its image by. One by id
// has neither, one by digest has no tag.
func splitImageRef(ref string) (repo, tag string) {
	if strings.HasPrefix(ref, "sha256:") {
		return "", ""
	}
	named, err := reference.ParseDockerRef(ref)
	if err != nil {
		return "", "" // a bare id
	}
	if t, ok := named.(reference.Tagged); ok {
		tag = t.Tag()
	}
	return reference.FamiliarName(named), tag
}
