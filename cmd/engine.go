package cmd

import (
	"context"

	"github.com/berth-compose/berth/engine"
)

// connectEngine defers the connection to the first command that needs it.
func connectEngine(getenv func(string) string) func(context.Context) (engine.Engine, error) {
	return func(ctx context.Context) (engine.Engine, error) {
		c, err := engine.Connect(ctx, getenv)
		if err != nil {
			// Not `return c, err`: a nil *Client in an interface is not nil.
			return nil, err
		}
		return c, nil
	}
}
