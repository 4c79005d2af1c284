package engine

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"
)

// archiveAPI answers /containers/web/archive for path=/srv/f with a stat
// header and a body, and 404 for any other path.
func archiveAPI(t *testing.T) *Client {
	t.Helper()
	stat := `{"name":"f","size":5,"mode":2147484141,"mtime":"2020-01-02T03:04:05Z","linkTarget":""}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/_ping" {
			w.Header().Set("Api-Version", "1.41")
			_, _ = w.Write([]byte("OK"))
			return
		}
		m := versionedPath.FindStringSubmatch(r.URL.Path)
		if m == nil || m[2] != "/containers/web/archive" || r.URL.Query().Get("path") != "/srv/f" {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"message":"Could not find the file in container web"}`))
			return
		}
		w.Header().Set("X-Docker-Container-Path-Stat", base64.StdEncoding.EncodeToString([]byte(stat)))
		_, _ = w.Write([]byte("TARBODY"))
	}))
	t.Cleanup(srv.Close)
	c, err := Connect(context.Background(), envOf(map[string]string{"DOCKER_HOST": hostOf(srv)}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestCopyFromContainer(t *testing.T) {
	c := archiveAPI(t)
	// 2147484141 is a directory with mode 0755, as the engine encodes it.
	want := PathStat{Name: "f", Size: 5, Mode: os.ModeDir | 0o755, Mtime: time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)}
	st, err := c.StatContainerPath(context.Background(), "web", "/srv/f")
	if err != nil || st != want {
		t.Errorf("StatContainerPath = %+v, %v; want %+v", st, err, want)
	}
	rc, st, err := c.CopyFromContainer(context.Background(), "web", "/srv/f")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	body, _ := io.ReadAll(rc)
	if string(body) != "TARBODY" || st != want {
		t.Errorf("CopyFromContainer = %q, %+v; want TARBODY, %+v", body, st, want)
	}
	if _, err := c.StatContainerPath(context.Background(), "web", "/nope"); !IsNotFound(err) {
		t.Errorf("stat of a missing path = %v, want not found", err)
	}
	if _, _, err := c.CopyFromContainer(context.Background(), "web", "/nope"); !IsNotFound(err) {
		t.Errorf("copy of a missing path = %v, want not found", err)
	}
}
