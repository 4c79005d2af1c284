package project

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/template"
	yamlv4 "go.yaml.in/yaml/v4"
)

// maxExpandedNodes bounds how many YAML nodes one compose file may stand for
// once its aliases are expanded. A 200-service project is a few thousand
// nodes; compose-go itself refuses files past 100,000 distinct nodes. Past
// this bound the file is an alias bomb: a few hundred bytes whose nested
// aliases expand into billions of nodes, which compose-go's decoder would try
// to allocate until the kernel kills the process.
const maxExpandedNodes = 1_000_000

// maxDepth bounds how deeply a compose file's YAML nests, aliases
// expanded. Real files nest about ten levels. compose-go's cost grows with
// depth times size (it matches each node's full path against its rules), so
// 20 KB of brackets nested 10,000 deep would keep it busy for minutes.
const maxDepth = 256

// NestingError says a compose file nests deeper than maxDepth.
type NestingError struct {
	File  string
	Limit int
}

func (e *NestingError) Error() string {
	return fmt.Sprintf("%s: YAML nests more than %d levels deep, which no compose file needs: refusing to load it", e.File, e.Limit)
}

// AliasBombError says a compose file's aliases expand past maxExpandedNodes.
type AliasBombError struct {
	File  string
	Limit int
}

func (e *AliasBombError) Error() string {
	return fmt.Sprintf("%s: YAML aliases expand to more than %d nodes; this looks like an alias bomb, not a compose file "+
		"(aliases inside anchored lists or maps multiply at each level): refusing to load it", e.File, e.Limit)
}

// AliasCycleError says a YAML anchor's value holds an alias to the anchor.
type AliasCycleError struct {
	File   string
	Line   int
	Anchor string
}

func (e *AliasCycleError) Error() string {
	return fmt.Sprintf("%s:%d: anchor &%s holds an alias to itself, which never ends: remove the *%s inside it",
		e.File, e.Line, e.Anchor, e.Anchor)
}

// SpecialFileError says an include or extends target is a device, pipe or
// socket: compose-go would read it to the end, and /dev/zero never ends.
type SpecialFileError struct {
	File string // the file that names it
	Path string
}

func (e *SpecialFileError) Error() string {
	return fmt.Sprintf("%s: %s is not a regular file; include and extends can only name compose files", e.File, e.Path)
}

// aliasGuard scans every compose file a load will parse, before compose-go
// does, so a hostile file (compose files from pull requests run in CI) fails
// with an error instead of exhausting memory. compose-go has no hook that
// sees file content before decoding, so the scan follows include and
// extends.file itself.
type aliasGuard struct {
	limits extent
	// lookup interpolates include and extends paths as compose-go will;
	// nil leaves them as written (--no-interpolate).
	lookup template.Mapping
	seen   map[string]bool // absolute paths already scanned: includes can form cycles
}

func newAliasGuard(lookup template.Mapping) *aliasGuard {
	return &aliasGuard{limits: extent{nodes: maxExpandedNodes, depth: maxDepth}, lookup: lookup, seen: map[string]bool{}}
}

// checkFile scans the compose file at path, then the files it includes or
// extends. bases are the folders compose-go may resolve those against: the
// project's working directory for top-level files, the including file's
// folder below that.
func (g *aliasGuard) checkFile(path string, bases []string) error {
	abs, err := filepath.Abs(path)
	if err != nil || g.seen[abs] {
		return nil
	}
	g.seen[abs] = true
	data, err := os.ReadFile(abs)
	if err != nil {
		return nil // compose-go reports unreadable files in its own words
	}
	return g.check(path, data, appendUnique(bases, filepath.Dir(abs)))
}

// check scans one file's content, named file in errors.
func (g *aliasGuard) check(file string, data []byte, bases []string) error {
	docs, err := parseDocuments(data)
	if err != nil {
		return nil // invalid YAML: compose-go's error, explained by explain, says where
	}
	x, seen := measure(docs, g.limits)
	if x.nodes > g.limits.nodes && seen.aliases {
		return &AliasBombError{File: file, Limit: g.limits.nodes}
	}
	if seen.cycle != nil {
		return &AliasCycleError{File: file, Line: seen.cycle.Line, Anchor: seen.cycle.Anchor}
	}
	if x.depth > g.limits.depth {
		return &NestingError{File: file, Limit: g.limits.depth}
	}
	for _, d := range docs {
		for _, ref := range references(d) {
			if err := g.checkReference(file, ref, bases); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkReference scans the file an include or extends entry names, if it
// can be found locally; remote and unresolvable ones are left to compose-go.
func (g *aliasGuard) checkReference(from string, ref reference, bases []string) error {
	path, ok := g.interpolate(ref.path)
	if !ok || path == "" {
		return nil
	}
	for _, target := range candidates(path, bases) {
		fi, err := os.Stat(target)
		if err != nil || fi.IsDir() {
			continue
		}
		if !fi.Mode().IsRegular() {
			return &SpecialFileError{File: from, Path: target}
		}
		next := []string{filepath.Dir(target)}
		if dir, ok := g.interpolate(ref.projectDir); ok && dir != "" {
			next = append(next, candidates(dir, bases)...)
		}
		if err := g.checkFile(target, next); err != nil {
			return err
		}
	}
	return nil
}

func (g *aliasGuard) interpolate(s string) (string, bool) {
	if g.lookup == nil {
		return s, true
	}
	out, err := template.Substitute(s, g.lookup)
	return out, err == nil
}

func candidates(path string, bases []string) []string {
	if filepath.IsAbs(path) {
		return []string{path}
	}
	var out []string
	for _, b := range bases {
		out = appendUnique(out, filepath.Join(b, path))
	}
	return out
}

func appendUnique(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}

// parseDocuments parses every document of a YAML stream into node trees.
// Node trees keep aliases as pointers, so parsing costs the file's size,
// not its expansion.
func parseDocuments(data []byte) ([]*yamlv4.Node, error) {
	dec := yamlv4.NewDecoder(bytes.NewReader(data))
	var docs []*yamlv4.Node
	for {
		var n yamlv4.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		docs = append(docs, &n)
	}
}

// extent is how big a YAML node is once its aliases are expanded.
type extent struct {
	nodes int // the node and everything below it
	depth int // levels from the node to its deepest leaf, itself included
}

// measure returns the extent of docs, saturating just past limits, and
// what the expansion saw: aliases, cycles.
func measure(docs []*yamlv4.Node, limits extent) (extent, *expansion) {
	e := expansion{limits: limits, seen: map[*yamlv4.Node]extent{}}
	var total extent
	for _, d := range docs {
		x := e.measure(d, 1)
		total = extent{nodes: e.add(total.nodes, x.nodes), depth: max(total.depth, x.depth)}
	}
	return total, &e
}

// expansion measures the trees of one file with their aliases expanded.
type expansion struct {
	limits extent
	// seen memoises the extent of each anchored node, so each node is
	// visited once however many aliases point at it: the scan costs the
	// file's size, never its expansion. A zero extent marks an anchor being
	// measured.
	seen    map[*yamlv4.Node]extent
	aliases bool // the tree has an alias: a large count without one is just a large file
	// cycle is the first anchor found inside its own value, directly or
	// through a merge key (`&a {<<: *a}`): compose-go follows such a loop
	// until its node-visit limit, for half a minute.
	cycle *yamlv4.Node
}

// measure returns the extent of n, stopping as soon as it passes a limit.
// level is n's depth in the expanded tree: an anchored node measured deep
// down is memoised as cut short, which is safe, since any cut means the
// file is refused.
func (e *expansion) measure(n *yamlv4.Node, level int) extent {
	if n.Kind == yamlv4.AliasNode {
		e.aliases = true
		if n.Alias == nil {
			return extent{nodes: 1, depth: 1}
		}
		return e.measure(n.Alias, level)
	}
	if level > e.limits.depth {
		return extent{nodes: 1, depth: 1} // deep enough to refuse: stop descending
	}
	if n.Anchor != "" {
		if x, ok := e.seen[n]; ok {
			if x.nodes == 0 && e.cycle == nil {
				e.cycle = n
			}
			return extent{nodes: max(x.nodes, 1), depth: max(x.depth, 1)}
		}
		e.seen[n] = extent{}
	}
	x := extent{nodes: 1}
	for _, c := range n.Content {
		cx := e.measure(c, level+1)
		x.nodes, x.depth = e.add(x.nodes, cx.nodes), max(x.depth, cx.depth)
		if x.nodes > e.limits.nodes || x.depth > e.limits.depth {
			break
		}
	}
	x.depth++
	if n.Anchor != "" {
		e.seen[n] = x
	}
	return x
}

func (e *expansion) add(a, b int) int {
	return min(a+b, e.limits.nodes+1)
}

// reference is a file an include or extends entry names.
type reference struct {
	path       string
	projectDir string // include's project_directory, if any
}

// references lists the files a document includes (include:) or extends
// (services.*.extends.file), as written.
func references(doc *yamlv4.Node) []reference {
	if doc.Kind == yamlv4.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	var refs []reference
	for _, entry := range items(lookup(doc, "include")) {
		refs = append(refs, includeReferences(entry)...)
	}
	services := lookup(doc, "services")
	for _, svc := range mapValues(services) {
		if file := scalar(lookup(lookup(svc, "extends"), "file")); file != "" {
			refs = append(refs, reference{path: file})
		}
	}
	return refs
}

// includeReferences reads one include entry: a path, or a mapping whose path
// is one path or a list of them.
func includeReferences(entry *yamlv4.Node) []reference {
	if s := scalar(entry); s != "" {
		return []reference{{path: s}}
	}
	dir := scalar(lookup(entry, "project_directory"))
	path := lookup(entry, "path")
	if s := scalar(path); s != "" {
		return []reference{{path: s, projectDir: dir}}
	}
	var refs []reference
	for _, p := range items(path) {
		if s := scalar(p); s != "" {
			refs = append(refs, reference{path: s, projectDir: dir})
		}
	}
	return refs
}

// deref follows an alias to its anchor.
func deref(n *yamlv4.Node) *yamlv4.Node {
	for n != nil && n.Kind == yamlv4.AliasNode {
		n = n.Alias
	}
	return n
}

// lookup returns the value of key in mapping n, looking through aliases
// and merge keys (`<<: *base`) as the decoder will; nil if absent.
func lookup(n *yamlv4.Node, key string) *yamlv4.Node {
	return lookupDepth(n, key, 0)
}

// maxMergeDepth stops lookups in merge chains that alias themselves.
const maxMergeDepth = 16

func lookupDepth(n *yamlv4.Node, key string, depth int) *yamlv4.Node {
	n = deref(n)
	if n == nil || n.Kind != yamlv4.MappingNode || depth > maxMergeDepth {
		return nil
	}
	var merged *yamlv4.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch k := n.Content[i].Value; {
		case k == key:
			return n.Content[i+1]
		case k == "<<" && merged == nil:
			merged = n.Content[i+1]
		}
	}
	if merged = deref(merged); merged == nil {
		return nil
	}
	if merged.Kind == yamlv4.SequenceNode {
		for _, m := range merged.Content {
			if v := lookupDepth(m, key, depth+1); v != nil {
				return v
			}
		}
		return nil
	}
	return lookupDepth(merged, key, depth+1)
}

// items returns the entries of a sequence node.
func items(n *yamlv4.Node) []*yamlv4.Node {
	if n = deref(n); n == nil || n.Kind != yamlv4.SequenceNode {
		return nil
	}
	return n.Content
}

// mapValues returns the values of a mapping node.
func mapValues(n *yamlv4.Node) []*yamlv4.Node {
	if n = deref(n); n == nil || n.Kind != yamlv4.MappingNode {
		return nil
	}
	var out []*yamlv4.Node
	for i := 1; i < len(n.Content); i += 2 {
		out = append(out, n.Content[i])
	}
	return out
}

// scalar returns a scalar node's value, "" for anything else.
func scalar(n *yamlv4.Node) string {
	if n = deref(n); n == nil || n.Kind != yamlv4.ScalarNode {
		return ""
	}
	return n.Value
}
