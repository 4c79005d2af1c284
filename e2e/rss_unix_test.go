//go:build unix

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
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

	cmd := exec.CommandContext(ctx, berthBinary(t), args...)
	cmd.Dir = dir
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"DOCKER_HOST=" + os.Getenv("DOCKER_HOST"),
	}, env...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = interruptGrace
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr

	start := time.Now()
	err := cmd.Run()
	m := Measured{Elapsed: time.Since(start)}
	m.Result = Result{Stdout: stdout.String(), Stderr: stderr.String(), ExitCode: cmd.ProcessState.ExitCode()}
	switch {
	case ctx.Err() != nil:
		m.Stderr += fmt.Sprintf("\n[e2e: berth interrupted after %s]", berthTimeout)
	case err != nil && m.ExitCode == -1:
		m.Stderr += fmt.Sprintf("\n[e2e: %v]", err)
	}
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
