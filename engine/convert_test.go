package engine

import (
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/api/types/network"
)

func TestContainerFromAPIMountsAndNetworks(t *testing.T) {
	s := container.Summary{
		ID: "c1", Names: []string{"/demo-web-1"}, State: container.StateRunning,
		Mounts: []container.MountPoint{
			{Type: "volume", Name: "demo_data", Source: "/var/lib/docker/volumes/demo_data/_data", Destination: "/data"},
			{Type: "bind", Source: "/src", Destination: "/app"},
			{Type: "tmpfs", Destination: "/run"},
		},
		NetworkSettings: &container.NetworkSettingsSummary{Networks: map[string]*network.EndpointSettings{
			"demo_front": {}, "demo_back": {},
		}},
	}

	got := containerFromAPI(s)

	wantMounts := []Mount{
		{Type: "bind", Source: "/src", Destination: "/app"},
		{Type: "volume", Name: "demo_data", Source: "/var/lib/docker/volumes/demo_data/_data", Destination: "/data"},
		{Type: "tmpfs", Destination: "/run"},
	}
	if !reflect.DeepEqual(got.Mounts, wantMounts) {
		t.Errorf("Mounts\n got %+v\nwant %+v", got.Mounts, wantMounts)
	}
	if want := []string{"demo_back", "demo_front"}; !reflect.DeepEqual(got.Networks, want) {
		t.Errorf("Networks = %v, want %v", got.Networks, want)
	}
	if bare := containerFromAPI(container.Summary{ID: "c2"}); bare.Mounts != nil || bare.Networks != nil {
		t.Errorf("a summary without mounts or network settings gave %+v", bare)
	}
}

func TestDetailsFromAPI(t *testing.T) {
	end := time.Date(2026, 11, 24, 20, 11, 1, 0, time.UTC)
	r := container.InspectResponse{
		ID: "c1", Name: "/demo-web-1", Image: "sha256:b", Created: "2026-11-24T20:11:00.611577602Z",
		State: &container.State{
			Status: container.StateExited, ExitCode: 137, StartedAt: "2026-11-24T20:11:00.881238929Z",
			Health: &container.Health{Status: container.Unhealthy, Log: []*container.HealthcheckResult{{ExitCode: 1, Output: "no", End: end}}},
		},
		Config:          &container.Config{Image: "busybox", Labels: map[string]string{"k": "v"}},
		NetworkSettings: &container.NetworkSettings{Networks: map[string]*network.EndpointSettings{"b": {}, "a": {}}},
		Mounts:          []container.MountPoint{{Type: "volume", Name: "v", Destination: "/v"}},
	}

	got := detailsFromAPI(r)

	want := ContainerDetails{
		Container: Container{
			ID: "c1", Name: "demo-web-1", Image: "busybox", ImageID: "sha256:b", State: StateExited,
			Created: time.Date(2026, 11, 24, 20, 11, 0, 611577602, time.UTC), Labels: map[string]string{"k": "v"},
			Mounts: []Mount{{Type: "volume", Name: "v", Destination: "/v"}}, Networks: []string{"a", "b"},
		},
		ExitCode:  137,
		Health:    "unhealthy",
		HealthLog: []HealthResult{{ExitCode: 1, Output: "no", End: end}},
		StartedAt: time.Date(2026, 11, 24, 20, 11, 0, 881238929, time.UTC),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("detailsFromAPI\n got %+v\nwant %+v", got, want)
	}
}

func TestDetailsFromAPINeverStartedNoHealthcheck(t *testing.T) {
	got := detailsFromAPI(container.InspectResponse{
		ID:    "c1",
		State: &container.State{Status: container.StateCreated, StartedAt: "0001-01-01T00:00:00Z", Health: &container.Health{Status: container.NoHealthcheck}},
	})
	if !got.StartedAt.IsZero() || got.Health != "" || got.HealthLog != nil {
		t.Errorf("got StartedAt %v, Health %q, HealthLog %v; want zero, empty, nil", got.StartedAt, got.Health, got.HealthLog)
	}
}

func TestEventFromAPI(t *testing.T) {
	tests := []struct {
		name string
		msg  events.Message
		want time.Time
	}{
		{"nanoseconds preferred", events.Message{Time: 1700000000, TimeNano: 1700000000123456789}, time.Unix(0, 1700000000123456789)},
		{"seconds when no nanoseconds", events.Message{Time: 1700000000}, time.Unix(1700000000, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.msg.Type, tt.msg.Action = events.ContainerEventType, events.ActionHealthStatusHealthy
			tt.msg.Actor = events.Actor{ID: "c1", Attributes: map[string]string{"name": "web"}}

			got := eventFromAPI(tt.msg)

			want := Event{Type: "container", Action: "health_status: healthy", ID: "c1", Attributes: map[string]string{"name": "web"}, Time: tt.want}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("eventFromAPI\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestStopSeconds(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want int
	}{
		{0, 0},
		{time.Nanosecond, 1},
		{time.Second, 1},
		{1500 * time.Millisecond, 2},
		{10 * time.Second, 10},
		{-time.Second, -1},
	}
	for _, tt := range tests {
		if got := stopSeconds(tt.in); got != tt.want {
			t.Errorf("stopSeconds(%v) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestParsePlatform(t *testing.T) {
	if p := parsePlatform(""); p != nil {
		t.Errorf(`parsePlatform("") = %+v, want nil`, p)
	}
	p := parsePlatform("linux/arm64/v8")
	if p.OS != "linux" || p.Architecture != "arm64" || p.Variant != "v8" {
		t.Errorf("parsePlatform(linux/arm64/v8) = %+v", p)
	}
	if p := parsePlatform("linux"); p.OS != "linux" || p.Architecture != "" {
		t.Errorf("parsePlatform(linux) = %+v", p)
	}
}

func TestPullUpdate(t *testing.T) {
	tests := []struct {
		msg    jsonstream.Message
		want   PullProgress
		wantOK bool
	}{
		{jsonstream.Message{Status: "Pulling from library/busybox", ID: "latest"}, PullProgress{ID: "latest", Status: "Pulling from library/busybox"}, true},
		{jsonstream.Message{Status: "Downloading", ID: "3f4d90098f5b", Progress: &jsonstream.Progress{Current: 1200000, Total: 3400000}},
			PullProgress{ID: "3f4d90098f5b", Status: "Downloading", Current: 1200000, Total: 3400000}, true},
		{jsonstream.Message{Status: "Extracting", ID: "a", Progress: &jsonstream.Progress{Current: 512, Total: 999, HideCounts: true}}, PullProgress{ID: "a", Status: "Extracting"}, true},
		{jsonstream.Message{Status: "Waiting", ID: "a", Progress: &jsonstream.Progress{}}, PullProgress{ID: "a", Status: "Waiting"}, true},
		{jsonstream.Message{}, PullProgress{}, false},
	}
	for _, tt := range tests {
		if got, ok := pullUpdate(tt.msg); got != tt.want || ok != tt.wantOK {
			t.Errorf("pullUpdate(%+v) = %+v, %v; want %+v, %v", tt.msg, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestStreamErrorClassification(t *testing.T) {
	notFound := streamError(&jsonstream.Error{Code: 404, Message: "manifest unknown"})
	if !IsNotFound(notFound) || notFound.Error() != "manifest unknown" {
		t.Errorf("404 in stream: %v, IsNotFound = %v", notFound, IsNotFound(notFound))
	}
	plain := streamError(&jsonstream.Error{Message: "unexpected EOF"})
	if IsNotFound(plain) || IsConflict(plain) || plain.Error() != "unexpected EOF" {
		t.Errorf("code-less error in stream: %v", plain)
	}
}

func TestCopyLogs(t *testing.T) {
	frame := func(stream byte, s string) string {
		h := make([]byte, 8)
		h[0] = stream
		binary.BigEndian.PutUint32(h[4:], uint32(len(s)))
		return string(h) + s
	}
	binary := "\x00\xff\x01\x00\x00\x00\x00\x00\x00\x05no newline"
	long := strings.Repeat("x", 200_000) + "\n"
	tests := []struct {
		name           string
		stream         string
		tty            bool
		stdout, stderr string
	}{
		{"multiplexed", frame(1, "hello\n") + frame(2, "oops\n") + frame(1, "bye\n"), false, "hello\nbye\n", "oops\n"},
		{"binary kept intact", frame(1, binary), false, binary, ""},
		{"a line longer than any frame buffer", frame(1, long), false, long, ""},
		{"tty bytes as they are", "raw\r\nterminal\r\n\x01\x00", true, "raw\r\nterminal\r\n\x01\x00", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errs strings.Builder
			err := copyLogs(&out, &errs, strings.NewReader(tt.stream), tt.tty)
			if err != nil || out.String() != tt.stdout || errs.String() != tt.stderr {
				t.Errorf("stdout %.40q, stderr %.40q, err %v; want %.40q, %.40q", out.String(), errs.String(), err, tt.stdout, tt.stderr)
			}
		})
	}
}

func TestClassifiedKeepsMessageAndCause(t *testing.T) {
	cause := errors.New("network x has active endpoints")
	err := classified{err: cause, kind: ErrConflict}
	if !IsConflict(err) || !errors.Is(err, cause) || err.Error() != cause.Error() {
		t.Errorf("classified: IsConflict %v, Is(cause) %v, %q", IsConflict(err), errors.Is(err, cause), err)
	}
}
