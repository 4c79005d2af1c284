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

// AliasBombError says a compose file's aliases expand past maxExpandedNodes.
type AliasBombError struct {
	File  string
	Limit int
}

func (e *AliasBombError) Error() string {
	return fmt.Sprintf("%s: YAML aliases expand to more than %d nodes; this looks like an alias bomb, not a compose file "+
		"(aliases inside anchored lists or maps multiply at each level): refusing to load it", e.File, e.Limit)
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
	limit int
	// lookup interpolates include and extends paths as compose-go will;
	// nil leaves them as written (--no-interpolate).
	lookup template.Mapping
	seen   map[string]bool // absolute paths already scanned: includes can form cycles
}

func newAliasGuard(lookup template.Mapping) *aliasGuard {
	return &aliasGuard{limit: maxExpandedNodes, lookup: lookup, seen: map[string]bool{}}
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
	// Most files have no aliases, includes or extends: skip their parse.
	hasAlias := bytes.IndexByte(data, '*') >= 0
	if !hasAlias && !bytes.Contains(data, []byte("include")) && !bytes.Contains(data, []byte("extends")) {
		return nil
	}
	docs, err := parseDocuments(data)
	if err != nil {
		return nil // invalid YAML: compose-go's error, explained by explain, says where
	}
	if hasAlias {
		if size, aliases := expandedSize(docs, g.limit); size > g.limit && aliases {
			return &AliasBombError{File: file, Limit: g.limit}
		}
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

// expandedSize returns how many nodes docs stand for with their aliases
// expanded, saturating just past limit, and whether they have any alias.
func expandedSize(docs []*yamlv4.Node, limit int) (int, bool) {
	e := expansion{limit: limit, sizes: map[*yamlv4.Node]int{}}
	total := 0
	for _, d := range docs {
		total = e.add(total, e.size(d))
	}
	return total, e.aliases
}

// expansion counts the nodes a tree stands for with its aliases expanded.
type expansion struct {
	limit int
	// sizes memoises the expanded size of each anchored node, so each node
	// is visited once however many aliases point at it: the scan costs the
	// file's size, never its expansion. -1 marks an anchor being counted.
	sizes   map[*yamlv4.Node]int
	aliases bool // the tree has an alias: a large count without one is just a large file
}

// size returns the expanded size of n, saturating just past the limit so
// counting stops as soon as the answer is known.
func (e *expansion) size(n *yamlv4.Node) int {
	if n.Kind == yamlv4.AliasNode {
		e.aliases = true
		if n.Alias == nil {
			return 1
		}
		return e.size(n.Alias)
	}
	if n.Anchor != "" {
		if s, ok := e.sizes[n]; ok {
			// An anchor inside its own value is a cycle, which the decoder
			// rejects; count it once so the scan ends.
			return max(s, 1)
		}
		e.sizes[n] = -1
	}
	total := 1
	for _, c := range n.Content {
		if total = e.add(total, e.size(c)); total > e.limit {
			break
		}
	}
	if n.Anchor != "" {
		e.sizes[n] = total
	}
	return total
}

func (e *expansion) add(a, b int) int {
	return min(a+b, e.limit+1)
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
