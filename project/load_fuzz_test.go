package project

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sirupsen/logrus"
)

// fuzzEnviron gives interpolation something to find, so fuzzed files reach
// past it.
var fuzzEnviron = []string{"PATH=/usr/bin:/bin", "HOME=/nonexistent", "TAG=1.0", "PORT=8080", "EMPTY="}

// fuzzSlowNodes is where fuzzing stops loading a file: compose-go spends
// tens of microseconds per expanded node, so files between this and
// maxExpandedNodes load correctly but slowly, and would only slow the fuzzer.
const fuzzSlowNodes = 20_000

// fuzzAllocPerNode bounds what loading may allocate per expanded node; the
// 200-service benchmark project takes about 21 KB a node.
const fuzzAllocPerNode = 64 << 10

// FuzzLoad loads arbitrary bytes as a project's compose.yaml and builds its
// graph. Errors are expected; a panic, a graph that loses a service, an
// alias bomb or deep nesting that gets through, or an allocation out of
// proportion to the file are not. Seeds are in testdata/fuzz/FuzzLoad.
func FuzzLoad(f *testing.F) {
	// compose-go warns through logrus about every unset variable a mutated
	// file names; that would bury the fuzzer's own output.
	saved := logrus.StandardLogger().Out
	logrus.SetOutput(io.Discard)
	f.Cleanup(func() { logrus.SetOutput(saved) })
	f.Fuzz(func(t *testing.T, data []byte) {
		var size extent
		if docs, err := parseDocuments(data); err == nil {
			size, _ = measure(docs, extent{nodes: maxExpandedNodes, depth: maxDepth})
		}
		nodes := size.nodes
		if nodes > fuzzSlowNodes && nodes <= maxExpandedNodes {
			t.Skip("large but legitimate expansion: slow to load, nothing to find")
		}
		dir := t.TempDir()
		file := filepath.Join(dir, "compose.yaml")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		opts := LoadOptions{ProjectDir: dir, ConfigPaths: []string{file}, Environ: fuzzEnviron}

		var services, graphed []string
		var err error
		allocated := allocatedBy(func() { services, graphed, err = loadAndGraph(opts) })

		budget := uint64(64<<20 + fuzzAllocPerNode*min(nodes, maxExpandedNodes))
		if allocated > budget {
			t.Fatalf("loading %d bytes (%d nodes expanded) allocated %d MB, over the %d MB budget",
				len(data), nodes, allocated>>20, budget>>20)
		}
		var bomb *AliasBombError
		if nodes > maxExpandedNodes && !errors.As(err, &bomb) {
			t.Fatalf("aliases expand to more than %d nodes, yet the error is %v", maxExpandedNodes, err)
		}
		var nesting *NestingError
		if size.depth > maxDepth && nodes <= maxExpandedNodes && !errors.As(err, &nesting) {
			t.Fatalf("nesting deeper than %d, yet the error is %v", maxDepth, err)
		}
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error with no message")
			}
			return
		}
		for _, name := range services {
			if !slices.Contains(graphed, name) {
				t.Errorf("service %q loaded but missing from the graph %v", name, graphed)
			}
		}
	})
}

// loadAndGraph loads a project and builds its graph, returning the names of
// the loaded services and of those in the graph.
func loadAndGraph(opts LoadOptions) (services, graphed []string, err error) {
	p, err := Load(context.Background(), opts)
	if err != nil {
		return nil, nil, err
	}
	g, err := NewGraph(p)
	if err != nil {
		return nil, nil, err
	}
	return p.ServiceNames(), g.Services(), nil
}
