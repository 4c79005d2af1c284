package cmd

import (
	"context"

	"github.com/berth-compose/berth/engine"
)

// connectEngine defers the connection to the first command that needs it.
func connectEngine(getenv func(string) string) func(context.Context) (engine.Engine, error) {
	return func(ctx context.Context) (engine.Engine, error) {
		return engine.Connect(ctx, getenv)
	}
}
