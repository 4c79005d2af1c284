package cmd

import (
	"context"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/berth-compose/berth/convergence"
	"github.com/berth-compose/berth/engine"
)

// lsOptions are the flags of `ls`.
type lsOptions struct {
	All     bool
	Quiet   bool
	Filters []string
	Format  string
}

func newLsCommand(deps *Deps, _ *globalOptions) *cobra.Command {
	opts := &lsOptions{}
	c := &cobra.Command{
		Use:               "ls [OPTIONS]",
		Short:             "List the compose projects on the engine",
		Args:              cobra.NoArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(c *cobra.Command, _ []string) error {
			return runLs(c.Context(), deps, opts)
		},
	}
	f := c.Flags()
	f.BoolVarP(&opts.All, "all", "a", false, "Include projects whose containers are all stopped")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "Print only the project names")
	f.StringArrayVar(&opts.Filters, "filter", nil, "Show only projects that match: name=REGEXP (repeat: any may match)")
	f.StringVar(&opts.Format, "format", "table", "Output format: table or json")
	return c
}

// projectRow is one project as ls shows it; the field names are docker
// compose's JSON ones.
type projectRow struct {
	Name        string `json:"Name"`
	Status      string `json:"Status"`
	ConfigFiles string `json:"ConfigFiles"`
}

func runLs(ctx context.Context, deps *Deps, opts *lsOptions) error {
	names, err := parseNameFilters(opts.Filters)
	if err != nil {
		return err
	}
	if !opts.Quiet && !oneOf(opts.Format, "table", "json", "") {
		return fmt.Errorf("invalid --format %q: use table or json", opts.Format)
	}
	e, err := deps.Engine(ctx)
	if err != nil {
		return err
	}
	defer e.Close()
	// Containers compose made carry a config hash; a container merely
	// labelled with a project name by hand does not make a project.
	cs, err := e.ListContainers(ctx, engine.Filter{Labels: []string{convergence.LabelProject, convergence.LabelConfigHash}})
	if err != nil {
		return err
	}
	var rows []projectRow
	for _, r := range projectRows(cs, opts.All) {
		if names.match(r.Name) {
			rows = append(rows, r)
		}
	}
	switch {
	case opts.Quiet:
		for _, r := range rows {
			fmt.Fprintln(deps.Out, r.Name)
		}
		return nil
	case opts.Format == "json":
		return writeJSONLine(deps.Out, append([]projectRow{}, rows...))
	}
	return printProjects(deps.Out, rows)
}

// projectRows groups containers by project, sorted by name. Without all,
// only the containers the engine counts as up (running, paused,
// restarting) are counted, so a project with none of those is left out.
func projectRows(cs []engine.Container, all bool) []projectRow {
	byProject := map[string][]engine.Container{}
	for _, c := range cs {
		if all || isRunning(c) {
			name := c.Labels[convergence.LabelProject]
			byProject[name] = append(byProject[name], c)
		}
	}
	var rows []projectRow
	for _, name := range slices.Sorted(maps.Keys(byProject)) {
		rows = append(rows, projectRow{Name: name, Status: combinedStatus(byProject[name]), ConfigFiles: configFiles(byProject[name])})
	}
	return rows
}

// combinedStatus counts containers per state, states in alphabetical
// order: "exited(1), running(2)".
func combinedStatus(cs []engine.Container) string {
	counts := map[string]int{}
	for _, c := range cs {
		counts[string(c.State)]++
	}
	var parts []string
	for _, state := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, fmt.Sprintf("%s(%d)", state, counts[state]))
	}
	return strings.Join(parts, ", ")
}

// configFiles joins the compose files the containers were made from, each
// once, in the order first met. "N/A" when a container does not say, as
// one made by another tool may not.
func configFiles(cs []engine.Container) string {
	var files []string
	for _, c := range cs {
		label, ok := c.Labels[convergence.LabelConfigFiles]
		if !ok {
			return "N/A"
		}
		for _, f := range strings.Split(label, ",") {
			if !slices.Contains(files, f) {
				files = append(files, f)
			}
		}
	}
	return strings.Join(files, ",")
}

func printProjects(out io.Writer, rows []projectRow) error {
	w := tabwriter.NewWriter(out, 20, 1, 3, ' ', 0) // docker compose's table layout
	fmt.Fprintln(w, "NAME\tSTATUS\tCONFIG FILES")
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%s\t%s\n", r.Name, r.Status, r.ConfigFiles)
	}
	return w.Flush()
}

// nameFilters are the name=... filters of ls: a project passes when its
// name equals one of them or one of them, as a regular expression, finds
// a match in it ("web" passes "webshop"). No filter passes everything.
type nameFilters []*regexp.Regexp

func (n nameFilters) match(name string) bool {
	if len(n) == 0 {
		return true
	}
	for _, re := range n {
		if re.String() == name || re.MatchString(name) {
			return true
		}
	}
	return false
}

func parseNameFilters(filters []string) (nameFilters, error) {
	var out nameFilters
	for _, f := range filters {
		key, value, ok := strings.Cut(f, "=")
		if !ok {
			return nil, fmt.Errorf("invalid --filter %q: write it as name=VALUE", f)
		}
		if strings.ToLower(strings.TrimSpace(key)) != "name" {
			return nil, fmt.Errorf("invalid --filter %q: ls filters by name only (name=VALUE)", f)
		}
		value = strings.TrimSpace(value)
		re, err := regexp.Compile(value)
		if err != nil {
			return nil, fmt.Errorf("invalid --filter %q: the name is read as a regular expression: %w", f, err)
		}
		out = append(out, re)
	}
	return out, nil
}
