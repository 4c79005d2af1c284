//go:build unix

package e2e

import (
	"context"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Measured is one berth run with what it cost: its peak resident memory
// and how long it took.
type Measured struct {
	Result
	// PeakRSS is the most memory berth ever held resident, in bytes, as the
	// kernel reports it when the process is reaped.
	PeakRSS int64
	Elapsed time.Duration
}

// MB is PeakRSS in mebibytes, for logs and limits.
func (m Measured) MB() float64 { return float64(m.PeakRSS) / (1 << 20) }

// runBerthMeasured runs berth like runBerth (same environment, same
// timeout and interrupt) and reports its peak resident memory. The figure
// comes from the rusage of the reaped child, so it covers the whole run,
// not samples of it: a brief spike cannot slip between two polls.
func runBerthMeasured(t *testing.T, dir string, env []string, args ...string) Measured {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), berthTimeout)
	defer cancel()
	cmd, stdout, stderr := berthCommand(ctx, t, dir, env, "", args...)
	start := time.Now()
	err := cmd.Run()
	m := Measured{Elapsed: time.Since(start)}
	m.Result = berthResult(ctx, cmd, err, stdout, stderr)
	if cmd.ProcessState != nil {
		m.PeakRSS = maxRSSBytes(cmd.ProcessState.SysUsage().(*syscall.Rusage))
	}
	t.Logf("berth %s (in %s): exit %d, peak RSS %.1f MB, %s", strings.Join(args, " "), dir, m.ExitCode, m.MB(), m.Elapsed.Round(time.Millisecond))
	return m
}

// maxRSSBytes reads ru_maxrss, which Linux and the BSDs give in
// kilobytes and macOS in bytes.
func maxRSSBytes(ru *syscall.Rusage) int64 {
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return int64(ru.Maxrss)
	}
	return int64(ru.Maxrss) * 1024
}
