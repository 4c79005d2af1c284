package enginetest

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/berth-compose/berth/engine"
)

// logEntry is one write of a container's command, as the engine's log
// driver keeps it: the bytes, which stream, and when.
type logEntry struct {
	data   string
	stderr bool
	time   time.Time
}

// notify wakes the followers of c's logs. The caller holds the fake's lock.
func (c *containerRecord) notify() {
	if c.changed != nil {
		close(c.changed)
		c.changed = nil
	}
}

// changes returns a channel closed at c's next change. The caller holds
// the fake's lock.
func (c *containerRecord) changes() <-chan struct{} {
	if c.changed == nil {
		c.changed = make(chan struct{})
	}
	return c.changed
}

// SetLogs replaces a container's output with logs, written to stdout at
// the fake's current time.
func (f *Fake) SetLogs(container, logs string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.container("setting the logs of", container)
	if err != nil {
		return err
	}
	c.output = nil
	c.append(logs, false, f.now())
	return nil
}

// WriteStdout and WriteStderr play the container's command writing data
// to one of its streams, at the fake's current time.
func (f *Fake) WriteStdout(container, data string) error { return f.write(container, data, false) }

// WriteStderr: see WriteStdout.
func (f *Fake) WriteStderr(container, data string) error { return f.write(container, data, true) }

func (f *Fake) write(container, data string, stderr bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.container("writing to", container)
	if err != nil {
		return err
	}
	c.append(data, stderr, f.now())
	return nil
}

// append logs data one line to an entry, as the engine's log driver keeps
// it, so tail counts lines; a last line without newline is an entry too.
// The caller holds the fake's lock.
func (c *containerRecord) append(data string, stderr bool, t time.Time) {
	for line := range strings.SplitAfterSeq(data, "\n") {
		if line != "" {
			c.output = append(c.output, logEntry{data: line, stderr: stderr, time: t})
		}
	}
	c.notify()
}

// Restarting ends a running container's command with code, as Exit does,
// but leaves it restarting, as the engine does when the restart policy
// will bring it back; bring it back with StartContainer.
func (f *Fake) Restarting(container string, code int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.runningContainer(container)
	if err != nil {
		return err
	}
	c.exitCode, c.finishedAt = code, f.now()
	c.setState(engine.StateRestarting)
	f.emit("container", "die", c.ID, c.attributes("exitCode", fmt.Sprint(code)))
	return nil
}

// Logs returns the last tail entries' output (all when tail < 0).
func (f *Fake) Logs(ctx context.Context, id string, tail int) (string, error) {
	var b strings.Builder
	err := f.streamLogs(ctx, "Logs", id, engine.LogOptions{Tail: tail}, &b, &b)
	return b.String(), err
}

// StreamLogs sends what the container wrote, as the engine would: since,
// until and tail select entries; with Follow it waits for more until the
// run it started in ends. With a TTY both streams reach stdout.
func (f *Fake) StreamLogs(ctx context.Context, id string, opts engine.LogOptions, stdout, stderr io.Writer) error {
	return f.streamLogs(ctx, "StreamLogs", id, opts, stdout, stderr)
}

func (f *Fake) streamLogs(ctx context.Context, method, id string, opts engine.LogOptions, stdout, stderr io.Writer) error {
	if err := f.begin(ctx, method, id); err != nil {
		return err
	}
	sel, err := f.newSelection(id, opts)
	if err != nil {
		return err
	}
	for {
		batch, more, wake, err := f.nextBatch(id, sel)
		if err != nil {
			return err
		}
		for _, e := range batch {
			if err := sel.send(e, stdout, stderr); err != nil {
				return err
			}
		}
		if !more {
			return nil
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// selection is where a logs stream stands: the entries it still owes and
// what bounds them.
type selection struct {
	opts         engine.LogOptions
	since, until time.Time
	next         int // index of the first entry not yet considered
	run          int // the run followed
}

func (f *Fake) newSelection(id string, opts engine.LogOptions) (*selection, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.container("reading the logs of", id)
	if err != nil {
		return nil, err
	}
	sel := &selection{opts: opts, run: c.runs}
	now := f.now()
	if sel.since, err = parseLogTime(opts.Since, now); err != nil {
		return nil, fmt.Errorf("reading the logs of container %s: invalid since: %w", id, err)
	}
	if sel.until, err = parseLogTime(opts.Until, now); err != nil {
		return nil, fmt.Errorf("reading the logs of container %s: invalid until: %w", id, err)
	}
	if opts.Tail >= 0 {
		sel.next = max(0, len(sel.inRange(c.output))-opts.Tail)
		sel.next = sel.offset(c.output, sel.next)
	}
	return sel, nil
}

// inRange is the entries since and until allow.
func (s *selection) inRange(es []logEntry) []logEntry {
	var out []logEntry
	for _, e := range es {
		if s.allows(e) {
			out = append(out, e)
		}
	}
	return out
}

// offset finds the index in es of the n-th entry in range.
func (s *selection) offset(es []logEntry, n int) int {
	for i, e := range es {
		if !s.allows(e) {
			continue
		}
		if n == 0 {
			return i
		}
		n--
	}
	return len(es)
}

func (s *selection) allows(e logEntry) bool {
	return (s.since.IsZero() || !e.time.Before(s.since)) && (s.until.IsZero() || !e.time.After(s.until))
}

// nextBatch takes the entries written since the last batch, and says
// whether to wait for more (following, and the run still going) and what
// to wait on.
func (f *Fake) nextBatch(id string, s *selection) ([]logEntry, bool, <-chan struct{}, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.containers[id]
	if !ok {
		if c, ok = lookup(f.containers, id, func(c *containerRecord) string { return c.Name }); !ok {
			return nil, false, nil, nil // removed while followed: the stream ends
		}
	}
	batch := s.inRange(c.output[s.next:])
	s.next = len(c.output)
	live := c.State == engine.StateRunning || c.State == engine.StatePaused
	more := s.opts.Follow && live && c.runs == s.run && (s.until.IsZero() || f.now().Before(s.until))
	if c.tty {
		for i := range batch {
			batch[i].stderr = false
		}
	}
	return batch, more, c.changes(), nil
}

// stampLayout is the engine's: RFC 3339 in UTC with all nine digits of
// the fraction, so every stamp has the same width.
const stampLayout = "2006-01-02T15:04:05.000000000Z07:00"

func (s *selection) send(e logEntry, stdout, stderr io.Writer) error {
	w := stdout
	if e.stderr {
		w = stderr
	}
	data := e.data
	if s.opts.Timestamps {
		data = e.time.UTC().Format(stampLayout) + " " + data
	}
	_, err := io.WriteString(w, data)
	return err
}

// parseLogTime reads the since and until forms the fake needs: durations
// before now, unix timestamps with optional fraction, and RFC 3339.
func parseLogTime(v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(v); err == nil {
		return now.Add(-d), nil
	}
	if secs, frac, ok := strings.Cut(v, "."); !strings.Contains(v, "-") {
		s, err := strconv.ParseInt(secs, 10, 64)
		if err != nil {
			return time.Time{}, err
		}
		var ns int64
		if ok {
			frac = (frac + "000000000")[:9]
			if ns, err = strconv.ParseInt(frac, 10, 64); err != nil {
				return time.Time{}, err
			}
		}
		return time.Unix(s, ns), nil
	}
	return time.Parse(time.RFC3339Nano, v)
}
