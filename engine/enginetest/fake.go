// Package enginetest provides Fake, an in-memory engine.Engine for tests of
// code that talks to the engine: it keeps state, so tests assert what the
// engine holds afterwards rather than which calls were made.
package enginetest

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sync"

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

// Fake is an engine.Engine held in memory. Set it up with the With and Fail
// methods before use; it is safe for concurrent use afterwards.
type Fake struct {
	mu         sync.Mutex
	version    engine.Version
	containers []engine.Container
	networks   []engine.Network
	volumes    []engine.Volume
	errs       map[string]error
	closed     bool
}

var _ engine.Engine = (*Fake)(nil)

// New returns an empty engine that reports DefaultVersion.
func New() *Fake {
	return &Fake{version: DefaultVersion, errs: map[string]error{}}
}

// WithVersion sets what Version reports.
func (f *Fake) WithVersion(v engine.Version) *Fake {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.version = v
	return f
}

// WithContainers adds containers.
func (f *Fake) WithContainers(cs ...engine.Container) *Fake {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.containers = append(f.containers, cs...)
	return f
}

// WithNetworks adds networks.
func (f *Fake) WithNetworks(ns ...engine.Network) *Fake {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.networks = append(f.networks, ns...)
	return f
}

// WithVolumes adds volumes.
func (f *Fake) WithVolumes(vs ...engine.Volume) *Fake {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.volumes = append(f.volumes, vs...)
	return f
}

// Fail makes every call of the named engine.Engine method return err; a
// nil err makes it succeed again. It panics on a name that is not a
// method, so a typo cannot silently disable the injection.
func (f *Fake) Fail(method string, err error) *Fake {
	if _, ok := reflect.TypeFor[engine.Engine]().MethodByName(method); !ok {
		panic(fmt.Sprintf("enginetest: engine.Engine has no method %q", method))
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

// Closed reports whether Close was called.
func (f *Fake) Closed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

// Ping succeeds unless "Ping" is made to fail.
func (f *Fake) Ping(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.errs["Ping"]
}

// Version reports the version set with WithVersion.
func (f *Fake) Version(context.Context) (engine.Version, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.errs["Version"]; err != nil {
		return engine.Version{}, err
	}
	return f.version, nil
}

// ListContainers lists the containers that match flt, sorted by name.
func (f *Fake) ListContainers(_ context.Context, flt engine.Filter) ([]engine.Container, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.errs["ListContainers"]; err != nil {
		return nil, err
	}
	return list(f.containers, flt, func(c engine.Container) (string, map[string]string) { return c.Name, c.Labels },
		func(c engine.Container) engine.Container { c.Labels = maps.Clone(c.Labels); return c }), nil
}

// ListNetworks lists the networks that match flt, sorted by name.
func (f *Fake) ListNetworks(_ context.Context, flt engine.Filter) ([]engine.Network, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.errs["ListNetworks"]; err != nil {
		return nil, err
	}
	return list(f.networks, flt, func(n engine.Network) (string, map[string]string) { return n.Name, n.Labels },
		func(n engine.Network) engine.Network { n.Labels = maps.Clone(n.Labels); return n }), nil
}

// ListVolumes lists the volumes that match flt, sorted by name.
func (f *Fake) ListVolumes(_ context.Context, flt engine.Filter) ([]engine.Volume, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.errs["ListVolumes"]; err != nil {
		return nil, err
	}
	return list(f.volumes, flt, func(v engine.Volume) (string, map[string]string) { return v.Name, v.Labels },
		func(v engine.Volume) engine.Volume {
			v.Labels, v.Options = maps.Clone(v.Labels), maps.Clone(v.Options)
			return v
		}), nil
}

// Close marks the fake closed; it fails only when "Close" is made to fail.
func (f *Fake) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.errs["Close"]; err != nil {
		return err
	}
	f.closed = true
	return nil
}

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
