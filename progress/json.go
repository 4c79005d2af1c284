package progress

import (
	"encoding/json"
	"io"
	"sync"
	"time"
)

// jsonLines prints each event as one JSON object per line, for tools. The
// fields docker compose's --progress json has keep its names and values
// (id, parent_id, status, text, details, current, total, percent); kind,
// name, error and time are berth's own. README's "Progress" section is the
// schema users read: change both together.
type jsonLines struct {
	mu   sync.Mutex
	out  io.Writer
	opts Options
}

func newJSON(out io.Writer, opts Options) *jsonLines { return &jsonLines{out: out, opts: opts} }

type jsonEvent struct {
	ID       string    `json:"id"`
	ParentID string    `json:"parent_id,omitempty"`
	Status   string    `json:"status"`
	Text     string    `json:"text,omitempty"`
	Details  string    `json:"details,omitempty"`
	Current  int64     `json:"current,omitempty"`
	Total    int64     `json:"total,omitempty"`
	Percent  int       `json:"percent,omitempty"`
	Kind     string    `json:"kind"`
	Name     string    `json:"name"`
	Error    string    `json:"error,omitempty"`
	Time     time.Time `json:"time"`
}

// jsonStatus spells statuses as docker compose's JSON does, so tools
// written for it read berth's too.
func jsonStatus(s Status) string {
	switch s {
	case Working:
		return "Working"
	case Done:
		return "Done"
	case Warning:
		return "Warning"
	}
	return "Error"
}

func (j *jsonLines) Emit(e Event) {
	out := jsonEvent{ID: e.ID(), ParentID: e.Parent, Status: jsonStatus(e.Status), Text: e.Text,
		Current: e.Current, Total: e.Total, Kind: string(e.Kind), Name: e.Name, Time: e.Time}
	if e.Total > 0 {
		out.Percent = int(min(e.Current, e.Total) * 100 / e.Total)
	}
	if e.Err != nil {
		out.Details = e.Err.Error()
		if e.Status == Error {
			out.Error = out.Details
		}
	}
	if out.Time.IsZero() {
		out.Time = j.opts.now()
	}
	line, err := json.Marshal(out)
	if err != nil {
		return // only plain strings and numbers: cannot fail
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	_, _ = j.out.Write(append(line, '\n')) // one Write: lines of two events never mix
}

func (j *jsonLines) Close() error { return nil }
