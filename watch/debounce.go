package watch

import (
	"slices"
	"sort"
	"time"
)

// Batch is the paths of one service that changed during one burst,
// sorted, each once.
type Batch struct {
	Service string
	Paths   []string
	// Initial marks the full sync of initial_sync: only the sync rules
	// act on it, so watching never starts with a rebuild or a restart.
	Initial bool
}

// Debouncer folds changes into batches: a service's batch is due once no
// change came for Quiet, or once Max passed since its first change, so a
// steady stream of writes still gets synced. It does no I/O and reads no
// clock: the caller passes the time, which keeps it testable.
type Debouncer struct {
	Quiet, Max time.Duration
	pending    map[string]*pending
}

type pending struct {
	first, last time.Time
	paths       map[string]bool
}

// Defaults: long enough for an editor's write-rename-chmod or a git
// checkout to land as one batch, short enough to feel immediate.
const (
	DefaultQuiet = 50 * time.Millisecond
	DefaultMax   = time.Second
)

// NewDebouncer makes a Debouncer with the default periods.
func NewDebouncer() *Debouncer {
	return &Debouncer{Quiet: DefaultQuiet, Max: DefaultMax}
}

// Add records that p of service changed at now.
func (d *Debouncer) Add(now time.Time, service, p string) {
	if d.pending == nil {
		d.pending = map[string]*pending{}
	}
	b := d.pending[service]
	if b == nil {
		b = &pending{first: now, paths: map[string]bool{}}
		d.pending[service] = b
	}
	b.last = now
	b.paths[p] = true
}

// Due removes and returns the batches due at now, sorted by service.
func (d *Debouncer) Due(now time.Time) []Batch {
	var out []Batch
	for service, b := range d.pending {
		if now.Sub(b.last) < d.Quiet && now.Sub(b.first) < d.Max {
			continue
		}
		paths := make([]string, 0, len(b.paths))
		for p := range b.paths {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		out = append(out, Batch{Service: service, Paths: paths})
		delete(d.pending, service)
	}
	slices.SortFunc(out, func(a, b Batch) int {
		switch {
		case a.Service < b.Service:
			return -1
		case a.Service > b.Service:
			return 1
		}
		return 0
	})
	return out
}

// Next is when the earliest pending batch falls due; false when nothing
// is pending.
func (d *Debouncer) Next() (time.Time, bool) {
	var next time.Time
	for _, b := range d.pending {
		at := b.last.Add(d.Quiet)
		if limit := b.first.Add(d.Max); limit.Before(at) {
			at = limit
		}
		if next.IsZero() || at.Before(next) {
			next = at
		}
	}
	return next, !next.IsZero()
}
