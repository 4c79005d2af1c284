package engine

import (
	"encoding/json"
	"testing"

	"github.com/moby/moby/api/types/container"
)

// TestSampleFromAPI: the engine's stats JSON, from a cgroup v1 and a
// cgroup v2 host, becomes the numbers the usage display needs: network
// and block device bytes summed, page cache kept apart by cgroup version.
func TestSampleFromAPI(t *testing.T) {
	tests := []struct {
		name string
		json string
		want StatsSample
	}{
		{"cgroup v1", `{"id":"abc","name":"/p-web-1",
			"cpu_stats":{"cpu_usage":{"total_usage":400,"percpu_usage":[100,300]},"system_cpu_usage":9000},
			"precpu_stats":{"cpu_usage":{"total_usage":100,"percpu_usage":[50,50]},"system_cpu_usage":8000,"online_cpus":2},
			"memory_stats":{"usage":5000,"limit":8000,"stats":{"total_inactive_file":1000,"cache":1500}},
			"networks":{"eth0":{"rx_bytes":10,"tx_bytes":20},"eth1":{"rx_bytes":1,"tx_bytes":2}},
			"blkio_stats":{"io_service_bytes_recursive":[
				{"op":"Read","value":7},{"op":"Write","value":3},{"op":"Sync","value":10},{"op":"Total","value":10},
				{"op":"Read","value":1}]},
			"pids_stats":{"current":4}}`,
			StatsSample{ID: "abc", Name: "p-web-1",
				CPU:    CPUSample{Total: 400, System: 9000, PerCPU: 2},
				PreCPU: CPUSample{Total: 100, System: 8000, Online: 2, PerCPU: 2},
				Memory: MemorySample{Usage: 5000, Limit: 8000, TotalInactiveFile: 1000, HasTotalInactiveFile: true},
				NetRx:  11, NetTx: 22, BlockRead: 8, BlockWrite: 3, PIDs: 4}},
		{"cgroup v2", `{"id":"def","name":"/p-db-1",
			"cpu_stats":{"cpu_usage":{"total_usage":50},"system_cpu_usage":900,"online_cpus":4},
			"memory_stats":{"usage":3000,"limit":6000,"stats":{"inactive_file":200,"file":900}},
			"blkio_stats":{"io_service_bytes_recursive":[{"op":"read","value":5},{"op":"write","value":6},{"op":"discard","value":9}]},
			"pids_stats":{"current":1}}`,
			StatsSample{ID: "def", Name: "p-db-1",
				CPU:       CPUSample{Total: 50, System: 900, Online: 4},
				Memory:    MemorySample{Usage: 3000, Limit: 6000, InactiveFile: 200},
				BlockRead: 5, BlockWrite: 6, PIDs: 1}},
		{"a container that does not run", `{"id":"ghi","name":"/p-old-1","read":"0001-01-01T00:00:00Z","blkio_stats":{"io_service_bytes_recursive":null}}`,
			StatsSample{ID: "ghi", Name: "p-old-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v container.StatsResponse
			if err := json.Unmarshal([]byte(tt.json), &v); err != nil {
				t.Fatal(err)
			}
			if got := sampleFromAPI(v); got != tt.want {
				t.Errorf("sample\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}
