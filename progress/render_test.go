package progress

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ from the output")

// t0 is the fixed start of every scripted run.
var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

// run is an up of a small project as Apply reports it: a network, a pull
// with two layers, a recreate, a health wait, a failure and a warning.
func run() []Event {
	img := ID(Image, "busybox:latest")
	return []Event{
		{Kind: Network, Name: "demo_default", Status: Working, Text: "Creating", Time: at(0)},
		{Kind: Image, Name: "busybox:latest", Status: Working, Text: "Pulling", Time: at(10)},
		{Kind: Layer, Name: "3f4d90098f5b", Parent: img, Status: Working, Text: "Downloading", Current: 100, Total: 1000, Time: at(20)},
		{Kind: Network, Name: "demo_default", Status: Done, Text: "Created", Time: at(40)},
		{Kind: Layer, Name: "9a0b1c2d3e4f", Parent: img, Status: Done, Text: "Already exists", Time: at(50)},
		{Kind: Layer, Name: "3f4d90098f5b", Parent: img, Status: Working, Text: "Downloading", Current: 600, Total: 1000, Time: at(300)},
		{Kind: Layer, Name: "3f4d90098f5b", Parent: img, Status: Done, Text: "Pull complete", Time: at(900)},
		{Kind: Image, Name: "busybox:latest", Status: Done, Text: "Pulled", Time: at(1000)},
		{Kind: Container, Name: "demo-db-1", Status: Working, Text: "Recreate", Time: at(1000)},
		{Kind: Container, Name: "demo-db-1", Status: Working, Text: "Recreate", Time: at(1200)},
		{Kind: Container, Name: "demo-db-1", Status: Done, Text: "Recreated", Time: at(1500)},
		{Kind: Container, Name: "demo-db-1", Status: Working, Text: "Starting", Time: at(1500)},
		{Kind: Container, Name: "demo-db-1", Status: Done, Text: "Started", Time: at(1700)},
		{Kind: Service, Name: "db", Status: Working, Text: "Waiting", Time: at(1700)},
		{Kind: Service, Name: "db", Status: Done, Text: "Healthy", Time: at(2900)},
		{Kind: Container, Name: "demo-web-1", Status: Working, Text: "Creating", Time: at(2900)},
		{Kind: Container, Name: "demo-web-1", Status: Error, Text: "Error", Err: errors.New("port 8080 is already allocated"), Time: at(3000)},
		{Kind: Network, Name: "shared", Status: Warning, Text: "Kept", Err: errors.New("other containers still use it"), Time: at(3100)},
	}
}

func fixedClock() func() time.Time { return func() time.Time { return t0 } }

// TestGolden compares what the plain, json and quiet renderers print for
// the scripted run with testdata/<mode>.golden; -update rewrites them.
func TestGolden(t *testing.T) {
	for _, mode := range []string{ModePlain, ModeJSON, ModeQuiet} {
		t.Run(mode, func(t *testing.T) {
			var out bytes.Buffer
			r, err := New(mode, &out, Options{Now: fixedClock()})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range run() {
				r.Emit(e)
			}
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			if bytes.IndexByte(out.Bytes(), 0x1b) >= 0 {
				t.Errorf("%s output has an escape code:\n%q", mode, out.String())
			}
			golden(t, filepath.Join("testdata", mode+".golden"), out.String())
		})
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./progress/ -update to make it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test ./progress/ -update rewrites it):\n--- got\n%s--- want\n%s", path, got, want)
	}
}

func TestNewModes(t *testing.T) {
	tests := []struct {
		mode string
		tty  bool
		want string
	}{
		{mode: "", tty: false, want: "*progress.plain"},
		{mode: ModeAuto, tty: false, want: "*progress.plain"},
		{mode: ModeAuto, tty: true, want: "*progress.tty"},
		{mode: ModeTTY, tty: false, want: "*progress.tty"},
		{mode: ModePlain, tty: true, want: "*progress.plain"},
		{mode: ModeJSON, tty: true, want: "*progress.jsonLines"},
		{mode: ModeQuiet, tty: true, want: "*progress.quiet"},
	}
	for _, tt := range tests {
		r, err := New(tt.mode, &bytes.Buffer{}, Options{TTY: tt.tty})
		if err != nil {
			t.Fatal(err)
		}
		if got := typeName(r); got != tt.want {
			t.Errorf("New(%q, tty=%v) = %s, want %s", tt.mode, tt.tty, got, tt.want)
		}
		r.Close()
	}
	if _, err := New("fancy", nil, Options{}); err == nil || !strings.Contains(err.Error(), "fancy") {
		t.Errorf("unknown mode: error = %v, want one naming it", err)
	}
}

func typeName(r Renderer) string {
	switch r.(type) {
	case *plain:
		return "*progress.plain"
	case *tty:
		return "*progress.tty"
	case *jsonLines:
		return "*progress.jsonLines"
	case *quiet:
		return "*progress.quiet"
	}
	return "?"
}
