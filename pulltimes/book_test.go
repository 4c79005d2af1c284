package pulltimes

import (
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

func env(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }

func TestBookRecordsPerEngine(t *testing.T) {
	state := t.TempDir()
	getenv := env(map[string]string{"XDG_STATE_HOME": state, "LOCALAPPDATA": state})
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	a, b := Open(getenv, "unix:///a.sock"), Open(getenv, "unix:///b.sock")
	if err := a.Record("busybox:1", at); err != nil {
		t.Fatal(err)
	}
	if err := a.Record("busybox:1", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := b.Record("db:1", at); err != nil {
		t.Fatal(err)
	}
	got, err := Open(getenv, "unix:///a.sock").Last([]string{"busybox:1", "db:1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got["busybox:1"].Equal(at.Add(time.Hour)) {
		t.Errorf("engine a: %v, want only busybox:1 at the later time", got)
	}
	if got, _ := b.Last([]string{"busybox:1", "db:1"}); len(got) != 1 || !got["db:1"].Equal(at) {
		t.Errorf("engine b: %v, want only db:1", got)
	}
}

func TestBookConcurrentRecords(t *testing.T) {
	getenv := env(map[string]string{"XDG_STATE_HOME": t.TempDir(), "LOCALAPPDATA": t.TempDir()})
	refs := []string{"a:1", "b:1", "c:1", "d:1", "e:1", "f:1"}
	var wg sync.WaitGroup
	for _, ref := range refs {
		// A Book each, as separate berth processes would have.
		wg.Go(func() {
			if err := Open(getenv, "e").Record(ref, time.Now()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, err := Open(getenv, "e").Last(refs)
	if err != nil || len(got) != len(refs) {
		t.Errorf("Last = %v, %v; want every ref: a record was lost", got, err)
	}
}

func TestBookWithoutStateFolder(t *testing.T) {
	b := Open(env(nil), "e")
	if err := b.Record("a:1", time.Now()); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Last([]string{"a:1"}); err != nil || len(got) != 0 {
		t.Errorf("Last = %v, %v; want nothing known", got, err)
	}
}

func TestDir(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows keeps state in LOCALAPPDATA only")
	}
	if got := Dir(env(map[string]string{"HOME": "/home/ann"})); got != filepath.Join("/home/ann", ".local", "state", "berth") {
		t.Errorf("Dir with HOME = %s", got)
	}
	if got := Dir(env(map[string]string{"HOME": "/home/ann", "XDG_STATE_HOME": "/st"})); got != filepath.Join("/st", "berth") {
		t.Errorf("Dir with XDG_STATE_HOME = %s", got)
	}
}

func TestBookBadFile(t *testing.T) {
	state := t.TempDir()
	getenv := env(map[string]string{"XDG_STATE_HOME": state, "LOCALAPPDATA": state})
	if err := os.MkdirAll(filepath.Join(state, "berth"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(state, "berth", "pulls.json"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(getenv, "e").Last([]string{"a"}); err == nil {
		t.Error("a damaged record: want an error saying to remove it")
	}
}
