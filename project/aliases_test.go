package project

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	yamlv4 "go.yaml.in/yaml/v4"
	"gopkg.in/yaml.v3"
)

// aliasBomb returns YAML whose anchors nest levels deep, each anchored list
// repeating the previous anchor width times: width^levels nodes once
// expanded, from a few hundred bytes.
func aliasBomb(levels, width int) string {
	var b strings.Builder
	b.WriteString("x-l0: &l0 [" + strings.TrimSuffix(strings.Repeat(`"lol",`, width), ",") + "]\n")
	for i := 1; i < levels; i++ {
		ref := fmt.Sprintf("*l%d,", i-1)
		fmt.Fprintf(&b, "x-l%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(ref, width), ","))
	}
	return b.String()
}

// bombProject is a compose file with the 9-level bomb used by a service.
var bombProject = "name: bomb\n" + aliasBomb(9, 9) + "services:\n  web:\n    image: busybox\n    command: *l8\n"

func TestLoadRejectsAliasBombs(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		paths    []string // -f; the project folder's compose.yaml when empty
		stdin    string
		environ  []string
		wantFile string // the file the error names, relative to the project folder
	}{
		{
			name:     "bomb in the compose file",
			files:    map[string]string{"compose.yaml": bombProject},
			wantFile: "compose.yaml",
		},
		{
			name: "bomb of mappings",
			files: map[string]string{"compose.yaml": "services: {web: {image: x}}\n" +
				"x-0: &m0 {a: 1, b: 1, c: 1, d: 1, e: 1, f: 1, g: 1, h: 1, i: 1}\n" +
				"x-1: &m1 {a: *m0, b: *m0, c: *m0, d: *m0, e: *m0, f: *m0, g: *m0, h: *m0, i: *m0}\n" +
				"x-2: &m2 {a: *m1, b: *m1, c: *m1, d: *m1, e: *m1, f: *m1, g: *m1, h: *m1, i: *m1}\n" +
				"x-3: &m3 {a: *m2, b: *m2, c: *m2, d: *m2, e: *m2, f: *m2, g: *m2, h: *m2, i: *m2}\n" +
				"x-4: &m4 {a: *m3, b: *m3, c: *m3, d: *m3, e: *m3, f: *m3, g: *m3, h: *m3, i: *m3}\n" +
				"x-5: &m5 {a: *m4, b: *m4, c: *m4, d: *m4, e: *m4, f: *m4, g: *m4, h: *m4, i: *m4}\n" +
				"x-6: &m6 {a: *m5, b: *m5, c: *m5, d: *m5, e: *m5, f: *m5, g: *m5, h: *m5, i: *m5}\n" +
				"x-7: &m7 {a: *m6, b: *m6, c: *m6, d: *m6, e: *m6, f: *m6, g: *m6, h: *m6, i: *m6}\n"},
			wantFile: "compose.yaml",
		},
		{
			name: "bomb in an override file",
			files: map[string]string{
				"compose.yaml":          "name: ok\nservices: {web: {image: x}}\n",
				"compose.override.yaml": bombProject,
			},
			wantFile: "compose.override.yaml",
		},
		{
			name: "bomb in an included file",
			files: map[string]string{
				"compose.yaml":    "name: inc\ninclude: [sub/bomb.yaml]\nservices: {web: {image: x}}\n",
				"sub/bomb.yaml":   bombProject,
				"sub/unused.yaml": "services: {}\n",
			},
			wantFile: "sub/bomb.yaml",
		},
		{
			name: "bomb included by an included file, with the long syntax",
			files: map[string]string{
				"compose.yaml":      "name: inc\ninclude: [{path: [sub/a.yaml]}]\nservices: {web: {image: x}}\n",
				"sub/a.yaml":        "include: [deeper/b.yaml]\nservices: {a: {image: x}}\n",
				"sub/deeper/b.yaml": bombProject,
			},
			wantFile: "sub/deeper/b.yaml",
		},
		{
			name: "bomb behind an interpolated include path",
			files: map[string]string{
				"compose.yaml":  "name: inc\ninclude: ['${PARTS}/bomb.yaml']\nservices: {web: {image: x}}\n",
				"sub/bomb.yaml": bombProject,
			},
			environ:  []string{"PARTS=sub"},
			wantFile: "sub/bomb.yaml",
		},
		{
			name: "bomb in an extends file",
			files: map[string]string{
				"compose.yaml":     "name: ext\nservices: {web: {extends: {file: base/common.yaml, service: web}}}\n",
				"base/common.yaml": bombProject,
			},
			wantFile: "base/common.yaml",
		},
		{
			name: "extends reached through a merge key",
			files: map[string]string{
				"compose.yaml": "name: ext\nx-base: &base {extends: {file: common.yaml, service: web}}\n" +
					"services: {web: {<<: *base}}\n",
				"common.yaml": bombProject,
			},
			wantFile: "common.yaml",
		},
		{
			name:     "bomb on stdin",
			files:    map[string]string{},
			paths:    []string{"-"},
			stdin:    bombProject,
			wantFile: "stdin (-f -)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			opts := LoadOptions{ProjectDir: dir, Environ: tt.environ, Stdin: strings.NewReader(tt.stdin)}
			for _, p := range tt.paths {
				if p != "-" {
					p = filepath.Join(dir, p)
				}
				opts.ConfigPaths = append(opts.ConfigPaths, p)
			}
			var err error
			allocated := allocatedBy(func() { _, err = Load(context.Background(), opts) })

			var bomb *AliasBombError
			if !errors.As(err, &bomb) {
				t.Fatalf("error = %v, want an AliasBombError", err)
			}
			want := tt.wantFile
			if !strings.HasPrefix(want, "stdin") {
				want = filepath.Join(dir, want)
			}
			if bomb.File != want || !strings.HasPrefix(err.Error(), want+": ") {
				t.Errorf("error names %q (%q), want %q", bomb.File, err, want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans lines, want one", err)
			}
			// The expansion is billions of nodes; the scan's cost is the
			// file's size.
			if allocated > 50<<20 {
				t.Errorf("rejecting it allocated %d MB, want under 50", allocated>>20)
			}
		})
	}
}

func TestLoadModelRejectsAliasBomb(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": bombProject})
	_, err := LoadModel(context.Background(), LoadOptions{ProjectDir: dir})
	var bomb *AliasBombError
	if !errors.As(err, &bomb) {
		t.Fatalf("error = %v, want an AliasBombError", err)
	}
}

// allocatedBy returns the bytes fn allocated on the heap.
func allocatedBy(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestLoadRejectsSpecialFileIncludes(t *testing.T) {
	for _, tt := range []struct{ name, compose string }{
		{"include", "name: dev\ninclude: [/dev/zero]\nservices: {web: {image: x}}\n"},
		{"extends", "name: dev\nservices: {web: {extends: {file: /dev/zero, service: web}}}\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"compose.yaml": tt.compose})
			_, err := Load(context.Background(), LoadOptions{ProjectDir: dir})
			var special *SpecialFileError
			if !errors.As(err, &special) || special.Path != "/dev/zero" {
				t.Fatalf("error = %v, want a SpecialFileError for /dev/zero", err)
			}
		})
	}
}

// TestLoadAnchorsUnchanged checks that files using anchors, aliases and
// merge keys the way real projects do load exactly like their hand-expanded
// equivalent: the guard only reads.
func TestLoadAnchorsUnchanged(t *testing.T) {
	withAnchors := `name: anchors
x-common: &common
  restart: unless-stopped
  environment: &env {LEVEL: debug, TZ: UTC}
  labels: [com.example.team=core]
x-small: &small ` + "[" + strings.TrimSuffix(strings.Repeat(`"x",`, 9), ",") + `]
x-medium: &medium [*small, *small, *small, *small, *small, *small, *small, *small, *small]
services:
  web:
    <<: *common
    image: busybox
    command: [sh, -c, "echo hi"]
  worker:
    <<: *common
    image: busybox
    environment:
      <<: *env
      QUEUE: jobs
    labels:
      x-sizes: "${SIZES:-none}"
    x-medium: *medium
    extends: {file: base.yaml, service: base}
`
	expanded := `name: anchors
services:
  web:
    restart: unless-stopped
    environment: {LEVEL: debug, TZ: UTC}
    labels: [com.example.team=core]
    image: busybox
    command: [sh, -c, "echo hi"]
  worker:
    restart: unless-stopped
    image: busybox
    environment: {LEVEL: debug, TZ: UTC, QUEUE: jobs}
    labels:
      x-sizes: "${SIZES:-none}"
    x-medium: [` + strings.TrimSuffix(strings.Repeat("["+strings.TrimSuffix(strings.Repeat(`"x",`, 9), ",")+"],", 9), ",") + `]
    extends: {file: base.yaml, service: base}
`
	dir := writeFiles(t, map[string]string{
		"anchors.yaml":  withAnchors,
		"expanded.yaml": expanded,
		"base.yaml":     "services: {base: {image: busybox, x-from: base}}\n",
	})
	load := func(file string) string {
		t.Helper()
		p, err := Load(context.Background(), LoadOptions{ProjectDir: dir, ConfigPaths: []string{filepath.Join(dir, file)}})
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		out, err := yaml.Marshal(p.Services)
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	got, want := load("anchors.yaml"), load("expanded.yaml")
	if got != want {
		t.Errorf("with anchors:\n%s\nwant, as hand-expanded:\n%s", got, want)
	}
	if !strings.Contains(got, "x-from: base") || !strings.Contains(got, "QUEUE: jobs") {
		t.Errorf("services lack the extended or merged attributes:\n%s", got)
	}
}

func TestMeasure(t *testing.T) {
	limits := extent{nodes: 1000, depth: 100}
	tests := []struct {
		name  string
		yaml  string
		want  extent
		cycle string // the anchor found inside itself
	}{
		{name: "scalar", yaml: "a", want: extent{nodes: 2, depth: 2}}, // document + scalar
		{name: "list", yaml: "[a, b, c]", want: extent{nodes: 5, depth: 3}},
		{name: "alias counts its target", yaml: "[&x [a, b], *x]", want: extent{nodes: 8, depth: 4}},
		{name: "nested aliases multiply", yaml: "[&x [a, a, a], &y [*x, *x, *x], *y]", want: extent{nodes: 1 + 1 + 4 + 13 + 13, depth: 5}},
		{name: "saturates past the node limit", yaml: aliasBomb(9, 9), want: extent{nodes: 1001, depth: 7}}, // as far as it went
		{name: "stops past the depth limit", yaml: strings.Repeat("[", 500) + strings.Repeat("]", 500), want: extent{nodes: 101, depth: 101}},
		{name: "anchor inside itself ends", yaml: "&x [a, *x]", want: extent{nodes: 4, depth: 3}, cycle: "x"},
		{name: "anchor merged into itself ends", yaml: "x: &x {<<: *x, a: 1}", want: extent{nodes: 8, depth: 4}, cycle: "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := parseDocuments([]byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			got, seen := measure(docs, limits)
			if got != tt.want {
				t.Errorf("measure = %+v, want %+v", got, tt.want)
			}
			if gotCycle := anchorOf(seen.cycle); gotCycle != tt.cycle {
				t.Errorf("cycle = %q, want %q", gotCycle, tt.cycle)
			}
		})
	}
}

func anchorOf(n *yamlv4.Node) string {
	if n == nil {
		return ""
	}
	return n.Anchor
}

func TestLoadRejectsAliasCycle(t *testing.T) {
	// Found by FuzzLoad: compose-go took half a minute to give up on it.
	dir := writeFiles(t, map[string]string{"compose.yaml": "name: c\nx-common: &common\n    <<: *common\n    image: bv\n"})
	_, err := Load(context.Background(), LoadOptions{ProjectDir: dir})
	var cycle *AliasCycleError
	if !errors.As(err, &cycle) || cycle.Anchor != "common" || cycle.Line != 2 {
		t.Fatalf("error = %v, want an AliasCycleError for &common at line 2", err)
	}
}

func TestLoadRejectsDeepNesting(t *testing.T) {
	deep := "name: deep\nservices: {web: {image: x}}\nx-deep: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n"
	dir := writeFiles(t, map[string]string{"compose.yaml": deep})
	_, err := Load(context.Background(), LoadOptions{ProjectDir: dir})
	var nesting *NestingError
	if !errors.As(err, &nesting) || nesting.File != filepath.Join(dir, "compose.yaml") {
		t.Fatalf("error = %v, want a NestingError naming compose.yaml", err)
	}
}
