package cmd

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

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
// given) from a reference. A reference by id has neither; one by digest
// only has no tag.
func splitImageRef(ref string) (repo, tag string) {
	if strings.HasPrefix(ref, "sha256:") || isImageID(ref) {
		return "", ""
	}
	name, _, hasDigest := strings.Cut(ref, "@")
	if i := strings.LastIndex(name, ":"); i >= 0 && !strings.Contains(name[i:], "/") {
		name, tag = name[:i], name[i+1:]
	} else if !hasDigest {
		tag = "latest"
	}
	return shortRepository(name), tag
}

// shortRepository drops what the engine assumes by default: Docker Hub,
// and its library/ namespace for official images.
func shortRepository(name string) string {
	for _, hub := range []string{"docker.io/", "index.docker.io/"} {
		if rest, ok := strings.CutPrefix(name, hub); ok {
			name = rest
			break
		}
	}
	if rest, ok := strings.CutPrefix(name, "library/"); ok && !strings.Contains(rest, "/") {
		return rest
	}
	return name
}

// isImageID reports whether ref is a bare image id: 64 hex digits.
func isImageID(ref string) bool {
	return len(ref) == 64 && strings.Trim(ref, "0123456789abcdef") == ""
}
