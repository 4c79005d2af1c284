package convergence

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"

	"github.com/compose-spec/compose-go/v2/types"
)

// ServiceHash is the value of the com.docker.compose.config-hash label: the
// SHA-256 of the service's JSON form without the attributes that must not
// cause a recreate (build, pull policy, scale and replicas, depends_on,
// profiles, env_file; see hashedService). It equals what docker compose computes, so neither tool
// recreates the other's unchanged containers.
func ServiceHash(s types.ServiceConfig) (string, error) {
	s = hashedService(s)
	raw, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("hashing service %q: %w", s.Name, err)
	}
	canonical, err := orderTopLevelKeys(raw, hashKeyOrder)
	if err != nil {
		return "", fmt.Errorf("hashing service %q: %w", s.Name, err)
	}
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:]), nil
}

// hashKeyOrder is the order in which older compose-go releases declared the
// service attributes. encoding/json follows declaration order, and compose-go
// v2.16 regrouped the fields into embedded structs; hashing the new order
// would change every hash, and so recreate every container, after an
// upgrade. docker compose pins the same historical order, which is why the
// hashes agree.
var hashKeyOrder = []string{
	"profiles", "annotations", "attach", "build", "develop", "blkio_config",
	"cap_add", "cap_drop", "cgroup_parent", "cgroup", "cpu_count", "cpu_percent",
	"cpu_period", "cpu_quota", "cpu_rt_period", "cpu_rt_runtime", "cpus", "cpuset",
	"cpu_shares", "command", "configs", "container_name", "credential_spec",
	"depends_on", "deploy", "device_cgroup_rules", "devices", "dns", "dns_opt",
	"dns_search", "dockerfile", "domainname", "entrypoint", "provider",
	"environment", "env_file", "expose", "extends", "external_links",
	"extra_hosts", "group_add", "gpus", "hostname", "healthcheck", "image", "init",
	"ipc", "isolation", "labels", "label_file", "links", "logging", "log_driver",
	"log_opt", "mem_limit", "mem_reservation", "memswap_limit", "mem_swappiness",
	"mac_address", "models", "net", "network_mode", "networks", "oom_kill_disable",
	"oom_score_adj", "pid", "pids_limit", "platform", "ports", "privileged",
	"pull_policy", "read_only", "restart", "runtime", "scale", "secrets",
	"security_opt", "shm_size", "stdin_open", "stop_grace_period", "stop_signal",
	"storage_opt", "sysctls", "tmpfs", "tty", "ulimits", "use_api_socket", "user",
	"userns_mode", "uts", "volume_driver", "volumes", "volumes_from",
	"working_dir", "pre_start", "post_start", "pre_stop",
}

// orderTopLevelKeys rewrites a JSON object with its keys in the given order,
// values untouched; keys not in the list follow, sorted, so attributes added
// to compose-go later still hash deterministically.
func orderTopLevelKeys(raw []byte, order []string) ([]byte, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(fields))
	for _, k := range order {
		if _, ok := fields[k]; ok {
			keys = append(keys, k)
		}
	}
	rest := make([]string, 0, len(fields)-len(keys))
	for k := range fields {
		if !slices.Contains(order, k) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	keys = append(keys, rest...)

	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		name, _ := json.Marshal(k)
		buf.Write(name)
		buf.WriteByte(':')
		buf.Write(fields[k])
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
