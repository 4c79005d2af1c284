package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// Rule is one develop.watch entry of a service, checked and ready to
// match paths.
type Rule struct {
	Service      string
	Action       types.WatchAction
	Path         string // absolute, on this machine
	Target       string // absolute, in the container; "" for rebuild and restart
	Exec         types.ServiceHook
	InitialSync  bool
	ignore       *patternmatcher.PatternMatcher // relative to Path
	include      *patternmatcher.PatternMatcher // relative to Path; nil: all
	context      string                         // the build context, for dockerignore
	dockerignore *patternmatcher.PatternMatcher
}

// ErrNoRules says that none of the selected services has a watch rule.
var ErrNoRules = errors.New("none of the selected services has develop.watch rules: add a develop: watch: section to at least one of them")

// Rules reads and checks the develop.watch rules of the named services
// (all of them when services is empty), sorted by service. A rule that
// could never work is an error now rather than at the first change.
func Rules(p *types.Project, services []string) ([]Rule, error) {
	if len(services) == 0 {
		services = p.ServiceNames()
	}
	slices.Sort(services)
	var out []Rule
	var errs []error
	for _, name := range services {
		svc, err := p.GetService(name)
		if err != nil {
			return nil, fmt.Errorf("no such service %q in project %s: %w", name, p.Name, err)
		}
		if svc.Develop == nil {
			continue
		}
		for i, t := range svc.Develop.Watch {
			r, err := newRule(svc, t)
			if err != nil {
				errs = append(errs, fmt.Errorf("service %s, develop.watch[%d]: %w", name, i, err))
				continue
			}
			out = append(out, r)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, ErrNoRules
	}
	return out, nil
}

// newRule checks one trigger of svc and compiles its patterns.
func newRule(svc types.ServiceConfig, t types.Trigger) (Rule, error) {
	r := Rule{Service: svc.Name, Action: t.Action, Path: filepath.Clean(t.Path), Target: t.Target, Exec: t.Exec, InitialSync: t.InitialSync}
	switch t.Action {
	case types.WatchActionSync, types.WatchActionSyncRestart, types.WatchActionSyncExec:
		if t.Target == "" || !path.IsAbs(t.Target) {
			return Rule{}, fmt.Errorf("target %q of action %s must be an absolute path in the container, such as /app", t.Target, t.Action)
		}
		if t.Action == types.WatchActionSyncExec && len(t.Exec.Command) == 0 {
			return Rule{}, fmt.Errorf("action sync+exec needs exec.command: the command to run after the files are copied")
		}
	case types.WatchActionRebuild:
		if svc.Build == nil {
			return Rule{}, fmt.Errorf("action rebuild needs a build: section, as the service's image is built from it; use sync or restart for a pulled image")
		}
	case types.WatchActionRestart:
	default:
		return Rule{}, fmt.Errorf("unknown action %q: use sync, rebuild, restart, sync+restart or sync+exec", t.Action)
	}
	if !filepath.IsAbs(r.Path) {
		return Rule{}, fmt.Errorf("path %q is not absolute after loading the project", t.Path)
	}
	if _, err := os.Stat(r.Path); err != nil {
		return Rule{}, fmt.Errorf("path %s cannot be watched: %w; create it or fix the path", r.Path, err)
	}
	var err error
	if r.ignore, err = patternmatcher.New(t.Ignore); err != nil {
		return Rule{}, fmt.Errorf("ignore patterns: %w", err)
	}
	if len(t.Include) > 0 {
		if r.include, err = patternmatcher.New(t.Include); err != nil {
			return Rule{}, fmt.Errorf("include patterns: %w", err)
		}
	}
	if svc.Build != nil {
		r.context = svc.Build.Context
		if r.dockerignore, err = readDockerignore(svc.Build.Context, svc.Build.Dockerfile); err != nil {
			return Rule{}, err
		}
	}
	return r, nil
}

// readDockerignore compiles the build context's ignore file: the
// Dockerfile's own <name>.dockerignore first, as the builder prefers
// it, else .dockerignore; none at all ignores nothing.
func readDockerignore(contextDir, dockerfile string) (*patternmatcher.PatternMatcher, error) {
	if contextDir == "" || strings.Contains(contextDir, "://") {
		return nil, nil // a remote context has no local ignore file
	}
	candidates := []string{filepath.Join(contextDir, ".dockerignore")}
	if dockerfile != "" {
		df := dockerfile
		if !filepath.IsAbs(df) {
			df = filepath.Join(contextDir, df)
		}
		candidates = append([]string{df + ".dockerignore"}, candidates...)
	}
	for _, name := range candidates {
		f, err := os.Open(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		patterns, err := ignorefile.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		m, err := patternmatcher.New(patterns)
		if err != nil {
			return nil, fmt.Errorf("patterns of %s: %w", name, err)
		}
		return m, nil
	}
	return nil, nil
}

// Covers reports whether a change to the absolute path p concerns r: p is
// r.Path or below it, and neither ignored nor left out by include.
func (r Rule) Covers(p string) bool {
	rel, ok := within(r.Path, p)
	if !ok || editorNoise(p) {
		return false
	}
	if rel != "." {
		if matches(r.ignore, rel) {
			return false
		}
		if r.include != nil && !matches(r.include, rel) {
			return false
		}
	}
	if r.dockerignore != nil {
		if crel, ok := within(r.context, p); ok && crel != "." && matches(r.dockerignore, crel) {
			return false
		}
	}
	return true
}

// skipsDir reports whether r can ignore everything under the directory
// p, so p needs no watch: a large ignored folder such as node_modules
// would otherwise use up the system's watches. Include patterns and
// exclusions (!pattern) can bring back a path below an ignored one, so
// with them nothing is skipped.
func (r Rule) skipsDir(p string) bool {
	rel, ok := within(r.Path, p)
	if !ok {
		return true // not r's concern at all
	}
	if rel == "." || r.include != nil {
		return false
	}
	if editorNoise(p) {
		return true
	}
	if r.ignore != nil && !r.ignore.Exclusions() && matches(r.ignore, rel) {
		return true
	}
	crel, ok := within(r.context, p)
	return ok && crel != "." && r.dockerignore != nil && !r.dockerignore.Exclusions() && matches(r.dockerignore, crel)
}

// ContainerPath is where the local p (covered by r) goes in the container.
func (r Rule) ContainerPath(p string) string {
	rel, _ := within(r.Path, p)
	return path.Join(r.Target, filepath.ToSlash(rel))
}

// within gives p relative to root when p is root or below it.
func within(root, p string) (string, bool) {
	if root == "" {
		return "", false
	}
	rel, err := filepath.Rel(root, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return rel, true
}

func matches(m *patternmatcher.PatternMatcher, rel string) bool {
	if m == nil {
		return false
	}
	ok, err := m.MatchesOrParentMatches(filepath.ToSlash(rel))
	return err == nil && ok
}

// editorNoise is what editors and git write beside the files people
// edit: swap and backup files, and the .git directory, which no one
// means to sync.
func editorNoise(p string) bool {
	base := filepath.Base(p)
	if strings.HasSuffix(base, "~") || strings.HasSuffix(base, ".swp") || strings.HasSuffix(base, ".swx") || base == "4913" {
		return true
	}
	return slices.Contains(strings.Split(filepath.ToSlash(p), "/"), ".git")
}
