package enginetest

import (
	"archive/tar"
	"errors"
	"io"
	"reflect"
	"testing"
	"time"

	"github.com/berth-compose/berth/engine"
)

func TestFakeTopContainer(t *testing.T) {
	f := withBusybox()
	id := create(t, f, spec("web"))
	if _, _, err := f.TopContainer(ctx, id, ""); !engine.IsConflict(err) {
		t.Errorf("top of a created container: %v, want a conflict", err)
	}
	if err := f.StartContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	titles, rows, err := f.TopContainer(ctx, "web", "")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(titles, psTitles) || len(rows) != 1 || rows[0][7] != "sh" {
		t.Errorf("default processes %v %v", titles, rows)
	}
	want := [][]string{{"7", "sleep 9"}, {"8", "sh"}}
	if err := f.SetProcesses("web", []string{"PID", "CMD"}, want); err != nil {
		t.Fatal(err)
	}
	if err := f.PauseContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	titles, rows, err = f.TopContainer(ctx, id, "aux")
	if err != nil || !reflect.DeepEqual(titles, []string{"PID", "CMD"}) || !reflect.DeepEqual(rows, want) {
		t.Errorf("set processes of a paused container: %v %v %v", titles, rows, err)
	}
	if _, _, err := f.TopContainer(ctx, "nope", ""); !engine.IsNotFound(err) {
		t.Errorf("top of a missing container: %v, want not found", err)
	}
}

func TestFakeExportContainer(t *testing.T) {
	f := withBusybox()
	id := create(t, f, spec("web"))
	archive := archiveOf(t, tar.Header{Typeflag: tar.TypeReg, Name: "b.txt", Size: 3, Mode: 0o644}, tar.Header{Typeflag: tar.TypeReg, Name: "a.txt", Size: 1, Mode: 0o600})
	if err := f.CopyToContainer(ctx, id, engine.CopyOptions{DestDir: "/srv", Archive: archive}); err != nil {
		t.Fatal(err)
	}
	rc, err := f.ExportContainer(ctx, "web")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var got []string
	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		got = append(got, hdr.Name+"="+string(body))
	}
	if want := []string{"srv/a.txt=x", "srv/b.txt=xxx"}; !reflect.DeepEqual(got, want) {
		t.Errorf("exported %v, want %v", got, want)
	}
	if _, err := f.ExportContainer(ctx, "nope"); !engine.IsNotFound(err) {
		t.Errorf("export of a missing container: %v, want not found", err)
	}
}

func TestFakeCommitContainer(t *testing.T) {
	when := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	f := New().WithClock(func() time.Time { return when }).
		WithImageDetails("busybox", engine.Image{ID: "sha256:b", Size: 2048, OS: "linux", Architecture: "arm64", Variant: "v8"})
	id := create(t, f, spec("web"))
	tagged, err := f.CommitContainer(ctx, id, engine.CommitOptions{Reference: "snap:v1", Message: "m", Author: "a", Changes: []string{"CMD x"}})
	if err != nil {
		t.Fatal(err)
	}
	img, err := f.InspectImage(ctx, "docker.io/library/snap:v1")
	if err != nil {
		t.Fatal(err)
	}
	want := engine.Image{ID: tagged, RepoTags: []string{"snap:v1"}, Created: when, LastTagTime: when, Size: 2048,
		OS: "linux", Architecture: "arm64", Variant: "v8", Author: "a", Comment: "m"}
	if !reflect.DeepEqual(img, want) {
		t.Errorf("committed image %+v, want %+v", img, want)
	}
	if got := f.ImageChanges("snap:v1"); !reflect.DeepEqual(got, []string{"CMD x"}) {
		t.Errorf("changes %v", got)
	}
	untagged, err := f.CommitContainer(ctx, id, engine.CommitOptions{})
	if err != nil || untagged == tagged {
		t.Fatalf("untagged commit = %q, %v; want a new id", untagged, err)
	}
	if img, err := f.InspectImage(ctx, untagged); err != nil || len(img.RepoTags) != 0 {
		t.Errorf("untagged image %+v, %v: want found by id, with no tag", img, err)
	}
	if _, err := f.CommitContainer(ctx, id, engine.CommitOptions{Reference: "Snap"}); err == nil {
		t.Error("an upper-case reference was accepted")
	}
	if _, err := f.CommitContainer(ctx, "nope", engine.CommitOptions{}); !engine.IsNotFound(err) {
		t.Errorf("commit of a missing container: %v, want not found", err)
	}
}

func TestFakeInspectImage(t *testing.T) {
	f := New().WithImage("busybox", "sha256:b").WithImage("busybox:1.36", "sha256:b")
	img, err := f.InspectImage(ctx, "sha256:b")
	if err != nil {
		t.Fatal(err)
	}
	want := engine.Image{ID: "sha256:b", RepoTags: []string{"busybox:1.36", "busybox:latest"}, OS: "linux", Architecture: "amd64"}
	if !reflect.DeepEqual(img, want) {
		t.Errorf("image %+v, want %+v", img, want)
	}
	if _, err := f.InspectImage(ctx, "nope"); !engine.IsNotFound(err) {
		t.Errorf("inspect of a missing image: %v, want not found", err)
	}
}

func TestFakeSetPorts(t *testing.T) {
	f := withBusybox()
	create(t, f, spec("web"))
	ports := []engine.Port{{HostIP: "0.0.0.0", Private: 80, Public: 8080, Protocol: "tcp"}}
	if err := f.SetPorts("web", ports...); err != nil {
		t.Fatal(err)
	}
	ports[0].Public = 1 // the fake keeps its own copy
	cs, err := f.ListContainers(ctx, engine.Filter{})
	if err != nil || len(cs) != 1 || !reflect.DeepEqual(cs[0].Ports, []engine.Port{{HostIP: "0.0.0.0", Private: 80, Public: 8080, Protocol: "tcp"}}) {
		t.Errorf("listed %+v, %v", cs, err)
	}
	if err := f.SetPorts("nope"); !engine.IsNotFound(err) {
		t.Errorf("ports of a missing container: %v, want not found", err)
	}
}
