package stats

import (
	"testing"

	"github.com/berth-compose/berth/engine"
)

// TestCPUPercent: the container's share of host CPU time between two
// readings, times the CPUs online (or, when the engine does not say, its
// per-CPU counters), so one busy CPU reads 100%.
func TestCPUPercent(t *testing.T) {
	tests := []struct {
		name     string
		cur, pre engine.CPUSample
		want     float64
	}{
		{"a fifth of two CPUs' time", engine.CPUSample{Total: 400, System: 2000, Online: 2}, engine.CPUSample{Total: 200, System: 1000}, 40},
		{"one CPU busy of four", engine.CPUSample{Total: 1250, System: 5000, Online: 4}, engine.CPUSample{Total: 0, System: 0}, 100},
		{"per-CPU counters stand in for online CPUs", engine.CPUSample{Total: 400, System: 2000, PerCPU: 4}, engine.CPUSample{Total: 200, System: 1000}, 80},
		{"online CPUs win over per-CPU counters", engine.CPUSample{Total: 400, System: 2000, Online: 1, PerCPU: 4}, engine.CPUSample{Total: 200, System: 1000}, 20},
		{"idle", engine.CPUSample{Total: 200, System: 2000, Online: 2}, engine.CPUSample{Total: 200, System: 1000}, 0},
		{"host counter stood still", engine.CPUSample{Total: 400, System: 1000, Online: 2}, engine.CPUSample{Total: 200, System: 1000}, 0},
		{"container counter went back (a restart)", engine.CPUSample{Total: 100, System: 2000, Online: 2}, engine.CPUSample{Total: 200, System: 1000}, 0},
		{"a container that does not run", engine.CPUSample{}, engine.CPUSample{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cpuPercent(tt.cur, tt.pre); got != tt.want {
				t.Errorf("cpuPercent = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestMemoryUsage: the usage without the inactive page cache: cgroup v1's
// total_inactive_file when present and below the usage, else cgroup v2's
// inactive_file when below it, else the usage as it is.
func TestMemoryUsage(t *testing.T) {
	tests := []struct {
		name string
		mem  engine.MemorySample
		want float64
	}{
		{"cgroup v1", engine.MemorySample{Usage: 1000, TotalInactiveFile: 300, HasTotalInactiveFile: true, InactiveFile: 50}, 700},
		{"cgroup v1, cache not below usage: v2's rule", engine.MemorySample{Usage: 1000, TotalInactiveFile: 1000, HasTotalInactiveFile: true, InactiveFile: 50}, 950},
		{"cgroup v1, zero inactive", engine.MemorySample{Usage: 1000, HasTotalInactiveFile: true}, 1000},
		{"cgroup v2", engine.MemorySample{Usage: 1000, InactiveFile: 100}, 900},
		{"cgroup v2, cache not below usage", engine.MemorySample{Usage: 1000, InactiveFile: 2000}, 1000},
		{"no cache figures", engine.MemorySample{Usage: 1000}, 1000},
		{"a container that does not run", engine.MemorySample{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := memoryUsage(tt.mem); got != tt.want {
				t.Errorf("memoryUsage = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestCompute: one reading becomes the figures shown; memory percent is
// of the limit, 0 without one.
func TestCompute(t *testing.T) {
	tests := []struct {
		name string
		in   engine.StatsSample
		want Usage
	}{
		{"running", engine.StatsSample{
			CPU:    engine.CPUSample{Total: 300, System: 2000, Online: 2},
			PreCPU: engine.CPUSample{Total: 100, System: 1000},
			Memory: engine.MemorySample{Usage: 600, Limit: 2000, InactiveFile: 100},
			NetRx:  10, NetTx: 20, BlockRead: 30, BlockWrite: 40, PIDs: 5,
		}, Usage{CPUPercent: 40, Memory: 500, MemoryLimit: 2000, MemoryPercent: 25, NetRx: 10, NetTx: 20, BlockRead: 30, BlockWrite: 40, PIDs: 5}},
		{"no limit", engine.StatsSample{Memory: engine.MemorySample{Usage: 600}}, Usage{Memory: 600}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Compute(tt.in); got != tt.want {
				t.Errorf("Compute = %+v, want %+v", got, tt.want)
			}
		})
	}
}
