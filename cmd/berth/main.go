// Command berth is a fast, docker compose compatible orchestration CLI.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/berth-compose/berth/cmd"
)

func main() {
	// Ctrl-C and SIGTERM cancel the context: work in flight winds down and
	// berth exits 130 instead of dying half-way through an engine call.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal, restore the default action: a second Ctrl-C
	// ends berth at once, should winding down itself hang.
	go func() { <-ctx.Done(); stop() }()
	code := cmd.Execute(ctx, cmd.DefaultDeps(), os.Args[1:])
	stop()
	os.Exit(code)
}
