package stack

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// The labels of a deployed stack. LabelNamespace is the one docker stack
// writes and reads, so `docker stack ps` and `docker service ls --filter
// label=...` see what berth deployed, and berth adopts stacks docker stack
// made. The berth.* labels are berth's own bookkeeping.
const (
	LabelNamespace = "com.docker.stack.namespace"
	// LabelSpecHash, on a service, is the hash of the spec berth sent: equal
	// hashes mean no update is needed, so an unchanged deploy sends none.
	LabelSpecHash = "berth.spec-hash"
	// LabelTaskHash, on a service's containers, is the hash of its task
	// template alone: a wait tells the tasks of the spec it sent from those
	// of the one before, while a change of replicas (which keeps the
	// template) replaces no task.
	LabelTaskHash = "berth.task-hash"
	// LabelSections, on a service, hashes each part of the spec sent
	// ("image=…,environment=…"), so an update says which parts changed.
	LabelSections = "berth.spec-sections"
	// LabelSalt, on a secret, is the stack's random salt that goes into
	// the hash in its versions' names, so a name tells nothing of the
	// content.
	LabelSalt = "berth.salt"
	// LabelObjectKey, on a config or secret, is its key in the compose
	// file: its name carries a content hash, so the key finds its versions.
	LabelObjectKey = "berth.object-key"
)

// maxObjectName is the longest config or secret name the engine accepts.
const maxObjectName = 64

// VersionedName is the name of a config or secret holding data: base (the
// compose name) with a hash of the content after it. A changed content is a
// new object, so services move to it in a rolling update instead of the
// engine refusing to change an object in use.
func VersionedName(base string, data []byte) string {
	sum := sha256.Sum256(data)
	suffix := "-" + hex.EncodeToString(sum[:])[:10]
	if len(base)+len(suffix) > maxObjectName {
		base = base[:maxObjectName-len(suffix)]
	}
	return base + suffix
}

// hashJSON hashes v's JSON form, which is stable: struct fields in order,
// map keys sorted by encoding/json.
func hashJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("hashing a spec: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// withLabel is labels plus key=value, in a new map.
func withLabel(labels map[string]string, key, value string) map[string]string {
	out := maps.Clone(labels)
	if out == nil {
		out = map[string]string{}
	}
	out[key] = value
	return out
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
