package watch

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// Run watches the rules' paths and carries out each batch with s until
// ctx ends, returning ctx.Err() then. A batch that fails is reported
// through onError and watching goes on: the next save may fix it. Rules
// with initial_sync get a full sync first.
func Run(ctx context.Context, s *Syncer, onError func(error)) error {
	n, err := NewNotifier(roots(s.Rules), func(dir string) bool {
		for _, r := range s.Rules {
			if !r.skipsDir(dir) {
				return false
			}
		}
		return true
	})
	if err != nil {
		return err
	}
	changes := make(chan string, 4096)
	notifyErr := make(chan error, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		notifyErr <- n.Run(ctx, func(p string) {
			select {
			case changes <- p:
			case <-ctx.Done():
			}
		})
	}()
	for _, b := range initialBatches(s.Rules) {
		if err := s.Apply(ctx, b); err != nil {
			onError(fmt.Errorf("initial sync: %w", err))
		}
	}
	return loop(ctx, s, changes, notifyErr, onError)
}

// loop feeds changes to a debouncer and applies what falls due.
func loop(ctx context.Context, s *Syncer, changes <-chan string, notifyErr <-chan error, onError func(error)) error {
	d := NewDebouncer()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-notifyErr:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		case p := <-changes:
			now := time.Now()
			for _, r := range s.Rules {
				if r.Covers(p) {
					d.Add(now, r.Service, p)
				}
			}
		case <-timer.C:
		}
		for _, b := range d.Due(time.Now()) {
			if err := s.Apply(ctx, b); err != nil && ctx.Err() == nil {
				onError(err)
			}
		}
		if next, ok := d.Next(); ok {
			resetTimer(timer, time.Until(next))
		}
	}
}

// resetTimer makes t fire after wait, whatever state it is in.
func resetTimer(t *time.Timer, wait time.Duration) {
	if !t.Stop() {
		select {
		case <-t.C:
		default:
		}
	}
	t.Reset(max(wait, time.Millisecond))
}

// roots are the distinct paths the rules watch, sorted.
func roots(rules []Rule) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rules {
		if !seen[r.Path] {
			seen[r.Path] = true
			out = append(out, r.Path)
		}
	}
	sort.Strings(out)
	return out
}

// initialBatches are the full syncs initial_sync asks for: the whole
// path of each such rule, one batch per service.
func initialBatches(rules []Rule) []Batch {
	byService := map[string][]string{}
	for _, r := range rules {
		if r.InitialSync && r.Target != "" {
			byService[r.Service] = append(byService[r.Service], r.Path)
		}
	}
	var out []Batch
	for service, paths := range byService {
		out = append(out, Batch{Service: service, Paths: paths, Initial: true})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Service < out[j].Service })
	return out
}
