package build

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// IgnoreFile is the ignore file a build of the context uses, as docker
// does: <Dockerfile>.dockerignore beside the Dockerfile when there is
// one, else .dockerignore at the context's root; "" when neither exists.
// An inline Dockerfile has no file of its own to sit beside.
func IgnoreFile(contextDir, dockerfile string) (string, error) {
	var candidates []string
	if dockerfile != "" {
		candidates = append(candidates, dockerfile+".dockerignore")
	}
	candidates = append(candidates, filepath.Join(contextDir, ".dockerignore"))
	for _, c := range candidates {
		_, err := os.Stat(c)
		switch {
		case err == nil:
			return c, nil
		case !errors.Is(err, fs.ErrNotExist):
			return "", fmt.Errorf("looking for an ignore file: %w", err)
		}
	}
	return "", nil
}

// Excludes reads the patterns of an ignore file ("" gives none), checked
// so that a bad one is reported with the file it is in.
func Excludes(path string) ([]string, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if _, err := patternmatcher.New(patterns); err != nil {
		return nil, fmt.Errorf("%s has a pattern that is not valid: %w", path, err)
	}
	return patterns, nil
}

// Excluded reports whether the file at rel (a slash-separated path in the
// context) stays out of the context under patterns: a folder that is out
// takes everything in it along, unless a later "!" pattern brings a file
// back.
func Excluded(patterns []string, rel string) (bool, error) {
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return false, err
	}
	return pm.MatchesOrParentMatches(filepath.FromSlash(rel))
}
