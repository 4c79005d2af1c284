package project

import (
	"fmt"
	"strings"
)

// LoaderPanicError is compose-go failing on a file by panicking rather than
// returning an error; it has been seen on an attribute left empty, such as
// a secret's `target:` with nothing after it.
type LoaderPanicError struct {
	Value any      // what compose-go panicked with
	Files []string // the compose files it was reading, when known
}

func (e *LoaderPanicError) Error() string {
	what := "the compose file"
	if len(e.Files) > 0 {
		what = strings.Join(e.Files, ", ")
	}
	return fmt.Sprintf("%s could not be read: the loader failed on it (%v); "+
		"this usually comes from an attribute written with no value, such as `target:` with nothing after it: fill it in or remove it", what, e.Value)
}

// guardLoader runs load, turning a panic inside compose-go into a
// LoaderPanicError: bad input must give an error, never crash berth.
func guardLoader(load func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &LoaderPanicError{Value: r}
		}
	}()
	return load()
}
