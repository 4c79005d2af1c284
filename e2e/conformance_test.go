package e2e

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestConformance replays every recorded `docker compose` case (stdout byte
// for byte, or the error's exit code and text) against the berth binary,
// following the corpus README's procedure. The shared corpus beside the
// repository is the source of truth; the copy under testdata serves clones
// that do not have it.
func TestConformance(t *testing.T) {
	for _, root := range conformanceRoots(t) {
		cases, err := filepath.Glob(filepath.Join(root, "*", "args"))
		if err != nil || len(cases) == 0 {
			t.Fatalf("no conformance cases under %s", root)
		}
		sort.Strings(cases)
		for _, args := range cases {
			dir := filepath.Dir(args)
			t.Run(filepath.Base(root)+"/"+filepath.Base(dir), func(t *testing.T) {
				t.Parallel()
				runConformanceCase(t, dir)
			})
		}
	}
}

// conformanceRoots lists the corpus folders: the shared one when present,
// and this repository's own cases.
func conformanceRoots(t *testing.T) []string {
	shared := filepath.Join("..", "..", "shared", "conformance", "config")
	if _, err := os.Stat(shared); err != nil {
		shared = filepath.Join("testdata", "conformance", "config")
	}
	return []string{shared, filepath.Join("testdata", "config")}
}

func runConformanceCase(t *testing.T, dir string) {
	wd := filepath.Join(t.TempDir(), readLine(t, dir, "dirname", "project"))
	copyTree(t, filepath.Join(dir, "files"), wd)
	wd, err := filepath.EvalSymlinks(wd)
	if err != nil {
		t.Fatal(err)
	}
	argv, err := splitShellWords(readLine(t, dir, "args", ""))
	if err != nil {
		t.Fatalf("args: %v", err)
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	env = append(env, readLines(t, filepath.Join(dir, "env"))...)

	ctx, cancel := context.WithTimeout(context.Background(), berthTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, berthBinary(t), argv...)
	cmd.Dir, cmd.Env = wd, env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	got := strings.ReplaceAll(stdout.String(), wd, "${PROJECT_DIR}")

	if _, err := os.Stat(filepath.Join(dir, "expected-exit")); err == nil {
		checkErrorCase(t, dir, runErr, got, stderr.String())
		return
	}
	if runErr != nil {
		t.Fatalf("berth %s: %v\nstderr:\n%s", strings.Join(argv, " "), runErr, stderr.String())
	}
	want, err := os.ReadFile(filepath.Join(dir, "expected"))
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("stdout differs from docker compose's\n--- want\n%s\n--- got\n%s\n--- stderr\n%s", want, got, stderr.String())
	}
}

func checkErrorCase(t *testing.T, dir string, runErr error, stdout, stderr string) {
	want := readLine(t, dir, "expected-exit", "")
	var exit *exec.ExitError
	if !errors.As(runErr, &exit) {
		t.Fatalf("berth did not exit with an error (%v), want exit code %s", runErr, want)
	}
	// Strict mode of the corpus README: the very code docker compose gave.
	if got := strconv.Itoa(exit.ExitCode()); got != want {
		t.Errorf("exit code %s, want %s", got, want)
	}
	if stdout != "" {
		t.Errorf("stdout not empty on failure:\n%s", stdout)
	}
	for _, want := range readLines(t, filepath.Join(dir, "expected-stderr-contains")) {
		if !strings.Contains(strings.ToLower(stderr), strings.ToLower(want)) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// readLine returns the first line of dir/name, or def when the file is absent.
func readLine(t *testing.T, dir, name, def string) string {
	lines := readLines(t, filepath.Join(dir, name))
	if len(lines) == 0 {
		return def
	}
	return lines[0]
}

// readLines returns the non-empty lines of a file; a missing file has none.
func readLines(t *testing.T, path string) []string {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// copyTree copies src into dst, dotfiles included.
func copyTree(t *testing.T, src, dst string) {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", "-a", src+"/.", dst+"/").CombinedOutput(); err != nil {
		t.Fatalf("copying %s: %v: %s", src, err, out)
	}
}

// splitShellWords splits a line like a POSIX shell (quotes and backslashes),
// without expansion or globbing, as the corpus README asks.
func splitShellWords(line string) ([]string, error) {
	var (
		words   []string
		cur     strings.Builder
		inWord  bool
		quote   rune
		escaped bool
	)
	for _, r := range line {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case r == '\\' && quote != '\'':
			escaped, inWord = true, true
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 || escaped {
		return nil, errUnterminated
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

var errUnterminated = errors.New("unterminated quote or trailing backslash")
