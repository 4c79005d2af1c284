package stats

import "github.com/berth-compose/berth/engine"

// Usage is what one reading of a container shows: rates and amounts, in
// percent and bytes.
type Usage struct {
	CPUPercent float64
	// Memory is what the container uses without the page cache the kernel
	// can take back at once, and MemoryLimit what it may use.
	Memory, MemoryLimit float64
	MemoryPercent       float64
	NetRx, NetTx        float64
	BlockRead           float64
	BlockWrite          float64
	PIDs                uint64
}

// Compute works out the figures of one reading the way the docker CLI
// does on Linux, so that the two show the same numbers.
func Compute(s engine.StatsSample) Usage {
	mem := memoryUsage(s.Memory)
	return Usage{
		CPUPercent:    cpuPercent(s.CPU, s.PreCPU),
		Memory:        mem,
		MemoryLimit:   float64(s.Memory.Limit),
		MemoryPercent: memoryPercent(mem, float64(s.Memory.Limit)),
		NetRx:         float64(s.NetRx),
		NetTx:         float64(s.NetTx),
		BlockRead:     float64(s.BlockRead),
		BlockWrite:    float64(s.BlockWrite),
		PIDs:          s.PIDs,
	}
}

// cpuPercent is the container's share of the host's CPU time between two
// readings, scaled so one busy CPU is 100%. The host's time counts every
// CPU, hence the factor of online CPUs; engines that do not report them
// are counted by their per-CPU counters. A counter that went backwards
// (a restart between the readings) or stood still gives 0.
func cpuPercent(cur, pre engine.CPUSample) float64 {
	cpuDelta := float64(cur.Total) - float64(pre.Total)
	systemDelta := float64(cur.System) - float64(pre.System)
	cpus := float64(cur.Online)
	if cpus == 0 {
		cpus = float64(cur.PerCPU)
	}
	if cpuDelta <= 0 || systemDelta <= 0 {
		return 0
	}
	return cpuDelta / systemDelta * cpus * 100
}

// memoryUsage leaves out the inactive page cache, as the docker CLI (and
// cadvisor) do: the kernel drops it first under pressure, and counting it
// would show a container that only read files as near its limit. cgroup
// v1 reports it as total_inactive_file, v2 as inactive_file; a value not
// below the usage is ignored rather than trusted.
func memoryUsage(m engine.MemorySample) float64 {
	if m.HasTotalInactiveFile && m.TotalInactiveFile < m.Usage {
		return float64(m.Usage - m.TotalInactiveFile)
	}
	if m.InactiveFile < m.Usage {
		return float64(m.Usage - m.InactiveFile)
	}
	return float64(m.Usage)
}

// memoryPercent is used of limit in percent; 0 without a limit, which is
// a container that does not run.
func memoryPercent(used, limit float64) float64 {
	if limit == 0 {
		return 0
	}
	return used / limit * 100
}
