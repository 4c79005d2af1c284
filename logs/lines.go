package logs

import (
	"bytes"
	"time"
)

// maxHeld is the most of an unfinished line a stream keeps before writing
// it out in pieces. Lines up to it come out whole, never mixed with other
// containers' lines; longer ones (binary output, huge JSON) still come out
// byte for byte, only possibly split by another container's line.
const maxHeld = 1 << 20

// stampLayout is how the engine stamps each message: RFC 3339 in UTC with
// all nine digits of the fraction, then a space; always stampLen bytes.
const (
	stampLayout = "2006-01-02T15:04:05.000000000Z07:00"
	stampLen    = len("2006-01-02T15:04:05.000000000Z") + 1
)

// lineWriter is one stream (stdout or stderr) of one run of a container:
// the engine's bytes go in, prefixed lines go to the output.
//
// With stamps, the engine starts each message with its time. The time of
// the last line is kept, so that following the container's next run can
// start right after it; the stamps are shown only with keepStamps.
type lineWriter struct {
	out        *output
	src        *source
	stderr     bool
	stamps     bool
	keepStamps bool
	// held is a line begun but not ended yet.
	held []byte
	// midLine: part of the current line is already written, so the rest
	// must not get a prefix.
	midLine bool
	// last is the stamp of the last message, without its space.
	last [stampLen - 1]byte
	seen bool
}

// Write passes on every line p ends and keeps the rest for the next call.
func (w *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	if w.stamps && (len(w.held) > 0 || w.midLine) {
		// A message that goes on with a line (the engine cuts long lines
		// into several) carries a stamp of its own.
		p = w.strip(p)
	}
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			return n, w.hold(p)
		}
		end := i + 1
		if !w.stamps && len(w.held) == 0 {
			// No stamps to take out: every line p ends goes in one call.
			end = bytes.LastIndexByte(p, '\n') + 1
		}
		line := p[:end]
		if len(w.held) > 0 {
			// The held piece and the line that ends it go out in one
			// call: apart, another container's line could land between.
			w.held = append(w.held, line...)
			line = w.held
		}
		if err := w.emit(line); err != nil {
			return 0, err
		}
		w.held, w.midLine = w.held[:0], false
		p = p[end:]
	}
	return n, nil
}

// hold keeps an unended piece, writing it out once it grows past maxHeld.
func (w *lineWriter) hold(p []byte) error {
	w.held = append(w.held, p...)
	if len(w.held) < maxHeld {
		return nil
	}
	err := w.emit(w.held)
	w.held, w.midLine = w.held[:0], true
	return err
}

// emit writes data, which starts a line unless midLine, taking the stamp
// off its start first.
func (w *lineWriter) emit(data []byte) error {
	if w.stamps && !w.midLine {
		data = w.strip(data)
	}
	return w.out.write(w.src, w.stderr, data, !w.midLine)
}

// strip notes the stamp b starts with, and takes it off unless stamps are
// to be shown. Bytes that do not look like a stamp are left alone.
func (w *lineWriter) strip(b []byte) []byte {
	if len(b) < stampLen || !isStamp(b[:stampLen]) {
		return b
	}
	copy(w.last[:], b)
	w.seen = true
	if w.keepStamps {
		return b
	}
	return b[stampLen:]
}

// isStamp checks the shape "dddd-dd-ddTdd:dd:dd.dddddddddZ ".
func isStamp(b []byte) bool {
	const shape = "dddd-dd-ddTdd:dd:dd.dddddddddZ "
	for i := range len(shape) {
		if shape[i] == 'd' {
			if b[i] < '0' || b[i] > '9' {
				return false
			}
		} else if b[i] != shape[i] {
			return false
		}
	}
	return true
}

// lastStamp is the time of the last message written, zero if none was.
func (w *lineWriter) lastStamp() time.Time {
	if !w.seen {
		return time.Time{}
	}
	t, err := time.Parse(stampLayout, string(w.last[:]))
	if err != nil {
		return time.Time{}
	}
	return t
}

// finish writes what the run left unended, ending the line so the next
// one starts on its own: a container's last line without a newline is
// shown, not lost.
func (w *lineWriter) finish() error {
	if len(w.held) == 0 && !w.midLine {
		return nil
	}
	w.held = append(w.held, '\n')
	err := w.emit(w.held)
	w.held, w.midLine = nil, false
	return err
}
