package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// StatsSample is one reading of a container's resource use, cut down to the
// numbers a usage display is computed from. Counters (CPU time, bytes) are
// totals since the container started; a rate needs two readings, which is
// why CPU carries the engine's previous reading beside the current one.
type StatsSample struct {
	ID string
	// Name has no leading slash.
	Name string
	// CPU is this reading, PreCPU the engine's reading before it (zero in
	// the first reading of a stream).
	CPU, PreCPU CPUSample
	Memory      MemorySample
	// NetRx and NetTx are bytes received and sent, summed over the
	// container's network interfaces.
	NetRx, NetTx uint64
	// BlockRead and BlockWrite are bytes read from and written to block
	// devices, summed over devices.
	BlockRead, BlockWrite uint64
	// PIDs is how many processes and threads the container has.
	PIDs uint64
}

// CPUSample is the CPU part of one reading.
type CPUSample struct {
	// Total is the CPU time the container used, in nanoseconds.
	Total uint64
	// System is the CPU time the whole host used, in nanoseconds.
	System uint64
	// Online is how many CPUs the host has online; 0 when the engine did
	// not say, and then PerCPU stands in.
	Online uint32
	// PerCPU is how many per-CPU counters the engine sent (cgroup v1 only).
	PerCPU int
}

// MemorySample is the memory part of one reading, in bytes.
type MemorySample struct {
	Usage, Limit uint64
	// TotalInactiveFile is cgroup v1's reclaimable page cache of the
	// container and its children, present only on a cgroup v1 host
	// (HasTotalInactiveFile).
	TotalInactiveFile    uint64
	HasTotalInactiveFile bool
	// InactiveFile is cgroup v2's reclaimable page cache.
	InactiveFile uint64
}

// ContainerStats reads the container's resource use and calls each with
// every reading. With stream it reads until the engine ends the stream
// (the container is removed) or ctx ends, one reading about every second;
// without, it makes one reading, for which the engine also takes the
// previous one a second before, so rates are known from the start. It
// returns nil when the engine ends the stream, each's error when each
// fails, and ctx.Err() when ctx ends first.
func (c *Client) ContainerStats(ctx context.Context, id string, stream bool, each func(StatsSample) error) error {
	res, err := c.api.ContainerStats(ctx, id, client.ContainerStatsOptions{Stream: stream, IncludePreviousSample: !stream})
	if err != nil {
		return fmt.Errorf("reading the resource use of container %s: %w", id, err)
	}
	defer res.Body.Close()
	dec := json.NewDecoder(res.Body)
	for {
		var v container.StatsResponse
		if err := dec.Decode(&v); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("reading the resource use of container %s: %w", id, err)
		}
		if err := each(sampleFromAPI(v)); err != nil {
			return err
		}
		if !stream {
			return nil
		}
	}
}

func sampleFromAPI(v container.StatsResponse) StatsSample {
	s := StatsSample{
		ID:     v.ID,
		Name:   strings.TrimPrefix(v.Name, "/"),
		CPU:    cpuFromAPI(v.CPUStats),
		PreCPU: cpuFromAPI(v.PreCPUStats),
		Memory: MemorySample{Usage: v.MemoryStats.Usage, Limit: v.MemoryStats.Limit},
		PIDs:   v.PidsStats.Current,
	}
	s.Memory.TotalInactiveFile, s.Memory.HasTotalInactiveFile = v.MemoryStats.Stats["total_inactive_file"]
	s.Memory.InactiveFile = v.MemoryStats.Stats["inactive_file"]
	for _, n := range v.Networks {
		s.NetRx += n.RxBytes
		s.NetTx += n.TxBytes
	}
	// The operation is spelled Read/Write on cgroup v1 and read/write on
	// v2; other operations (sync, async, total) are not transfers.
	for _, e := range v.BlkioStats.IoServiceBytesRecursive {
		switch strings.ToLower(e.Op) {
		case "read":
			s.BlockRead += e.Value
		case "write":
			s.BlockWrite += e.Value
		}
	}
	return s
}

func cpuFromAPI(c container.CPUStats) CPUSample {
	return CPUSample{Total: c.CPUUsage.TotalUsage, System: c.SystemUsage, Online: c.OnlineCPUs, PerCPU: len(c.CPUUsage.PercpuUsage)}
}
