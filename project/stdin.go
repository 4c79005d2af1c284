package project

import (
	"fmt"
	"io"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/template"
)

// guardFiles scans every compose file the load will parse for alias bombs
// (see aliasGuard) before compose-go reads any. It reads `-f -` itself,
// since stdin can be read only once, and returns that content for
// feedStdin; nil when no file is stdin.
func guardFiles(po *cli.ProjectOptions, opts LoadOptions) ([]byte, error) {
	dir, err := po.GetWorkingDir()
	if err != nil {
		return nil, err
	}
	var lookup template.Mapping
	if !opts.NoInterpolate {
		lookup = func(k string) (string, bool) {
			v, ok := po.Environment[k]
			return v, ok
		}
	}
	g := newAliasGuard(lookup)
	var stdin []byte
	for _, path := range po.ConfigPaths {
		if path != "-" {
			if err := g.checkFile(path, []string{dir}); err != nil {
				return nil, err
			}
			continue
		}
		if stdin == nil {
			if stdin, err = readStdin(opts.Stdin); err != nil {
				return nil, err
			}
		}
		if err := g.check("stdin (-f -)", stdin, []string{dir}); err != nil {
			return nil, err
		}
	}
	return stdin, nil
}

// readStdin reads all of r (os.Stdin when nil). The result is never nil,
// so an empty stdin still counts as given.
func readStdin(r io.Reader) ([]byte, error) {
	if r == nil {
		r = os.Stdin
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading the compose file from stdin (-f -): %w", err)
	}
	if data == nil {
		data = []byte{}
	}
	return data, nil
}

// feedStdin runs load with os.Stdin replaced by a pipe that yields data,
// when data is not nil. compose-go reads `-f -` from os.Stdin itself and
// takes no reader, and guardFiles has already consumed the real one; the
// pipe also lets a second load (explainDependency) read it again. A
// panic inside compose-go comes back as a LoaderPanicError.
func feedStdin(data []byte, load func() error) error {
	if data == nil {
		return guardLoader(load)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("passing stdin to the compose loader: %w", err)
	}
	go func() {
		// An error here only means the loader stopped reading early and
		// the read end is closed; the loader reports its own error.
		_, _ = w.Write(data)
		_ = w.Close()
	}()
	saved := os.Stdin
	os.Stdin = r
	defer func() {
		os.Stdin = saved
		_ = r.Close()
	}()
	return guardLoader(load)
}
