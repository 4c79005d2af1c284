package interactive

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// DefaultDetachKeys is the sequence that ends a session without stopping
// its process when the user names none, as in docker.
const DefaultDetachKeys = "ctrl-p,ctrl-q"

// ErrDetached is what Run returns when the user typed the detach keys.
var ErrDetached = errors.New("detached from the container; it keeps running")

// ParseDetachKeys reads a detach sequence: keys separated by commas, each
// a single character or ctrl-<c> for c in a-z, @, [, \, ], ^ and _.
func ParseDetachKeys(spec string) ([]byte, error) {
	if spec == "" {
		spec = DefaultDetachKeys
	}
	var keys []byte
	for _, k := range strings.Split(spec, ",") {
		b, err := parseKey(k)
		if err != nil {
			return nil, fmt.Errorf("invalid detach keys %q: %w (e.g. ctrl-p,ctrl-q, or a,b)", spec, err)
		}
		keys = append(keys, b)
	}
	return keys, nil
}

func parseKey(k string) (byte, error) {
	if len(k) == 1 {
		return k[0], nil
	}
	c, ok := strings.CutPrefix(strings.ToLower(k), "ctrl-")
	if !ok || len(c) != 1 {
		return 0, fmt.Errorf("%q is neither one character nor ctrl-<character>", k)
	}
	switch b := c[0]; {
	case b >= 'a' && b <= 'z':
		return b - 'a' + 1, nil
	case b == '@':
		return 0, nil
	case b >= '[' && b <= '_':
		return b - '[' + 27, nil
	}
	return 0, fmt.Errorf("ctrl-%s is no control key: use a letter or one of @ [ \\ ] ^ _", c)
}

// detachReader passes input through until it sees the detach keys, which
// it swallows, and then reports ErrDetached. Bytes that begin the
// sequence are held back until it is clear they do not complete it, so a
// lone ctrl-p still reaches the process, just one key later.
type detachReader struct {
	r       io.Reader
	keys    []byte
	matched int    // how many keys of the sequence the input has matched
	pending []byte // bytes decided on and not yet returned
	done    bool
	err     error // the underlying reader's, once it failed
}

func newDetachReader(r io.Reader, keys []byte) *detachReader {
	return &detachReader{r: r, keys: keys}
}

func (d *detachReader) Read(p []byte) (int, error) {
	for len(d.pending) == 0 {
		if d.done {
			return 0, ErrDetached
		}
		if d.err != nil {
			return 0, d.err
		}
		buf := make([]byte, len(p))
		n, err := d.r.Read(buf)
		d.scan(buf[:n])
		if err != nil && !d.done {
			// The input ended inside what looked like the sequence: those
			// keys were the process's after all.
			d.pending = append(d.pending, d.keys[:d.matched]...)
			d.matched = 0
		}
		d.err = err
	}
	n := copy(p, d.pending)
	d.pending = d.pending[n:]
	return n, nil
}

// scan moves input into pending, keeping back what may be the start of the
// detach sequence.
func (d *detachReader) scan(in []byte) {
	for _, b := range in {
		if d.done {
			return // what follows the sequence is not the process's
		}
		if b == d.keys[d.matched] {
			d.matched++
			if d.matched == len(d.keys) {
				d.done = true
			}
			continue
		}
		d.pending = append(d.pending, d.keys[:d.matched]...)
		d.matched = 0
		if b == d.keys[0] {
			d.matched = 1
			if len(d.keys) == 1 {
				d.done = true
			}
			continue
		}
		d.pending = append(d.pending, b)
	}
}
