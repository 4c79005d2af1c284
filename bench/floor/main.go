// Command floor is the engine floor of berth's benchmark: it creates and
// starts n plain busybox containers straight through the engine package,
// with no compose logic (no loading, planning or waiting), so berth's times
// can be set against what the engine itself needs.
//
//	floor -n 50 -mode parallel   create+start all at once
//	floor -n 50 -mode serial     one container at a time
//	floor -mode remove           remove every floor container at once
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/moby/moby/api/types/container"
	"golang.org/x/sync/errgroup"

	"github.com/berth-compose/berth/engine"
)

const (
	label   = "berth.bench=floor"
	network = "floor_default"
)

func main() {
	n := flag.Int("n", 50, "containers to create and start")
	mode := flag.String("mode", "parallel", "parallel, serial or remove")
	flag.Parse()
	ctx := context.Background()
	e, err := engine.Connect(ctx, os.Getenv)
	if err != nil {
		fail(err)
	}
	defer e.Close()
	switch *mode {
	case "parallel":
		err = upAll(ctx, e, *n, *n)
	case "serial":
		err = upAll(ctx, e, *n, 1)
	case "remove":
		err = removeAll(ctx, e)
	default:
		err = fmt.Errorf("unknown -mode %q", *mode)
	}
	if err != nil {
		fail(err)
	}
}

// upAll attaches the containers to a network of their own, as compose
// projects do: attaching costs the engine time, and the floor must pay it.
func upAll(ctx context.Context, e *engine.Client, n, limit int) error {
	if _, err := e.CreateNetwork(ctx, engine.NetworkSpec{Name: network, Driver: "bridge", Labels: map[string]string{"berth.bench": "floor"}}); err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for i := 1; i <= n; i++ {
		g.Go(func() error {
			init := true
			id, err := e.CreateContainer(gctx, engine.ContainerSpec{
				Name:   fmt.Sprintf("floor-%d", i),
				Config: &container.Config{Image: "busybox", Cmd: []string{"sleep", "3600"}, Labels: map[string]string{"berth.bench": "floor"}},
				Host:   &container.HostConfig{Init: &init, NetworkMode: network},
			})
			if err != nil {
				return err
			}
			return e.StartContainer(gctx, id)
		})
	}
	return g.Wait()
}

func removeAll(ctx context.Context, e *engine.Client) error {
	cs, err := e.ListContainers(ctx, engine.Filter{Labels: []string{label}})
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	for _, c := range cs {
		g.Go(func() error { return e.RemoveContainer(gctx, c.ID, engine.RemoveOptions{Force: true}) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := e.RemoveNetwork(ctx, network); err != nil && !engine.IsNotFound(err) {
		return err
	}
	return nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "floor:", err)
	os.Exit(1)
}
