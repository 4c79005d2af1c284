//go:build unix

package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const (
	// bigFileSize is the size of the file the issue asks cp to carry.
	bigFileSize = 200 << 20
	// cpRSSLimit bounds berth's peak resident memory during one cp: far
	// below bigFileSize, so a copy that held the file (or the archive) in
	// memory instead of streaming it fails.
	cpRSSLimit = 50 << 20
	// minPlausibleRSS catches a broken measurement: no Go binary runs in
	// less, so a smaller figure would pass the limit for the wrong reason.
	minPlausibleRSS = 1 << 20
)

// TestCpLargeRoundTrip: a 200 MB file and a tree with modes, an empty
// directory and a relative symlink go into a container and back out
// intact, while berth stays under 50 MB resident in each direction.
func TestCpLargeRoundTrip(t *testing.T) {
	dir, name := upProject(t)
	mustBerth(t, dir, name, nil, "up", "-d")
	web := name + "-web-1"
	base := t.TempDir()
	big := filepath.Join(base, "big.bin")
	want := writeRandomFile(t, big, bigFileSize)
	tree := filepath.Join(base, "tree")
	makeModeTree(t, tree)
	out := filepath.Join(base, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}

	measuredCp(t, dir, name, "big file in", big, "web:/tmp/big.bin")
	measuredCp(t, dir, name, "tree in", tree, "web:/tmp/tree")
	if got := inContainer(t, web, "sha256sum /tmp/big.bin | cut -d' ' -f1; stat -c %s /tmp/big.bin"); got != fmt.Sprintf("%s\n%d", want, bigFileSize) {
		t.Errorf("big file in the container: sha256 and size\n%s\nwant\n%s\n%d", got, want, bigFileSize)
	}
	checkTreeInContainer(t, web)

	measuredCp(t, dir, name, "big file out", "web:/tmp/big.bin", filepath.Join(out, "big.bin"))
	measuredCp(t, dir, name, "tree out", "web:/tmp/tree", out)
	if got := fileSHA256(t, filepath.Join(out, "big.bin")); got != want {
		t.Errorf("big file copied back: sha256 %s, want %s", got, want)
	}
	if got, orig := treeModes(t, filepath.Join(out, "tree")), treeModes(t, tree); !slices.Equal(got, orig) {
		t.Errorf("tree copied back:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(orig, "\n"))
	}
}

// measuredCp runs one `berth cp`, fails on a non-zero exit or when berth's
// peak resident memory passes cpRSSLimit; runBerthMeasured logs the cost.
func measuredCp(t *testing.T, dir, name, what, src, dst string) {
	t.Helper()
	m := runBerthMeasured(t, dir, nil, "-p", name, "cp", src, dst)
	if m.ExitCode != 0 {
		t.Fatalf("cp %s: %s", what, m.Result)
	}
	switch {
	case m.PeakRSS < minPlausibleRSS:
		t.Errorf("cp %s: peak RSS read as %d bytes: the measurement is broken", what, m.PeakRSS)
	case m.PeakRSS > cpRSSLimit:
		t.Errorf("cp %s: peak RSS %.1f MB, over the %d MB limit", what, m.MB(), cpRSSLimit>>20)
	}
}

// writeRandomFile writes size bytes of a seeded pseudo-random stream to p
// a chunk at a time (never the whole file in memory; incompressible, so
// no layer can shrink it) and returns its sha256 in hex.
func writeRandomFile(t *testing.T, p string, size int64) string {
	t.Helper()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	src := io.LimitReader(rand.NewChaCha8([32]byte{'b', 'e', 'r', 't', 'h'}), size)
	if _, err := io.Copy(io.MultiWriter(f, h), src); err != nil {
		t.Fatalf("writing %s: %v", p, err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// fileSHA256 hashes p as it reads it.
func fileSHA256(t *testing.T, p string) string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatalf("reading %s: %v", p, err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// makeModeTree makes, at root, a tree whose modes differ entry by entry:
//
//	tree/            0755
//	  secret         0600
//	  a/             0750
//	    run.sh       0755
//	    b/           0700
//	      deep.txt   0640
//	  empty/         0755  (nothing in it)
//	  link -> a/b/deep.txt
//
// Modes are set with Chmod after creation, so the umask cannot change them.
func makeModeTree(t *testing.T, root string) {
	t.Helper()
	j := func(p string) string { return filepath.Join(root, filepath.FromSlash(p)) }
	steps := []func() error{
		func() error { return os.MkdirAll(j("a/b"), 0o755) },
		func() error { return os.Mkdir(j("empty"), 0o755) },
		func() error { return os.WriteFile(j("secret"), []byte("not for others\n"), 0o600) },
		func() error { return os.WriteFile(j("a/run.sh"), []byte("#!/bin/sh\necho hi\n"), 0o755) },
		func() error { return os.WriteFile(j("a/b/deep.txt"), []byte("deep\n"), 0o640) },
		func() error { return os.Symlink("a/b/deep.txt", j("link")) },
	}
	modes := map[string]fs.FileMode{".": 0o755, "secret": 0o600, "a": 0o750, "a/run.sh": 0o755, "a/b": 0o700, "a/b/deep.txt": 0o640, "empty": 0o755}
	for _, p := range []string{".", "secret", "a", "a/run.sh", "a/b", "a/b/deep.txt", "empty"} {
		steps = append(steps, func() error { return os.Chmod(j(p), modes[p]) })
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
}

// treeModes lists each entry below root as "path kind mode [-> target]",
// sorted, so two trees compare as two slices.
func treeModes(t *testing.T, root string) []string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		line := fmt.Sprintf("%s %s %o", filepath.ToSlash(rel), kindOf(fi.Mode()), fi.Mode().Perm())
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			line = fmt.Sprintf("%s %s -> %s", filepath.ToSlash(rel), kindOf(fi.Mode()), target)
		case fi.Mode().IsRegular():
			content, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			line += fmt.Sprintf(" %q", content)
		}
		lines = append(lines, line)
		return nil
	})
	if err != nil {
		t.Fatalf("listing %s: %v", root, err)
	}
	slices.Sort(lines)
	return lines
}

func kindOf(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "dir"
	case m&fs.ModeSymlink != 0:
		return "symlink"
	case m.IsRegular():
		return "file"
	}
	return m.Type().String()
}

// checkTreeInContainer checks what makeModeTree's tree became in the
// container: the same entries, modes, link target and empty directory.
func checkTreeInContainer(t *testing.T, container string) {
	t.Helper()
	got := inContainer(t, container, `cd /tmp/tree && for p in $(find . | sort); do stat -c '%n %F %a' "$p"; done; readlink link; ls -A empty | wc -l`)
	want := strings.Join([]string{
		". directory 755",
		"./a directory 750",
		"./a/b directory 700",
		"./a/b/deep.txt regular file 640",
		"./a/run.sh regular file 755",
		"./empty directory 755",
		"./link symbolic link 777",
		"./secret regular file 600",
		"a/b/deep.txt",
		"0",
	}, "\n")
	if got != want {
		t.Errorf("tree in the container:\n%s\nwant:\n%s", got, want)
	}
}
