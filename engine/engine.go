package engine

import "context"

// Reader is the read side of the engine: queries that change nothing.
// Observing state (convergence.Observe) needs only this.
type Reader interface {
	// Ping checks that the engine answers.
	Ping(ctx context.Context) error
	// Version describes the engine and the API version berth speaks to it.
	Version(ctx context.Context) (Version, error)
	// ListContainers lists containers, stopped ones included, that match
	// the filter, sorted by name.
	ListContainers(ctx context.Context, f Filter) ([]Container, error)
	// ListNetworks lists networks that match the filter, sorted by name.
	ListNetworks(ctx context.Context, f Filter) ([]Network, error)
	// ListVolumes lists volumes that match the filter, sorted by name.
	ListVolumes(ctx context.Context, f Filter) ([]Volume, error)
}

// Writer is the side of the engine that changes state. Applying a plan
// (convergence.Apply) needs only this.
//
// It is empty until berth creates resources; create, start, stop and
// remove for containers, networks and volumes land here.
type Writer interface{}

// Engine is everything berth asks of a Docker engine. Callers should ask
// for the narrowest of Reader and Writer they need.
type Engine interface {
	Reader
	Writer
	// Close releases the connection.
	Close() error
}
