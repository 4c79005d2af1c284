package pulltimes

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/gofrs/flock"
)

// Book is the record of one engine's pulls. The zero Book (no state
// folder) records nothing and knows nothing. It is safe for concurrent
// use, by goroutines and by other berth processes.
type Book struct {
	path   string
	engine string
	mu     sync.Mutex
}

// Open is the record of the engine at engineHost (DOCKER_HOST as berth
// resolved it), kept in Dir. With no state folder to keep it in, the Book
// records nothing.
func Open(getenv func(string) string, engineHost string) *Book {
	dir := Dir(getenv)
	if dir == "" {
		return &Book{}
	}
	return &Book{path: filepath.Join(dir, "pulls.json"), engine: engineHost}
}

// Dir is berth's state folder, "" when the environment names no home.
func Dir(getenv func(string) string) string {
	if runtime.GOOS == "windows" {
		if d := getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "berth")
		}
		return ""
	}
	if d := getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "berth")
	}
	if home := getenv("HOME"); home != "" {
		return filepath.Join(home, ".local", "state", "berth")
	}
	return ""
}

// record is pulls.json: by engine, by image reference, the last pull.
type record map[string]map[string]time.Time

// Last is when each of refs was last pulled on the Book's engine; refs
// never pulled are absent.
func (b *Book) Last(refs []string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	if b.path == "" {
		return out, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	r, err := b.read()
	if err != nil {
		return nil, err
	}
	for _, ref := range refs {
		if t, ok := r[b.engine][ref]; ok {
			out[ref] = t
		}
	}
	return out, nil
}

// Record notes that ref was pulled at when. The file is rewritten whole
// under a lock and renamed into place, so a berth that reads it at the
// same time sees the old record or the new one, never half of one.
func (b *Book) Record(ref string, when time.Time) error {
	if b.path == "" {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(b.path), 0o700); err != nil {
		return fmt.Errorf("recording the pull of %s: %w", ref, err)
	}
	lock := flock.New(b.path + ".lock")
	if err := lock.Lock(); err != nil {
		return fmt.Errorf("recording the pull of %s: %w", ref, err)
	}
	defer lock.Unlock()
	r, err := b.read()
	if err != nil {
		return err
	}
	if r[b.engine] == nil {
		r[b.engine] = map[string]time.Time{}
	}
	r[b.engine][ref] = when.UTC()
	return b.write(r)
}

// read loads the record; a missing file is an empty one.
func (b *Book) read() (record, error) {
	r := record{}
	data, err := os.ReadFile(b.path)
	if errors.Is(err, os.ErrNotExist) {
		return r, nil
	}
	if err == nil {
		err = json.Unmarshal(data, &r)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the record of pulls %s: %w; remove the file to start it afresh", b.path, err)
	}
	return r, nil
}

func (b *Book) write(r record) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(b.path), ".pulls-*.json")
	if err != nil {
		return fmt.Errorf("recording pulls in %s: %w", b.path, err)
	}
	defer os.Remove(tmp.Name()) // gone already once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("recording pulls in %s: %w", b.path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("recording pulls in %s: %w", b.path, err)
	}
	if err := os.Rename(tmp.Name(), b.path); err != nil {
		return fmt.Errorf("recording pulls in %s: %w", b.path, err)
	}
	return nil
}
