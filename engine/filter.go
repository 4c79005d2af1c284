package engine

import "strings"

// Filter selects resources by label, like the engine's "label" filter and
// 'docker ps --filter label=...': each entry is "key" (the label is set, to
// any value) or "key=value", and a resource must match all of them. The zero
// Filter selects everything.
type Filter struct {
	Labels []string
}

// Matches reports whether a resource with these labels passes the filter,
// exactly as the engine would decide.
func (f Filter) Matches(labels map[string]string) bool {
	for _, l := range f.Labels {
		key, want, hasValue := strings.Cut(l, "=")
		got, ok := labels[key]
		if !ok || (hasValue && got != want) {
			return false
		}
	}
	return true
}
