package logs

import (
	"bufio"
	"bytes"
	"fmt"
	"hash/fnv"
	"io"
	"sync"
	"time"

	"github.com/fatih/color"
)

// flushEvery bounds how long a line may sit in the output buffer. Writing
// each line with its own system call would make a large log several times
// slower to print; holding lines longer would make `logs -f` lag.
const flushEvery = 50 * time.Millisecond

// palette is the prefix colours, picked per service by a hash of its name
// so a service keeps its colour from run to run. Red is left out: it reads
// as an error.
var palette = []color.Attribute{
	color.FgCyan, color.FgYellow, color.FgGreen, color.FgMagenta, color.FgBlue,
	color.FgHiCyan, color.FgHiYellow, color.FgHiGreen, color.FgHiMagenta, color.FgHiBlue,
}

// output is where every container's lines meet: two buffered writers
// behind one lock, so lines from different containers never mix, and the
// prefix width shared by all of them.
type output struct {
	mu       sync.Mutex
	stdout   *bufio.Writer
	stderr   *bufio.Writer
	prefix   bool
	color    bool
	width    int // longest name seen, plus one, as docker compose pads
	widthGen int // moves with width, so sources know their prefix is stale
	err      error
	stop     chan struct{}
	stopped  chan struct{}
}

func newOutput(stdout, stderr io.Writer, prefix, colour bool) *output {
	o := &output{
		stdout: bufio.NewWriterSize(stdout, 64<<10), stderr: bufio.NewWriterSize(stderr, 64<<10),
		prefix: prefix, color: colour, stop: make(chan struct{}), stopped: make(chan struct{}),
	}
	go o.flushLoop()
	return o
}

// flushLoop writes out buffered lines regularly, so that a quiet
// container's last line shows without waiting for the buffer to fill.
func (o *output) flushLoop() {
	defer close(o.stopped)
	tick := time.NewTicker(flushEvery)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			o.mu.Lock()
			o.flush()
			o.mu.Unlock()
		case <-o.stop:
			return
		}
	}
}

// flush writes out both buffers, keeping the first error. The caller
// holds o.mu.
func (o *output) flush() {
	for _, w := range []*bufio.Writer{o.stdout, o.stderr} {
		if err := w.Flush(); err != nil && o.err == nil {
			o.err = fmt.Errorf("writing logs: %w", err)
		}
	}
}

// close stops the flushing and writes out what is left; it returns the
// first write error, if any.
func (o *output) close() error {
	close(o.stop)
	<-o.stopped
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flush()
	return o.err
}

// source is one container as the output shows it.
type source struct {
	name   string
	colour *color.Color
	// prefix is the rendered "<name>   | ", made for widthGen.
	prefix   []byte
	widthGen int
}

// register adds a container under name, widening every prefix when the
// name is the longest yet.
func (o *output) register(name, service string) *source {
	o.mu.Lock()
	defer o.mu.Unlock()
	if w := len(name) + 1; w > o.width {
		o.width = w
		o.widthGen++
	}
	src := &source{name: name, widthGen: -1}
	if o.color {
		h := fnv.New32a()
		h.Write([]byte(service))
		src.colour = color.New(palette[h.Sum32()%uint32(len(palette))])
		src.colour.EnableColor() // the caller decided: not fatih/color's own terminal check
	}
	return src
}

// prefixOf renders src's prefix for the current width. The caller holds
// o.mu.
func (o *output) prefixOf(src *source) []byte {
	if !o.prefix {
		return nil
	}
	if src.widthGen != o.widthGen {
		p := fmt.Sprintf("%-*s | ", o.width, src.name)
		if src.colour != nil {
			p = src.colour.Sprint(p)
		}
		src.prefix, src.widthGen = []byte(p), o.widthGen
	}
	return src.prefix
}

// write writes data, whole lines but for a possible last piece, with
// src's prefix before each line; before the first only when startsLine,
// as data may go on a line already begun. It fails once a write failed,
// so a closed pipe stops the streams.
func (o *output) write(src *source, stderr bool, data []byte, startsLine bool) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return o.err
	}
	w := o.stdout
	if stderr {
		w = o.stderr
	}
	prefix := o.prefixOf(src)
	for len(data) > 0 {
		if startsLine {
			w.Write(prefix)
		}
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line = data[:i+1]
		}
		if _, err := w.Write(line); err != nil {
			o.err = fmt.Errorf("writing logs: %w", err)
			return o.err
		}
		data, startsLine = data[len(line):], true
	}
	return nil
}
