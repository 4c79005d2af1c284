// Command floor is the engine floor of berth's runtime benchmark: it
// creates and starts the containers of a generated shape straight through
// the Engine API, with no compose logic (no project loading, no observe, no
// plan, no dependency order, no waiting for health), so the time it takes is
// what the engine itself needs. scripts/bench.sh compares berth against it.
//
//	floor -shape wide -n 50 -mode parallel   # networks and volumes, then every container at once
//	floor -shape chain -n 50 -mode serial    # the same, one call at a time, in file order
//	floor -shape wide -n 50 -mode remove     # force-remove what the two above made, in parallel
//	floor -mode remove -label com.docker.compose.project=NAME  # cleanup: whatever has the label
//
// This is the one place outside engine/ that imports moby/moby/client: a
// benchmark tool must measure the engine without berth's engine package in
// between, which is what it is compared against.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"

	"github.com/berth-compose/berth/bench"
)

func main() {
	shape := flag.String("shape", "wide", "shape: wide, chain, fan, mixed")
	n := flag.Int("n", 50, "number of services (ignored for mixed)")
	mode := flag.String("mode", "parallel", "parallel, serial or remove")
	name := flag.String("project", "", "project name (default floor-SHAPE-N)")
	label := flag.String("label", "", "with -mode remove: remove what has this label (KEY or KEY=VALUE), not the project's")
	flag.Parse()
	if flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *shape, *n, *mode, *name, *label); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, shape string, n int, mode, name, label string) error {
	if shape == "mixed" {
		n = 0
	}
	p, err := bench.Shape(shape, n)
	if err != nil {
		return err
	}
	if name == "" {
		name = "floor-" + p.Shape
	}
	// Connected and negotiated before the clock starts, as berth's Connect
	// pings once before it does anything else.
	start := time.Now()
	api, err := client.New(client.FromEnv)
	if err != nil {
		return err
	}
	defer api.Close()
	if _, err := api.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		return fmt.Errorf("connecting to the engine: %w", err)
	}
	f := floor{api: api, project: name, specs: containerSpecs(name, p)}
	count := len(f.specs)
	switch mode {
	case "parallel":
		err = f.up(ctx, true)
	case "serial":
		err = f.up(ctx, false)
	case "remove":
		if label == "" {
			label = bench.LabelProject + "=" + name
		}
		count, err = f.remove(ctx, label)
	default:
		return fmt.Errorf("unknown -mode %q: use parallel, serial or remove", mode)
	}
	fmt.Fprintf(os.Stderr, "floor: %s %s: %d containers in %s\n", mode, name, count, time.Since(start).Round(time.Millisecond))
	return err
}

type floor struct {
	api     *client.Client
	project string
	specs   []containerSpec
}

// up creates the networks and volumes, then creates, connects and starts
// every container: all at once, or one call at a time in file order.
func (f floor) up(ctx context.Context, parallel bool) error {
	var resources []func() error
	for _, n := range f.networks() {
		resources = append(resources, func() error {
			_, err := f.api.NetworkCreate(ctx, n, client.NetworkCreateOptions{Driver: "bridge", Labels: f.labels()})
			return wrap("creating network", n, err)
		})
	}
	for _, v := range f.volumes() {
		resources = append(resources, func() error {
			_, err := f.api.VolumeCreate(ctx, client.VolumeCreateOptions{Name: v, Labels: f.labels()})
			return wrap("creating volume", v, err)
		})
	}
	if err := each(resources, parallel); err != nil {
		return err
	}
	containers := make([]func() error, len(f.specs))
	for i, s := range f.specs {
		containers[i] = func() error { return f.createAndStart(ctx, s) }
	}
	return each(containers, parallel)
}

// createAndStart is what any compose tool must do for one container on an
// engine before API 1.44, which takes one network at create.
func (f floor) createAndStart(ctx context.Context, s containerSpec) error {
	res, err := f.api.ContainerCreate(ctx, s.create)
	if err != nil {
		return wrap("creating container", s.create.Name, err)
	}
	for net, ep := range s.connect {
		if _, err := f.api.NetworkConnect(ctx, net, client.NetworkConnectOptions{Container: res.ID, EndpointConfig: ep}); err != nil {
			return wrap("connecting container", s.create.Name, err)
		}
	}
	_, err = f.api.ContainerStart(ctx, res.ID, client.ContainerStartOptions{})
	return wrap("starting container", s.create.Name, err)
}

// remove force-removes the containers with label (and their anonymous
// volumes) all at once, then the networks and volumes with it, and says
// how many containers there were.
func (f floor) remove(ctx context.Context, label string) (int, error) {
	filter := make(client.Filters).Add("label", label)
	list, err := f.api.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: filter})
	if err != nil {
		return 0, err
	}
	n := len(list.Items)
	var calls []func() error
	for _, c := range list.Items {
		calls = append(calls, func() error {
			_, err := f.api.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
			return wrap("removing container", c.ID, ignoreNotFound(err))
		})
	}
	if err := each(calls, true); err != nil {
		return n, err
	}
	nets, err := f.api.NetworkList(ctx, client.NetworkListOptions{Filters: filter})
	if err != nil {
		return n, err
	}
	vols, err := f.api.VolumeList(ctx, client.VolumeListOptions{Filters: filter})
	if err != nil {
		return n, err
	}
	calls = nil
	for _, n := range nets.Items {
		calls = append(calls, func() error {
			_, err := f.api.NetworkRemove(ctx, n.ID, client.NetworkRemoveOptions{})
			return wrap("removing network", n.Name, ignoreNotFound(err))
		})
	}
	for _, v := range vols.Items {
		calls = append(calls, func() error {
			_, err := f.api.VolumeRemove(ctx, v.Name, client.VolumeRemoveOptions{Force: true})
			return wrap("removing volume", v.Name, ignoreNotFound(err))
		})
	}
	return n, each(calls, true)
}

// each runs calls all at once (no bound: this is the floor) or one after
// the other, and reports every failure. Serial mode stops at the first, as
// a later container may need the one that failed.
func each(calls []func() error, parallel bool) error {
	if !parallel {
		for _, call := range calls {
			if err := call(); err != nil {
				return err
			}
		}
		return nil
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, call := range calls {
		wg.Go(func() {
			if err := call(); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func wrap(what, name string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s %s: %w", what, name, err)
}

// ignoreNotFound: what had to go is gone, whoever removed it (a
// container's own anonymous volumes go with it).
func ignoreNotFound(err error) error {
	if cerrdefs.IsNotFound(err) {
		return nil
	}
	return err
}
