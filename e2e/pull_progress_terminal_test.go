package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// pullCase is an image the pull progress tests pull, and whether its pull
// downloads a layer (and so draws a progress bar and sends layer events).
type pullCase struct {
	name   string
	ref    string
	layers bool
}

// pullCases are the two images pulled: the registry's busybox, whose
// layers the engine keeps under busybox:latest, so only the tag comes
// down; and an image made here with a layer of random data of its own,
// pushed to the registry, so its pull moves bytes while it is drawn.
func pullCases(t *testing.T, name string) []pullCase {
	t.Helper()
	registry := requireRegistry(t)
	repo := registry + "/berth-e2e/" + name
	own := repo + ":1"
	t.Cleanup(func() { dockerAPI(t, "DELETE", "/images/"+own+"?force=1") })
	commitImage(t, repo, "1", "head -c 2000000 /dev/urandom > /payload")
	code, body := engineWithHeader(t, "POST", "/images/"+repo+"/push?tag=1", "X-Registry-Auth", registryAuthHeader("", ""))
	if code != 200 || strings.Contains(string(body), `"error"`) {
		t.Fatalf("pushing %s: %d %s", own, code, body)
	}
	return []pullCase{
		{name: "busybox", ref: registry + "/berth/busybox:latest"},
		{name: "layer", ref: own, layers: true},
	}
}

// pullImageIn makes ref the image of the project in dir, through .env:
// berth in a tmux pane gets no variables of the test's.
func pullImageIn(t *testing.T, dir, ref string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte("PULL_IMAGE="+ref+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// pullProject is the project of the test named, under a unique name, with
// a `down -v` when the test ends (pull makes nothing, but a failing berth
// might have).
func pullProject(t *testing.T, testName string) (dir, name string) {
	t.Helper()
	dir, name = projectDir(t, testName), uniqueProjectName(t)
	t.Cleanup(func() {
		if res := runBerth(t, dir, nil, "-p", name, "down", "-v", "-t", "0"); res.ExitCode != 0 {
			t.Errorf("cleanup down -v: %s", res)
		}
	})
	return dir, name
}

// TestPullProgressTerminal: in a tmux pane of 40 and of 100 columns,
// `pull` of two services sharing an image the engine lacks ends with one
// row, the image's, saying Pulled, and no row wider than the pane; for an
// image with a layer to download too, whose progress bar is drawn (and
// redrawn) while it comes down.
func TestPullProgressTerminal(t *testing.T) {
	requireEngine(t)
	tmux := ensureTmux(t)
	dir, name := pullProject(t, "TestPullProgressTerminal")
	for _, c := range pullCases(t, name) {
		for _, width := range []int{40, 100} {
			t.Run(c.name+"/"+strconv.Itoa(width), func(t *testing.T) {
				pullImageIn(t, dir, c.ref)
				removeImage(t, c.ref)
				screen := runInPane(t, tmux, dir, width, "-p", name, "pull")
				checkPullScreen(t, screen, width, c.ref)
				if !exists(t, "/images/"+c.ref+"/json") {
					t.Errorf("%s is not on the engine after the pull", c.ref)
				}
			})
		}
	}
}

// checkPullScreen checks a pane's final screen after a pull of ref: one
// row, finished well, saying Pulled, and naming ref in full when it fits.
func checkPullScreen(t *testing.T, screen string, width int, ref string) {
	t.Helper()
	rows := nonEmpty(screen)
	for _, r := range rows {
		if n := utf8.RuneCountInString(r); n > width {
			t.Errorf("row of %d columns in a pane of %d: %q", n, width, r)
		}
	}
	if len(rows) != 1 {
		t.Fatalf("screen has %d rows, want 1, the image's:\n%s", len(rows), screen)
	}
	row := rows[0]
	if !strings.HasPrefix(row, " ✔ Image ") || !strings.Contains(row, " Pulled ") {
		t.Errorf("row %q: want a finished Image row saying Pulled", row)
	}
	// "Image REF  Pulled TIME" fits in len+30 columns with room to spare;
	// in fewer the reference may be cut, as the renderer's unit tests check.
	if width >= len(ref)+30 && !strings.Contains(row, " Image "+ref+" ") {
		t.Errorf("row %q does not name %s in full in %d columns", row, ref, width)
	}
}

// TestPullProgressPlainJSON: with --progress plain, `pull` of an image the
// engine lacks shows one Pulling and one Pulled line for it, and with
// --progress json only JSON lines, among them the image's Working and Done
// events (and, for a layer to download, the layer's events under the
// image); neither has an escape code.
func TestPullProgressPlainJSON(t *testing.T) {
	dir, name := pullProject(t, "TestPullProgressPlainJSON")
	for _, c := range pullCases(t, name) {
		t.Run(c.name+"/plain", func(t *testing.T) {
			pullImageIn(t, dir, c.ref)
			removeImage(t, c.ref)
			res := runBerth(t, dir, nil, "-p", name, "--progress", "plain", "pull")
			if res.ExitCode != 0 {
				t.Fatalf("pull: %s", res)
			}
			checkNoEscapes(t, res)
			for _, state := range []string{"Pulling", "Pulled"} {
				if n := strings.Count(res.Stderr, " Image "+c.ref+"  "+state); n != 1 {
					t.Errorf("%d lines say the image is %s, want 1: %s", n, state, res)
				}
			}
			if strings.Contains(res.Stderr, "Layer") {
				t.Errorf("plain output shows layer updates: %s", res)
			}
		})
		t.Run(c.name+"/json", func(t *testing.T) {
			pullImageIn(t, dir, c.ref)
			removeImage(t, c.ref)
			res := runBerth(t, dir, nil, "-p", name, "--progress", "json", "pull")
			if res.ExitCode != 0 {
				t.Fatalf("pull: %s", res)
			}
			checkNoEscapes(t, res)
			checkPullJSON(t, res.Stderr, c)
		})
	}
}

// pullEvent is the part of a --progress json line these tests read.
type pullEvent struct {
	ID       string `json:"id"`
	ParentID string `json:"parent_id"`
	Status   string `json:"status"`
	Text     string `json:"text"`
	Kind     string `json:"kind"`
}

// checkPullJSON checks that every line of out is a JSON object, that the
// image's own events are one Working "Pulling" and one Done "Pulled", in
// that order, and that a pull with a layer to download has layer events
// under the image.
func checkPullJSON(t *testing.T, out string, c pullCase) {
	t.Helper()
	image := "Image " + c.ref
	var own []string
	layers := 0
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var e pullEvent
		if err := json.Unmarshal([]byte(line), &e); err != nil || e.ID == "" {
			t.Errorf("line %q is not a progress event in JSON (%v)", line, err)
			continue
		}
		switch {
		case e.ID == image:
			own = append(own, e.Status+" "+e.Text)
		case e.ParentID == image && e.Kind == "Layer":
			layers++
		}
	}
	if want := []string{"Working Pulling", "Done Pulled"}; strings.Join(own, ", ") != strings.Join(want, ", ") {
		t.Errorf("events of %s = %q, want %q:\n%s", image, own, want, out)
	}
	if c.layers && layers == 0 {
		t.Errorf("no layer events under %s, though a layer came down:\n%s", image, out)
	}
}

// checkNoEscapes fails when berth wrote an escape code (or its JSON
// spelling) where no terminal is.
func checkNoEscapes(t *testing.T, res Result) {
	t.Helper()
	for _, s := range []string{res.Stdout, res.Stderr} {
		if strings.Contains(s, "\x1b") || strings.Contains(s, `\u001b`) {
			t.Errorf("escape code in output without a terminal: %q", s)
		}
	}
}
