// Command buildfloor is the engine floor of berth's build benchmark: it
// sends the builds of a JSON plan straight to the engine's BuildKit (the
// build endpoint, builder version 2, a session serving the context and
// the Dockerfile), each as soon as the builds it names in "after" are
// done, all others at once, with no compose logic in between: what
// `DOCKER_BUILDKIT=1 docker build` of each Dockerfile would cost, in
// dependency order with full parallelism. scripts/bench-build.sh compares
// berth against it.
//
//	buildfloor plan.json   # [{"name":"base","tags":["p-base"],"context":"/x","dockerfile":"/x/Dockerfile","after":[]}]
//
// Like bench/floor, it is one of the few places outside engine/ that
// talk to the engine: a floor must not go through the code it measures.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"

	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/filesync"
	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client"
	"github.com/tonistiigi/fsutil"
)

type job struct {
	Name       string   `json:"name"`
	Tags       []string `json:"tags"`
	Context    string   `json:"context"`
	Dockerfile string   `json:"dockerfile"`
	After      []string `json:"after"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: buildfloor plan.json")
		os.Exit(2)
	}
	if err := run(context.Background(), os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "buildfloor:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, planFile string) error {
	data, err := os.ReadFile(planFile)
	if err != nil {
		return err
	}
	var jobs []job
	if err := json.Unmarshal(data, &jobs); err != nil {
		return fmt.Errorf("%s: %w", planFile, err)
	}
	cli, err := client.New(client.FromEnv)
	if err != nil {
		return err
	}
	defer cli.Close()
	done := map[string]chan struct{}{}
	for _, j := range jobs {
		done[j.Name] = make(chan struct{})
	}
	var wg sync.WaitGroup
	errs := make([]error, len(jobs))
	for i, j := range jobs {
		wg.Go(func() {
			for _, dep := range j.After {
				<-done[dep]
			}
			errs[i] = buildOne(ctx, cli, j)
			close(done[j.Name])
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// buildOne is one build, as the docker CLI sends it with BuildKit on.
func buildOne(ctx context.Context, cli *client.Client, j job) error {
	s, err := session.NewSession(ctx, j.Context)
	if err != nil {
		return err
	}
	contextFS, err := fsutil.NewFS(j.Context)
	if err != nil {
		return err
	}
	dockerfileFS, err := fsutil.NewFS(filepath.Dir(j.Dockerfile))
	if err != nil {
		return err
	}
	s.Allow(filesync.NewFSSyncProvider(filesync.StaticDirSource{"context": contextFS, "dockerfile": dockerfileFS}))
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		_ = s.Run(sctx, func(ctx context.Context, proto string, meta map[string][]string) (net.Conn, error) {
			return cli.DialHijack(ctx, "/session", proto, meta)
		})
	}()
	defer s.Close()
	res, err := cli.ImageBuild(ctx, nil, client.ImageBuildOptions{
		Tags: j.Tags, Version: build.BuilderBuildKit, SessionID: s.ID(), RemoteContext: "client-session",
		Dockerfile: filepath.Base(j.Dockerfile), Remove: true,
	})
	if err != nil {
		return fmt.Errorf("%s: %w", j.Name, err)
	}
	defer res.Body.Close()
	dec := json.NewDecoder(res.Body)
	for {
		var m jsonstream.Message
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("%s: %w", j.Name, err)
		}
		if m.Error != nil {
			return fmt.Errorf("%s: %s", j.Name, m.Error.Message)
		}
	}
}
