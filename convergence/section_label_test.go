package convergence

import (
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-compose/berth/project"
)

func TestEncodeSections(t *testing.T) {
	tests := []struct {
		name   string
		hashes map[string]string
		want   string
	}{
		{"sorted and shortened", map[string]string{
			SectionPorts:   sha256Hex("ports"),
			SectionCommand: sha256Hex("command"),
		}, "command=" + sha256Hex("command")[:12] + ",ports=" + sha256Hex("ports")[:12]},
		{"a short digest is kept whole", map[string]string{SectionImage: "1a2b3c4d"}, "image=1a2b3c4d"},
		{"none", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertEqual(t, "label", encodeSections(tt.hashes), tt.want)
		})
	}
}

func TestDecodeSections(t *testing.T) {
	tests := []struct {
		name    string
		value   string
		want    map[string]string
		wantErr string
	}{
		{"two sections", "command=1a2b3c4d5e6f,ports=0123456789ab",
			map[string]string{SectionCommand: "1a2b3c4d5e6f", SectionPorts: "0123456789ab"}, ""},
		{"a full hash", "image=" + sha256Hex("x"), map[string]string{SectionImage: sha256Hex("x")}, ""},
		{"a section berth does not know yet", "later=1a2b3c4d", map[string]string{"later": "1a2b3c4d"}, ""},
		{"empty", "", nil, "empty section list"},
		{"no equals sign", "command", nil, `entry "command": want section=digest`},
		{"no section name", "=1a2b3c4d", nil, `entry "=1a2b3c4d": want section=digest`},
		{"repeated section", "image=1a2b3c4d,image=1a2b3c4d", nil, `section "image" appears twice`},
		{"digest too short", "image=1a2b", nil, `section "image": digest "1a2b" is not 8 to 64 hex digits`},
		{"digest not hex", "image=1A2B3C4D", nil, `section "image": digest "1A2B3C4D" is not 8 to 64 hex digits`},
		{"trailing comma", "image=1a2b3c4d,", nil, `entry "": want section=digest`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeSections(tt.value)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			assertEqual(t, "error", gotErr, tt.wantErr)
			assertEqual(t, "sections", got, tt.want)
		})
	}
}

// TestSectionsChanged: both label forms name the same sections, the newer
// one wins, and labels that record nothing usable name none.
func TestSectionsChanged(t *testing.T) {
	s := types.ServiceConfig{Name: "web"}
	s.Image = "web:1"
	now := SectionHashes(s)
	// then is now with the given sections recorded as something else.
	then := func(changed ...string) map[string]string {
		out := map[string]string{}
		for sec, h := range now {
			out[sec] = h
		}
		for _, sec := range changed {
			out[sec] = sha256Hex("before " + sec)
		}
		return out
	}
	newLabel := func(hashes map[string]string) map[string]string {
		return map[string]string{LabelConfigSections: encodeSections(hashes)}
	}
	oldLabels := func(hashes map[string]string) map[string]string {
		out := map[string]string{}
		for sec, h := range hashes {
			out[LabelSectionHashPrefix+sec] = h
		}
		return out
	}
	merged := func(a, b map[string]string) map[string]string {
		for k, v := range b {
			a[k] = v
		}
		return a
	}
	withoutPorts := then()
	delete(withoutPorts, SectionPorts)
	tests := []struct {
		name   string
		labels map[string]string
		want   []string
	}{
		{"new label, two sections changed", newLabel(then(SectionPorts, SectionEnvironment)), []string{SectionEnvironment, SectionPorts}},
		{"new label, nothing changed", newLabel(then()), nil},
		{"old labels, two sections changed", oldLabels(then(SectionPorts, SectionEnvironment)), []string{SectionEnvironment, SectionPorts}},
		{"old labels, nothing changed", oldLabels(then()), nil},
		{"new label wins over old ones", merged(newLabel(then(SectionImage)), oldLabels(then(SectionPorts))), []string{SectionImage}},
		{"made by docker compose: no berth label", map[string]string{LabelConfigHash: "abc"}, nil},
		{"new label lacks a section", newLabel(withoutPorts), nil},
		{"old labels lack a section", oldLabels(withoutPorts), nil},
		{"new label unreadable", map[string]string{LabelConfigSections: "garbage"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertEqual(t, "changed", sectionsChanged(now, tt.labels), tt.want)
		})
	}
}

// TestPlanUpNamesChangedSections: a recreate's reason names the sections
// that changed, read from the labels of a container made by this berth or
// by an older one, and says only "configuration changed" for one docker
// compose made.
func TestPlanUpNamesChangedSections(t *testing.T) {
	before := specProject(t, "name: shop\nservices: {web: {image: web:1, environment: {A: '1'}}}\n")
	after := specProject(t, "name: shop\nservices: {web: {image: web:1, environment: {A: '2'}, ports: ['8080:80']}}\n")
	spec, _ := specOf(t, before, "web", SpecOptions{})
	berthLabels := spec.Config.Labels
	olderBerthLabels := map[string]string{}
	composeLabels := map[string]string{}
	for k, v := range berthLabels {
		if k != LabelConfigSections {
			olderBerthLabels[k] = v
			composeLabels[k] = v
		}
	}
	for sec, h := range SectionHashes(before.Services["web"]) {
		olderBerthLabels[LabelSectionHashPrefix+sec] = h
	}
	tests := []struct {
		name   string
		labels map[string]string
		want   string
	}{
		{"made by berth", berthLabels, "configuration changed: environment, ports"},
		{"made by an older berth", olderBerthLabels, "configuration changed: environment, ports"},
		{"made by docker compose", composeLabels, "configuration changed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := running(t, before, "web", 1)
			c.Labels = tt.labels
			g, err := project.NewGraph(after)
			if err != nil {
				t.Fatal(err)
			}
			plan, err := PlanUp(after, g, withDefaultNetwork(observed(after, c)), UpOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := createReason(plan, "create:shop-web-1"); got != tt.want {
				t.Errorf("create reason = %q, want %q\nplan:\n%s", got, tt.want, plan)
			}
		})
	}
}

// TestSectionsLabelIsShort: all sections fit one label of a readable
// length, each with a 12-digit digest.
func TestSectionsLabelIsShort(t *testing.T) {
	value := encodeSections(SectionHashes(types.ServiceConfig{Name: "web"}))
	entries := strings.Split(value, ",")
	assertEqual(t, "entries", len(entries), len(Sections()))
	for i, entry := range entries {
		sec, digest, _ := strings.Cut(entry, "=")
		assertEqual(t, "section", sec, Sections()[i])
		assertEqual(t, sec+" digest length", len(digest), sectionDigestLen)
	}
}
