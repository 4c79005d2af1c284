package enginetest

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/berth-compose/berth/engine"
)

// inspectState is what the fake keeps for the inspecting commands (top,
// export, commit, images) beyond a container's record. Its maps are made
// on first use, so New need not know about them.
type inspectState struct {
	images    map[string]engine.Image // by image id: what InspectImage adds to id and tags
	processes map[string]processTable // by container id: what TopContainer lists
	changes   map[string][]string     // by image id: the Changes a commit was given
}

// processTable is one container's ps output.
type processTable struct {
	titles []string
	rows   [][]string
}

// psTitles are the columns of the engine's default ps (-ef).
var psTitles = []string{"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"}

// SetProcesses makes TopContainer list rows under titles for the named
// container while it runs, as its ps would. Without it a running
// container shows one process: its command (or "sh") as root, PID 1.
func (f *Fake) SetProcesses(container string, titles []string, rows [][]string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.container("setting the processes of", container)
	if err != nil {
		return err
	}
	if f.inspect.processes == nil {
		f.inspect.processes = map[string]processTable{}
	}
	f.inspect.processes[c.ID] = processTable{titles: slices.Clone(titles), rows: slices.Clone(rows)}
	return nil
}

// TopContainer lists a running (or paused) container's processes; like
// the engine it refuses a container that is stopped or restarting. The
// fake ignores psArgs.
func (f *Fake) TopContainer(ctx context.Context, id, _ string) ([]string, [][]string, error) {
	if err := f.begin(ctx, "TopContainer", id); err != nil {
		return nil, nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.container("listing the processes of", id)
	if err != nil {
		return nil, nil, err
	}
	if c.State != engine.StateRunning && c.State != engine.StatePaused {
		msg := fmt.Sprintf("Container %s is not running", c.ID)
		return nil, nil, fmt.Errorf("listing the processes of container %s: %w", id, engine.ErrConflict.WithMessage(msg))
	}
	if p, ok := f.inspect.processes[c.ID]; ok {
		return slices.Clone(p.titles), slices.Clone(p.rows), nil
	}
	cmd := orDefault(c.Command, "sh")
	return slices.Clone(psTitles), [][]string{{"root", "1", "0", "0", "00:00", "?", "00:00:00", cmd}}, nil
}

// ExportContainer returns a tar archive of the files CopyToContainer
// wrote into the container, sorted by path and named without the leading
// slash, as the engine names an export's entries.
func (f *Fake) ExportContainer(ctx context.Context, id string) (io.ReadCloser, error) {
	if err := f.begin(ctx, "ExportContainer", id); err != nil {
		return nil, err
	}
	f.mu.Lock()
	c, err := f.container("exporting", id)
	f.mu.Unlock()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, file := range f.Files(c.ID) {
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: strings.TrimPrefix(file.Path, "/"),
			Mode: int64(file.Mode.Perm()), Uid: file.UID, Gid: file.GID, Size: int64(len(file.Content))}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, fmt.Errorf("exporting container %s: %w", id, err)
		}
		if _, err := tw.Write(file.Content); err != nil {
			return nil, fmt.Errorf("exporting container %s: %w", id, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("exporting container %s: %w", id, err)
	}
	return io.NopCloser(&buf), nil
}

// CommitContainer makes a new image of a container, stopped or not: a
// new id, tagged opts.Reference when given, with the details of the
// container's image plus the commit's author, message and time. The
// fake cannot apply opts.Changes; it keeps them for ImageChanges.
func (f *Fake) CommitContainer(ctx context.Context, id string, opts engine.CommitOptions) (string, error) {
	if err := f.begin(ctx, "CommitContainer", id); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.container("committing", id)
	if err != nil {
		return "", err
	}
	if opts.Reference != "" && strings.ToLower(opts.Reference) != opts.Reference {
		return "", fmt.Errorf("committing container %s: invalid reference format: repository name must be lowercase", id)
	}
	img := f.imageDetails(c.ImageID)
	img.ID, img.RepoTags = "sha256:"+f.newID("image"), nil
	img.Created, img.LastTagTime = f.now(), f.now()
	img.Author, img.Comment = opts.Author, opts.Message
	f.setImage(img)
	key := img.ID // an untagged image is found by its id only
	if opts.Reference != "" {
		key = normalizeRef(opts.Reference)
	}
	f.images[key] = img.ID
	if f.inspect.changes == nil {
		f.inspect.changes = map[string][]string{}
	}
	f.inspect.changes[img.ID] = slices.Clone(opts.Changes)
	f.emit("container", "commit", c.ID, c.attributes())
	return img.ID, nil
}

// ImageChanges returns the Changes the commit that made the image ref
// names was given, for tests to check: not recorded, never fails.
func (f *Fake) ImageChanges(ref string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	id, _ := f.image(ref)
	return slices.Clone(f.inspect.changes[id])
}

// SetPorts sets the ports a container lists, as the engine reports them
// once the container runs with its ports published: the fake does not
// read port bindings from a spec.
func (f *Fake) SetPorts(container string, ports ...engine.Port) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.container("setting the ports of", container)
	if err != nil {
		return err
	}
	c.Ports = slices.Clone(ports)
	return nil
}
