package enginetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/berth-compose/berth/engine"
)

// serviceLogs is what the tasks of one service wrote, as one log: the fake
// does not tell its tasks apart. The Fake's lock guards it.
type serviceLogs struct {
	entries []logEntry
	changed chan struct{} // closed at the next write, for followers
}

// SetServiceLogs replaces what the tasks of the service named service
// wrote with text, on stdout at the fake's current time. It may come
// before the service exists. TaskLogs of any of its tasks gives the same.
func (f *Fake) SetServiceLogs(service, text string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.serviceLogs(service).entries = nil
	f.writeServiceLogs(service, text, false)
}

// WriteServiceStdout and WriteServiceStderr play the service's tasks
// writing data to one of their streams, waking those who follow its logs.
func (f *Fake) WriteServiceStdout(service, data string) { f.lockedServiceWrite(service, data, false) }

// WriteServiceStderr: see WriteServiceStdout.
func (f *Fake) WriteServiceStderr(service, data string) { f.lockedServiceWrite(service, data, true) }

func (f *Fake) lockedServiceWrite(service, data string, stderr bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writeServiceLogs(service, data, stderr)
}

// writeServiceLogs keeps data one line to an entry, so tail counts lines.
// The caller holds the Fake's lock.
func (f *Fake) writeServiceLogs(service, data string, stderr bool) {
	l := f.serviceLogs(service)
	now := f.now()
	for line := range strings.SplitAfterSeq(data, "\n") {
		if line != "" {
			l.entries = append(l.entries, logEntry{data: line, stderr: stderr, time: now})
		}
	}
	if l.changed != nil {
		close(l.changed)
		l.changed = nil
	}
}

func (f *Fake) serviceLogs(service string) *serviceLogs {
	l, ok := f.swarm.logs[service]
	if !ok {
		l = &serviceLogs{}
		f.swarm.logs[service] = l
	}
	return l
}

// TaskLogs returns the last tail lines (all when tail < 0) of what the
// task's service wrote.
func (f *Fake) TaskLogs(ctx context.Context, taskID string, tail int) (string, error) {
	asking := "reading the logs of task " + taskID
	if err := f.swarmBegin(ctx, "TaskLogs", taskID, asking); err != nil {
		return "", err
	}
	defer f.mu.Unlock()
	t, ok := f.task(taskID)
	if !ok {
		return "", fmt.Errorf("%s: %w", asking, engine.ErrNotFound.WithMessage(fmt.Sprintf("task %s not found", taskID)))
	}
	rec, ok := f.swarm.services[t.ServiceID]
	if !ok {
		return "", nil
	}
	var b strings.Builder
	sel := &selection{opts: engine.LogOptions{Tail: tail}}
	entries := f.serviceLogs(rec.svc.Spec.Name).entries
	if tail >= 0 {
		sel.next = max(0, len(entries)-tail)
	}
	for _, e := range entries[sel.next:] {
		_ = sel.send(e, &b, &b)
	}
	return b.String(), nil
}

// errServiceLogsUntil is the real client's refusal: the engine's service
// logs cannot end at a time.
var errServiceLogsUntil = errors.New("the engine cannot end a service's logs at a time (until); only since is supported")

// StreamServiceLogs sends what the service's tasks wrote: since and tail
// select lines (tail counts over all tasks, where the engine counts per
// task); with Follow it waits for more until ctx ends. With a TTY both
// streams reach stdout.
func (f *Fake) StreamServiceLogs(ctx context.Context, serviceID string, opts engine.LogOptions, stdout, stderr io.Writer) error {
	asking := "reading the logs of service " + serviceID
	if err := f.swarmBegin(ctx, "StreamServiceLogs", serviceID, asking); err != nil {
		return err
	}
	sel, name, tty, err := f.newServiceSelection(serviceID, opts)
	f.mu.Unlock()
	if err != nil {
		return fmt.Errorf("%s: %w", asking, err)
	}
	for {
		batch, wake := f.nextServiceBatch(name, sel)
		for _, e := range batch {
			if tty {
				e.stderr = false
			}
			if err := sel.send(e, stdout, stderr); err != nil {
				return fmt.Errorf("%s: %w", asking, err)
			}
		}
		if !opts.Follow {
			return nil
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// newServiceSelection starts a logs stream of a service. The caller holds
// the Fake's lock.
func (f *Fake) newServiceSelection(serviceID string, opts engine.LogOptions) (*selection, string, bool, error) {
	if opts.Until != "" {
		return nil, "", false, errServiceLogsUntil
	}
	rec, err := f.service(serviceID)
	if err != nil {
		return nil, "", false, err
	}
	sel := &selection{opts: opts}
	if sel.since, err = parseLogTime(opts.Since, f.now()); err != nil {
		return nil, "", false, fmt.Errorf("invalid since: %w", err)
	}
	name := rec.svc.Spec.Name
	if entries := f.serviceLogs(name).entries; opts.Tail >= 0 {
		sel.next = sel.offset(entries, max(0, len(sel.inRange(entries))-opts.Tail))
	}
	c := rec.svc.Spec.TaskTemplate.ContainerSpec
	return sel, name, c != nil && c.TTY, nil
}

// nextServiceBatch takes the lines written since the last batch, and what
// to wait on for more.
func (f *Fake) nextServiceBatch(service string, sel *selection) ([]logEntry, <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	l := f.serviceLogs(service)
	sel.next = min(sel.next, len(l.entries)) // SetServiceLogs may have cut the log short
	batch := sel.inRange(l.entries[sel.next:])
	sel.next = len(l.entries)
	if l.changed == nil {
		l.changed = make(chan struct{})
	}
	return batch, l.changed
}
