package project

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// RenderOptions chooses what a graph rendering shows.
type RenderOptions struct {
	Name      string   // the project name, a title for dot and mermaid
	Services  []string // limit to these and what they depend on; empty: all
	Resources bool     // also draw the networks and volumes services use
}

// Graph formats accepted by Render.
var RenderFormats = []string{"text", "dot", "mermaid"}

// Render writes g in format ("text", "dot" or "mermaid"). Arrows point from
// a service to what it depends on, as `depends_on` reads; services come in
// start order (dependencies first) so the text form reads top-down.
func Render(w io.Writer, g *Graph, format string, opts RenderOptions) error {
	services, err := renderedServices(g, opts.Services)
	if err != nil {
		return err
	}
	var b strings.Builder
	switch format {
	case "text":
		renderText(&b, g, services, opts)
	case "dot":
		renderDOT(&b, g, services, opts)
	case "mermaid":
		renderMermaid(&b, g, services, opts)
	default:
		return fmt.Errorf("unknown graph format %q: use one of %s", format, strings.Join(RenderFormats, ", "))
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// renderedServices returns the selected services and their dependencies in
// start order.
func renderedServices(g *Graph, selected []string) ([]string, error) {
	names := g.Services()
	if len(selected) > 0 {
		for _, s := range selected {
			if _, ok := g.known[s]; !ok {
				return nil, fmt.Errorf("no such service: %q (services: %s)", s, strings.Join(names, ", "))
			}
		}
		names = g.DependencyClosure(selected...)
	}
	return g.StartOrder(names), nil
}

// StartOrder sorts names so each comes after those of its dependencies
// that are among names, the lowest ready name first. The graph is acyclic (NewGraph
// checked), so every name is placed.
func (g *Graph) StartOrder(names []string) []string {
	in := map[string]bool{}
	for _, n := range names {
		in[n] = true
	}
	sorted := slices.Sorted(slices.Values(names))
	done := map[string]bool{}
	order := make([]string, 0, len(names))
	for len(order) < len(sorted) {
		// The lowest ready name goes next, so the order reads like a stable
		// topological sort.
		for _, n := range sorted {
			if !done[n] && allDone(g.dependencyNames(n), in, done) {
				done[n] = true
				order = append(order, n)
				break
			}
		}
	}
	return order
}

func allDone(deps []string, in, done map[string]bool) bool {
	for _, d := range deps {
		if in[d] && !done[d] {
			return false
		}
	}
	return true
}

func edgeLabel(e Edge) string {
	label := e.Condition
	if e.Kind != DependsOn {
		label = e.Kind.String()
	}
	if !e.Required {
		label += ", optional"
	}
	if e.Restart {
		label += ", restart"
	}
	return label
}

func renderText(b *strings.Builder, g *Graph, services []string, opts RenderOptions) {
	for _, s := range services {
		b.WriteString(s + "\n")
		for _, e := range g.Dependencies(s) {
			fmt.Fprintf(b, "  -> %s (%s)\n", e.To, edgeLabel(e))
		}
		if opts.Resources {
			writeList(b, "networks", g.Networks(s))
			writeList(b, "volumes", g.Volumes(s))
		}
	}
}

func writeList(b *strings.Builder, what string, items []string) {
	if len(items) > 0 {
		fmt.Fprintf(b, "  %s: %s\n", what, strings.Join(items, ", "))
	}
}

func renderDOT(b *strings.Builder, g *Graph, services []string, opts RenderOptions) {
	fmt.Fprintf(b, "digraph %q {\n  rankdir=LR;\n  node [shape=box];\n", opts.Name)
	for _, s := range services {
		fmt.Fprintf(b, "  %q;\n", s)
	}
	for _, s := range services {
		for _, e := range g.Dependencies(s) {
			fmt.Fprintf(b, "  %q -> %q [label=%q];\n", e.From, e.To, edgeLabel(e))
		}
	}
	if opts.Resources {
		forEachResource(g, services, func(service, kind, name string) {
			shape := map[string]string{"network": "ellipse", "volume": "cylinder"}[kind]
			node := kind + ":" + name
			fmt.Fprintf(b, "  %q [shape=%s, label=%q];\n  %q -> %q [style=dashed, arrowhead=none];\n", node, shape, name, service, node)
		})
	}
	b.WriteString("}\n")
}

func renderMermaid(b *strings.Builder, g *Graph, services []string, opts RenderOptions) {
	// Mermaid ids cannot hold every character a service name can, so nodes
	// get positional ids and carry the name as their label.
	ids := map[string]string{}
	b.WriteString("flowchart LR\n")
	if opts.Name != "" {
		fmt.Fprintf(b, "  %%%% project %s\n", opts.Name)
	}
	for i, s := range services {
		ids[s] = fmt.Sprintf("s%d", i)
		fmt.Fprintf(b, "  %s[%q]\n", ids[s], s)
	}
	for _, s := range services {
		for _, e := range g.Dependencies(s) {
			fmt.Fprintf(b, "  %s -->|%s| %s\n", ids[e.From], edgeLabel(e), ids[e.To])
		}
	}
	if opts.Resources {
		n := 0
		seen := map[string]string{}
		forEachResource(g, services, func(service, kind, name string) {
			key := kind + ":" + name
			if _, ok := seen[key]; !ok {
				seen[key] = fmt.Sprintf("r%d", n)
				n++
				shape := map[string]string{"network": "([%q])", "volume": "[(%q)]"}[kind]
				fmt.Fprintf(b, "  %s"+shape+"\n", seen[key], kind+" "+name)
			}
			fmt.Fprintf(b, "  %s -.- %s\n", ids[service], seen[key])
		})
	}
}

// forEachResource calls fn for each (service, "network"|"volume", name) in
// a stable order.
func forEachResource(g *Graph, services []string, fn func(service, kind, name string)) {
	for _, s := range services {
		for _, n := range slices.Sorted(slices.Values(g.Networks(s))) {
			fn(s, "network", n)
		}
		for _, v := range slices.Sorted(slices.Values(g.Volumes(s))) {
			fn(s, "volume", v)
		}
	}
}
