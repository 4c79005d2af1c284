package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	controlapi "github.com/moby/buildkit/api/services/control"
	"github.com/moby/moby/api/types/jsonstream"
)

// Aux ids of the build stream: BuildKit's progress, the new image's id.
const (
	auxBuildKitTrace = "moby.buildkit.trace"
	auxImageID       = "moby.image.id"
)

// outputTail bounds the output kept per step: enough to show why a step
// failed, never the whole log of a chatty one.
const outputTail = 8 << 10

// trace turns the builder's reports into BuildSteps, one per step,
// reporting each change of one.
type trace struct {
	progress func(BuildProgress)
	steps    map[string]*BuildStep
	output   map[string]*tail
	// current is the classic builder's running step: its stream names a
	// step, then prints that step's output.
	current string
	count   int
}

func newTrace(progress func(BuildProgress)) *trace {
	return &trace{progress: progress, steps: map[string]*BuildStep{}, output: map[string]*tail{}}
}

// readBuildStream reads the engine's answer to a build to its end and
// returns the image id.
func readBuildStream(r io.Reader, t *trace) (string, error) {
	dec := json.NewDecoder(r)
	id := ""
	for {
		var m jsonstream.Message
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return "", fmt.Errorf("reading the build's progress: %w", err)
		}
		if m.Error != nil {
			return "", t.failure(m.Error.Message)
		}
		switch {
		case m.Aux != nil && m.ID == auxBuildKitTrace:
			if err := t.buildKit(*m.Aux); err != nil {
				return "", err
			}
		case m.Aux != nil && (m.ID == auxImageID || m.ID == ""):
			var res struct{ ID string }
			if json.Unmarshal(*m.Aux, &res) == nil && res.ID != "" {
				id = res.ID
			}
		case m.Stream != "":
			t.classic(m.Stream)
		}
	}
	t.finish()
	if id == "" {
		return "", errors.New("the engine reported no image id for the build")
	}
	return id, nil
}

// buildKit decodes one BuildKit status report: base64 of a protobuf
// StatusResponse, as the engine relays it.
func (t *trace) buildKit(raw json.RawMessage) error {
	var data []byte
	if err := json.Unmarshal(raw, &data); err != nil {
		return fmt.Errorf("reading BuildKit progress: %w", err)
	}
	var st controlapi.StatusResponse
	if err := st.UnmarshalVT(data); err != nil {
		return fmt.Errorf("reading BuildKit progress: %w", err)
	}
	for _, l := range st.Logs {
		t.tail(l.Vertex).write(l.Msg)
	}
	for _, v := range st.Vertexes {
		s := t.step(v.Digest, v.Name)
		next := *s
		next.Started, next.Completed = v.Started != nil, v.Completed != nil
		next.Cached, next.Error = v.Cached, v.Error
		if next.Error != "" {
			next.Output = t.tail(v.Digest).String()
		}
		t.update(s, next)
	}
	return nil
}

// classic follows the classic builder's text: "Step 2/4 : RUN make"
// starts a step, " ---> Using cache" says it was cached, anything else
// is its output.
func (t *trace) classic(text string) {
	for _, line := range strings.SplitAfter(text, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
		case strings.HasPrefix(trimmed, "Step ") && strings.Contains(trimmed, " : "):
			t.finishCurrent()
			t.count++
			num, instr, _ := strings.Cut(strings.TrimPrefix(trimmed, "Step "), " : ")
			t.current = fmt.Sprintf("step-%d", t.count)
			s := t.step(t.current, "["+num+"] "+instr)
			next := *s
			next.Started = true
			t.update(s, next)
		case trimmed == "---> Using cache" && t.current != "":
			s := t.steps[t.current]
			next := *s
			next.Cached = true
			t.update(s, next)
		case t.current != "":
			t.tail(t.current).write([]byte(line))
		}
	}
}

func (t *trace) finishCurrent() {
	if s := t.steps[t.current]; s != nil && !s.Completed {
		next := *s
		next.Completed = true
		t.update(s, next)
	}
}

// finish closes the classic builder's last step once the build ended well.
func (t *trace) finish() { t.finishCurrent() }

// failure is the build's error: the step that failed, with its output.
func (t *trace) failure(msg string) error {
	for _, s := range t.steps {
		if s.Error != "" {
			return &BuildError{Step: s.Name, Message: s.Error, Output: t.tail(s.ID).String()}
		}
	}
	if s := t.steps[t.current]; s != nil {
		next := *s
		next.Error, next.Completed, next.Output = msg, true, t.tail(s.ID).String()
		t.update(s, next)
		return &BuildError{Step: s.Name, Message: msg, Output: next.Output}
	}
	return &BuildError{Message: msg}
}

func (t *trace) step(id, name string) *BuildStep {
	s := t.steps[id]
	if s == nil {
		s = &BuildStep{ID: id, Name: name}
		t.steps[id] = s
	}
	return s
}

// update records next and reports it when something changed.
func (t *trace) update(s *BuildStep, next BuildStep) {
	if *s == next {
		return
	}
	*s = next
	report := next
	t.progress(BuildProgress{Step: &report})
}

func (t *trace) tail(id string) *tail {
	tl := t.output[id]
	if tl == nil {
		tl = &tail{}
		t.output[id] = tl
	}
	return tl
}

// tail keeps the last outputTail bytes written to it, from a line start.
type tail struct{ buf []byte }

func (tl *tail) write(p []byte) {
	tl.buf = append(tl.buf, p...)
	if over := len(tl.buf) - outputTail; over > 0 {
		tl.buf = tl.buf[over:]
		if i := strings.IndexByte(string(tl.buf), '\n'); i >= 0 {
			tl.buf = tl.buf[i+1:]
		}
	}
}

func (tl *tail) String() string { return string(tl.buf) }
