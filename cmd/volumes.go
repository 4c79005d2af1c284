package cmd

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/berth-compose/berth/convergence"
	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/rowformat"
)

// volumesOptions are the flags of `volumes`.
type volumesOptions struct {
	Quiet  bool
	Format string
}

func newVolumesCommand(deps *Deps, global *globalOptions) *cobra.Command {
	opts := &volumesOptions{}
	c := &cobra.Command{
		Use:               "volumes [OPTIONS] [SERVICE...]",
		Short:             "List the project's volumes",
		ValidArgsFunction: completeServices(deps, global),
		RunE: func(c *cobra.Command, args []string) error {
			return runVolumes(c.Context(), deps, global, opts, args)
		},
	}
	f := c.Flags()
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "Print only the volume names")
	f.StringVar(&opts.Format, "format", "table", `Output format: table, json, raw, a Go template, or "table TEMPLATE"`)
	return c
}

func runVolumes(ctx context.Context, deps *Deps, global *globalOptions, opts *volumesOptions, services []string) error {
	var tmpl *rowformat.Template
	if !opts.Quiet { // -q prints names only, whatever --format says
		var err error
		if tmpl, err = rowformat.Parse(volumeFormat(opts.Format)); err != nil {
			return err
		}
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
	vols := projectVolumes(o, services)
	if opts.Quiet {
		for _, v := range vols {
			fmt.Fprintln(deps.Out, v.Name)
		}
		return nil
	}
	return printVolumes(deps.Out, tmpl, vols)
}

// projectVolumes are the volumes labelled as the project's, sorted by
// name; with services, only those the services' running containers
// mount, as in docker compose.
func projectVolumes(o *convergence.Observed, services []string) []engine.Volume {
	mounted := map[string]bool{}
	for _, c := range o.Containers {
		if isRunning(c) && slices.Contains(services, c.Labels[convergence.LabelService]) {
			for _, m := range c.Mounts {
				mounted[m.Name] = true
			}
		}
	}
	var out []engine.Volume
	for _, name := range slices.Sorted(maps.Keys(o.Volumes)) {
		v := o.Volumes[name]
		if v.Labels[convergence.LabelProject] != o.Project || (len(services) > 0 && !mounted[name]) {
			continue
		}
		out = append(out, v)
	}
	return out
}

// volumeFormat maps the named formats to the docker CLI's templates for
// volumes; anything else is a template already.
func volumeFormat(format string) string {
	switch format {
	case "table", "":
		return "table {{.Driver}}\t{{.Name}}"
	case "raw":
		return `name: {{.Name}}\ndriver: {{.Driver}}\n`
	case "json":
		return "{{json .}}"
	}
	return format
}

// volumeView is one volume as a --format template sees it, with the
// docker CLI's field names; the JSON keys come out in its (alphabetical)
// order. What only a cluster volume or a usage query knows is "N/A".
type volumeView struct {
	Availability string `json:"Availability"`
	Driver       string `json:"Driver"`
	Group        string `json:"Group"`
	Labels       string `json:"Labels"`
	Links        string `json:"Links"`
	Mountpoint   string `json:"Mountpoint"`
	Name         string `json:"Name"`
	Scope        string `json:"Scope"`
	Size         string `json:"Size"`
	Status       string `json:"Status"`
	labels       map[string]string
}

// Label is the value of one label, for {{.Label "key"}}.
func (v volumeView) Label(key string) string { return v.labels[key] }

// volumeHeaders are the column titles of a volumes table.
var volumeHeaders = map[string]string{
	"Availability": "AVAILABILITY", "Driver": "DRIVER", "Group": "GROUP", "Labels": "LABELS", "Links": "LINKS",
	"Mountpoint": "MOUNTPOINT", "Name": "VOLUME NAME", "Scope": "SCOPE", "Size": "SIZE", "Status": "STATUS",
}

func printVolumes(out io.Writer, tmpl *rowformat.Template, vols []engine.Volume) error {
	rows := make([]any, 0, len(vols))
	for _, v := range vols {
		rows = append(rows, volumeView{
			Availability: "N/A", Driver: v.Driver, Group: "N/A", Labels: joinLabels(v.Labels), Links: "N/A",
			Mountpoint: v.Mountpoint, Name: v.Name, Scope: v.Scope, Size: "N/A", Status: "N/A", labels: v.Labels,
		})
	}
	return tmpl.Write(out, volumeHeaders, rows)
}

// joinLabels writes labels as key=value pairs, sorted, comma-joined.
func joinLabels(labels map[string]string) string {
	pairs := make([]string, 0, len(labels))
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		pairs = append(pairs, k+"="+labels[k])
	}
	return strings.Join(pairs, ",")
}
