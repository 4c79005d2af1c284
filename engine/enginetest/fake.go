// Package enginetest provides Fake, an in-memory engine.Engine for tests of
// code that talks to the engine: it keeps state, so tests assert what the
// engine holds afterwards rather than which calls were made.
package enginetest

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/berth-compose/berth/engine"
)

// DefaultVersion is what a new Fake reports: the oldest engine berth
// supports, so tests see the API version real users have at least.
var DefaultVersion = engine.Version{
	Platform:             "Docker Engine - Community",
	Version:              "20.10.24",
	APIVersion:           "1.41",
	MinAPIVersion:        "1.12",
	NegotiatedAPIVersion: "1.41",
	OS:                   "linux",
	Arch:                 "amd64",
	KernelVersion:        "6.1.0",
	GoVersion:            "go1.19.8",
	GitCommit:            "5d6db84",
}

// Fake is an engine.Engine held in memory. It behaves like a Docker engine
// at the API version it reports: names are unique, removing what is in use
// is a conflict, missing things are not found (engine.IsNotFound and
// engine.IsConflict hold for its errors), and it emits the engine's events.
// It is safe for concurrent use.
type Fake struct {
	mu          sync.Mutex
	version     engine.Version
	now         func() time.Time
	containers  map[string]*containerRecord // by id
	networks    map[string]*engine.Network
	volumes     map[string]*engine.Volume // by name
	images      map[string]string         // normalised reference -> id
	inspect     inspectState              // image details, process tables, commits: fake_inspect.go
	registry    registryState             // pushed images and logins: fake_registry.go
	builds      buildState                // recorded builds and their cache: fake_build.go
	swarm       swarmState                // the swarm it manages: fake_swarm*.go
	subs        map[*subscriber]struct{}
	errs        map[string]error
	hook        func(context.Context, Call) error
	calls       []Call
	seq         int
	closed      bool
	execs       map[string]*execRecord
	execHandler ExecHandler
}

var _ engine.Engine = (*Fake)(nil)

// New returns an empty engine that reports DefaultVersion.
func New() *Fake {
	return &Fake{
		version:    DefaultVersion,
		now:        time.Now,
		containers: map[string]*containerRecord{},
		networks:   map[string]*engine.Network{},
		volumes:    map[string]*engine.Volume{},
		images:     map[string]string{},
		subs:       map[*subscriber]struct{}{},
		errs:       map[string]error{},
		swarm:      newSwarmState(),
	}
}

// APIVersion is the NegotiatedAPIVersion of WithVersion.
func (f *Fake) APIVersion() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.version.NegotiatedAPIVersion
}

// WithVersion sets what Version reports. Its NegotiatedAPIVersion decides
// API-dependent behaviour, such as how many networks a create may name.
func (f *Fake) WithVersion(v engine.Version) *Fake {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.version = v
	return f
}

// WithClock sets where creation, start and event times come from.
func (f *Fake) WithClock(now func() time.Time) *Fake {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = now
	return f
}

// Fail makes every call of the named engine.Engine or engine.Swarm method
// return err; a nil err makes it succeed again. It panics on a name that
// is not a method, so a typo cannot silently disable the injection.
func (f *Fake) Fail(method string, err error) *Fake {
	_, isEngine := reflect.TypeFor[engine.Engine]().MethodByName(method)
	_, isSwarm := reflect.TypeFor[engine.Swarm]().MethodByName(method)
	if !isEngine && !isSwarm {
		panic(fmt.Sprintf("enginetest: neither engine.Engine nor engine.Swarm has a method %q", method))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err == nil {
		delete(f.errs, method)
	} else {
		f.errs[method] = err
	}
	return f
}

// OnCall sets a hook that runs at the start of every engine.Engine call,
// after it is recorded and before it does anything, without the fake's
// lock held: it may block (on ctx, to test cancellation) or return an
// error, which the call returns unchanged. A nil hook removes it.
func (f *Fake) OnCall(hook func(ctx context.Context, c Call) error) *Fake {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hook = hook
	return f
}

// Call is one recorded call of an engine.Engine or engine.Swarm method.
// Target is the resource as the caller named it: the id or name for
// container, network, volume and image methods and for swarm objects and
// tasks (the spec's name for creates), "id name" for RenameContainer,
// "network container" for ConnectNetwork, the filter's labels joined with
// "," for lists and Events, and "" for Ping, Version, Close, SwarmStatus
// and ListNodes.
type Call struct {
	Method string
	Target string
}

func (c Call) String() string { return strings.TrimSpace(c.Method + " " + c.Target) }

// Calls returns the calls made so far, in order, failed ones included;
// with methods, only calls of those.
func (f *Fake) Calls(methods ...string) []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Call
	for _, c := range f.calls {
		if len(methods) == 0 || slices.Contains(methods, c.Method) {
			out = append(out, c)
		}
	}
	return out
}

// begin records a call, runs the hook and says whether the call fails
// before touching state: by the hook, by Fail, or by a finished ctx.
func (f *Fake) begin(ctx context.Context, method, target string) error {
	c := Call{Method: method, Target: target}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	hook := f.hook
	f.mu.Unlock()
	if hook != nil {
		if err := hook(ctx, c); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", c, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.errs[method]
}

// Closed reports whether Close was called.
func (f *Fake) Closed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

// Ping succeeds unless "Ping" is made to fail.
func (f *Fake) Ping(ctx context.Context) error {
	return f.begin(ctx, "Ping", "")
}

// Version reports the version set with WithVersion.
func (f *Fake) Version(ctx context.Context) (engine.Version, error) {
	if err := f.begin(ctx, "Version", ""); err != nil {
		return engine.Version{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.version, nil
}

// Close marks the fake closed; it fails only when "Close" is made to fail.
func (f *Fake) Close() error {
	if err := f.begin(context.Background(), "Close", ""); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return nil
}

// newID makes an engine-style id: 64 hex digits, the same for the same
// sequence of creations, so test failures reproduce.
func (f *Fake) newID(kind string) string {
	f.seq++
	sum := sha256.Sum256(fmt.Appendf(nil, "%s-%d", kind, f.seq))
	return hex.EncodeToString(sum[:])
}

// lookup finds an item the way the engine does: by exact id, then by
// name, then by a unique id prefix.
func lookup[T any](items map[string]T, ref string, name func(T) string) (T, bool) {
	if it, ok := items[ref]; ok {
		return it, true
	}
	var found []T
	for id, it := range items {
		if name(it) == ref {
			return it, true
		}
		if ref != "" && strings.HasPrefix(id, ref) {
			found = append(found, it)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	var zero T
	return zero, false
}

func filterLabels(flt engine.Filter) string { return strings.Join(flt.Labels, ",") }

// list filters, copies (so callers cannot change the fake's state through
// a result) and sorts by name, as the real client does.
func list[T any](items []T, flt engine.Filter, key func(T) (string, map[string]string), clone func(T) T) []T {
	out := []T{}
	for _, it := range items {
		if _, labels := key(it); flt.Matches(labels) {
			out = append(out, clone(it))
		}
	}
	slices.SortStableFunc(out, func(a, b T) int {
		an, _ := key(a)
		bn, _ := key(b)
		return cmp.Compare(an, bn)
	})
	return out
}

func noSuch(kind, ref string) error {
	return engine.ErrNotFound.WithMessage(fmt.Sprintf("No such %s: %s", kind, ref))
}

func shortID(id string) string { return id[:min(12, len(id))] }
