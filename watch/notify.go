package watch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/fsnotify/fsnotify"
)

// Notifier reports the local paths that change under a set of roots,
// directories followed recursively: one created later is watched (and
// what is already in it reported), one removed is dropped.
type Notifier struct {
	w     *fsnotify.Watcher
	roots []string
	skip  func(dir string) bool
}

// NewNotifier starts watching roots. A root that is a file is followed
// through its directory, as editors replace files by renaming. A
// directory below a root for which skip (when not nil) holds is not
// watched, nor what is below it.
func NewNotifier(roots []string, skip func(dir string) bool) (*Notifier, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("starting the file watcher: %w", err)
	}
	n := &Notifier{w: w, roots: roots, skip: skip}
	for _, root := range roots {
		fi, err := os.Stat(root)
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("watching %s: %w", root, err)
		}
		if !fi.IsDir() {
			err = w.Add(filepath.Dir(root))
		} else {
			err = n.addTree(root, nil)
		}
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("watching %s: %w", root, explainLimit(err))
		}
	}
	return n, nil
}

// addTree watches dir and the directories below it, calling found (when
// not nil) with every path in it.
func (n *Notifier) addTree(dir string, found func(string)) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed while we walked: its remove event follows
			}
			return err
		}
		if found != nil && p != dir {
			found(p)
		}
		if d.IsDir() {
			if p != dir && n.skip != nil && n.skip(p) {
				return filepath.SkipDir // ignored: its watches would be wasted
			}
			return n.w.Add(p)
		}
		return nil
	})
}

// Run calls changed with each changed path until ctx ends (ctx.Err()) or
// the watcher fails. It runs on the caller's goroutine.
func (n *Notifier) Run(ctx context.Context, changed func(string)) error {
	defer n.w.Close()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err, ok := <-n.w.Errors:
			if !ok {
				return nil
			}
			return fmt.Errorf("watching files: %w", err)
		case ev, ok := <-n.w.Events:
			if !ok {
				return nil
			}
			n.handle(ev, changed)
		}
	}
}

// handle reports one event; a new directory is watched, and the files
// written into it before its watch existed are reported too.
func (n *Notifier) handle(ev fsnotify.Event, changed func(string)) {
	if ev.Has(fsnotify.Chmod) && !ev.Has(fsnotify.Write) && !ev.Has(fsnotify.Create) {
		return // a chmod alone changes no content; editors chmod on every save
	}
	changed(ev.Name)
	if ev.Has(fsnotify.Create) {
		if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() && (n.skip == nil || !n.skip(ev.Name)) {
			_ = n.addTree(ev.Name, changed) // a failure here leaves the tree as a one-off change
		}
	}
	// A removed directory's watch is dropped by the system itself.
}

// explainLimit adds the fix to the error a system gives when it has no
// watches left: Linux's inotify limit is per user and often low.
func explainLimit(err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EMFILE) {
		return fmt.Errorf("%w: the system's limit of file watches is reached; raise it (on Linux: sysctl fs.inotify.max_user_watches and max_user_instances) or add ignore patterns for large folders", err)
	}
	return err
}
