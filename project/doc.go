// Package project turns compose files into what the rest of berth works
// from: a compose-go *types.Project loaded the way docker compose loads it
// (Load), the dependency graph of its services (NewGraph), and Walk, which
// runs work over any dependency graph in parallel, each item as soon as its
// own dependencies are done. The service graph and convergence's action
// plan both use Walk, so start-up and teardown follow one model.
package project
