package convergence

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// LabelConfigSections is berth's own record of what each section of a
// service looked like when the container was made, as one readable label:
// "command=1a2b3c4d5e6f,environment=…", a short digest per section, sorted.
// docker compose ignores it; it lets the planner say what changed, not
// only that something did.
const LabelConfigSections = "berth.config-sections"

// LabelSectionHashPrefix started the eight labels berth wrote before
// LabelConfigSections, berth.config-hash.<section> with 64 hex digits each.
// berth no longer writes them but still reads them, so that containers an
// older berth made still get reasons that name the sections.
const LabelSectionHashPrefix = "berth.config-hash."

// sectionDigestLen is how many hex digits of a section's SHA-256 the label
// keeps: 48 bits make a change that goes unseen a one in 2^48 chance, and
// keep the label short enough to read in `docker inspect`.
const sectionDigestLen = 12

// minSectionDigestLen is the shortest digest decodeSections accepts; any
// longer one, up to the full 64 digits, still compares by prefix, so the
// length written can change without breaking older containers' reasons.
const minSectionDigestLen = 8

// encodeSections renders section hashes (full SHA-256 hex, as
// SectionHashes gives them) as the value of LabelConfigSections.
func encodeSections(hashes map[string]string) string {
	entries := make([]string, 0, len(hashes))
	for sec, h := range hashes {
		if len(h) > sectionDigestLen {
			h = h[:sectionDigestLen]
		}
		entries = append(entries, sec+"="+h)
	}
	sort.Strings(entries)
	return strings.Join(entries, ",")
}

// decodeSections reads a LabelConfigSections value back into section →
// digest. It refuses what berth never writes (an entry without "=", a
// repeated section, a digest that is not 8 to 64 hex digits), so that a
// hand-edited label yields no reason rather than a wrong one.
func decodeSections(value string) (map[string]string, error) {
	if value == "" {
		return nil, errors.New("empty section list")
	}
	out := map[string]string{}
	for _, entry := range strings.Split(value, ",") {
		sec, digest, ok := strings.Cut(entry, "=")
		switch {
		case !ok || sec == "":
			return nil, fmt.Errorf("entry %q: want section=digest", entry)
		case out[sec] != "":
			return nil, fmt.Errorf("section %q appears twice", sec)
		case len(digest) < minSectionDigestLen || len(digest) > 64 || !isHex(digest):
			return nil, fmt.Errorf("section %q: digest %q is not %d to 64 hex digits", sec, digest, minSectionDigestLen)
		}
		out[sec] = digest
	}
	return out, nil
}

// recordedSections is the digest of each section that labels record: from
// LabelConfigSections when present, else from the older per-section
// labels. ok is false when they record no section (docker compose made the
// container), cannot be read, or lack one of Sections(): then what
// changed cannot be told.
func recordedSections(labels map[string]string) (map[string]string, bool) {
	recorded := map[string]string{}
	if value, ok := labels[LabelConfigSections]; ok {
		var err error
		if recorded, err = decodeSections(value); err != nil {
			return nil, false
		}
	} else {
		for _, sec := range Sections() {
			if h, ok := labels[LabelSectionHashPrefix+sec]; ok {
				recorded[sec] = h
			}
		}
	}
	for _, sec := range Sections() {
		if recorded[sec] == "" {
			return nil, false
		}
	}
	return recorded, true
}

// sectionsChanged lists, sorted, the sections whose hash in now (as
// SectionHashes gives it) differs from what labels record; nil when
// nothing differs or the labels record no sections. A recorded digest is
// a prefix of the full hash, 64 digits for the older labels.
func sectionsChanged(now map[string]string, labels map[string]string) []string {
	recorded, ok := recordedSections(labels)
	if !ok {
		return nil
	}
	var changed []string
	for _, sec := range Sections() {
		if !strings.HasPrefix(now[sec], recorded[sec]) {
			changed = append(changed, sec)
		}
	}
	return changed
}

// madeByBerth says whether labels are those of a container berth made: it
// carries the section labels, of either form, that docker compose never
// writes.
func madeByBerth(labels map[string]string) bool {
	if _, ok := labels[LabelConfigSections]; ok {
		return true
	}
	_, ok := labels[LabelSectionHashPrefix+SectionOther]
	return ok
}
