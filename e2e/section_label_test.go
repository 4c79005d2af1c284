package e2e

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"
)

const (
	sectionsLabel       = "berth.config-sections"
	olderSectionsPrefix = "berth.config-hash."
)

// sectionsValue is what berth writes in sectionsLabel: sorted
// section=digest entries with 12-hex-digit digests.
var sectionsValue = regexp.MustCompile(`^[a-z]+=[0-9a-f]{12}(,[a-z]+=[0-9a-f]{12})*$`)

// TestSectionsLabel: a container berth creates carries its section digests
// in one berth.config-sections label and none of the older eight, and a
// recreate's reason still names the section that changed.
func TestSectionsLabel(t *testing.T) {
	dir, name := upProject(t)
	mustBerth(t, dir, name, nil, "up", "-d")
	web := name + "-web-1"
	checkOneSectionsLabel(t, "after up", containerNamed(t, name, web))

	before := ids(t, name)
	plan := mustBerth(t, dir, name, []string{"GREETING=bye"}, "--dry-run", "up", "-d").Stdout
	if got, want := createReason(plan, web), "configuration changed: environment"; got != want {
		t.Errorf("--dry-run with a new environment: create reason %q, want %q\n%s", got, want, plan)
	}
	expectReplaced(t, "--dry-run", before, ids(t, name))

	mustBerth(t, dir, name, []string{"GREETING=bye"}, "up", "-d")
	expectReplaced(t, "up with a new environment", before, ids(t, name), web)
	checkOneSectionsLabel(t, "after the recreate", containerNamed(t, name, web))
}

// TestSectionsLabelOfOlderBerth: a container an older berth made, with the
// eight berth.config-hash.<section> labels, still gets a reason that names
// sections, and its replacement carries the one label instead.
func TestSectionsLabelOfOlderBerth(t *testing.T) {
	dir, name := upProject(t)
	web := name + "-web-1"
	// Digests no config has: every section reads as changed.
	labels := map[string]string{
		"com.docker.compose.project": name, "com.docker.compose.service": "web",
		"com.docker.compose.container-number": "1", "com.docker.compose.oneoff": "False",
		"com.docker.compose.config-hash": strings.Repeat("0", 64),
	}
	sections := []string{"command", "environment", "image", "networks", "other", "ports", "resources", "volumes"}
	for _, sec := range sections {
		labels[olderSectionsPrefix+sec] = strings.Repeat("0", 64)
	}
	createLabelledContainer(t, web, labels)
	before := ids(t, name)

	plan := mustBerth(t, dir, name, nil, "--dry-run", "up", "-d").Stdout
	if got, want := createReason(plan, web), "configuration changed: "+strings.Join(sections, ", "); got != want {
		t.Errorf("--dry-run over an older berth's container: create reason %q, want %q\n%s", got, want, plan)
	}
	mustBerth(t, dir, name, nil, "up", "-d")
	expectReplaced(t, "up over an older berth's container", before, ids(t, name), web)
	checkOneSectionsLabel(t, "after the recreate", containerNamed(t, name, web))
}

// checkOneSectionsLabel: c carries sectionsLabel in berth's form, naming the
// environment among its sections, and no label of the older form.
func checkOneSectionsLabel(t *testing.T, step string, c containerInfo) {
	t.Helper()
	var older []string
	for k := range c.Config.Labels {
		if strings.HasPrefix(k, olderSectionsPrefix) {
			older = append(older, k)
		}
	}
	sort.Strings(older)
	if len(older) > 0 {
		t.Errorf("%s: %s carries the older labels %v", step, c.Name, older)
	}
	value, ok := c.Config.Labels[sectionsLabel]
	switch {
	case !ok:
		t.Errorf("%s: %s lacks %s; labels %v", step, c.Name, sectionsLabel, c.Config.Labels)
	case !sectionsValue.MatchString(value) || !strings.Contains(value, "environment="):
		t.Errorf("%s: %s = %q, want sorted section=digest entries, environment among them", step, sectionsLabel, value)
	}
}

// createReason is the reason (in parentheses at the end) of the line of
// plan, as --dry-run prints it, that creates container; "" without one.
func createReason(plan, container string) string {
	for _, line := range strings.Split(plan, "\n") {
		if !strings.HasPrefix(line, "create:"+container+" ") || !strings.HasSuffix(line, ")") {
			continue
		}
		if i := strings.LastIndex(line, " ("); i >= 0 {
			return line[i+2 : len(line)-1]
		}
	}
	return ""
}

// createLabelledContainer makes a stopped busybox container with labels,
// as another tool (or an older berth) would have left it.
func createLabelledContainer(t *testing.T, name string, labels map[string]string) {
	t.Helper()
	code, body := dockerAPIJSON(t, "POST", "/containers/create?name="+name, map[string]any{
		"Image": "busybox", "Cmd": []string{"sleep", "3600"}, "Labels": labels,
	})
	if code != 201 {
		t.Fatalf("creating %s: %d %s", name, code, body)
	}
	var created struct {
		ID string `json:"Id"`
	}
	if err := json.Unmarshal(body, &created); err != nil || created.ID == "" {
		t.Fatalf("creating %s: no id in %s (%v)", name, body, err)
	}
}
