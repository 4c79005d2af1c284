package progress

import (
	"bytes"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// screen replays what the live view wrote the way a terminal would, for
// the few escape codes it uses, and returns the rows left on screen.
// Colour codes are dropped: they take no room.
func screen(t *testing.T, out string) []string {
	t.Helper()
	var rows []string
	row := 0
	csi := regexp.MustCompile(`^\x1b\[([0-9;?]*)([A-Za-z])`)
	for i := 0; i < len(out); {
		for row >= len(rows) {
			rows = append(rows, "")
		}
		switch {
		case out[i] == '\x1b':
			m := csi.FindStringSubmatch(out[i:])
			if m == nil {
				t.Fatalf("unknown escape code at %q", out[i:min(i+8, len(out))])
			}
			switch m[2] {
			case "A":
				n, _ := strconv.Atoi(m[1])
				row = max(row-n, 0)
			case "K":
				rows[row] = ""
			case "J":
				rows[row] = ""
				rows = rows[:row+1]
			case "m": // colour
			default:
				t.Fatalf("unexpected escape code %q", m[0])
			}
			i += len(m[0])
		case out[i] == '\r':
			i++
		case out[i] == '\n':
			row++
			i++
		default:
			r, n := utf8.DecodeRuneInString(out[i:])
			rows[row] += string(r)
			i += n
		}
	}
	for len(rows) > 0 && rows[len(rows)-1] == "" {
		rows = rows[:len(rows)-1]
	}
	return rows
}

// fakeClock is a clock tests move by hand.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }

func newTestTTY(out *bytes.Buffer, width int, clock *fakeClock) *tty {
	return newTTY(out, Options{Width: func() int { return width }, Now: clock.Now})
}

// TestTTYFinalSummary: after Close the screen holds one line per resource
// in first-seen order with its final state and elapsed time, the layers
// folded into the image, then the failures in full.
func TestTTYFinalSummary(t *testing.T) {
	var out bytes.Buffer
	clock := &fakeClock{now: at(0)}
	v := newTestTTY(&out, 100, clock)
	for _, e := range run() {
		clock.now = e.Time
		v.Emit(e)
		v.draw(false)
	}
	clock.now = at(3200)
	v.Close()
	want := []string{
		" ✔ Network demo_default  Created                                                               0.0s",
		" ✔ Image busybox:latest  Pulled                                                                1.0s",
		" ✔ Container demo-db-1   Started                                                               0.7s",
		" ✔ Service db            Healthy                                                               1.2s",
		" ✘ Container demo-web-1  Error: port 8080 is already allocated                                 0.1s",
		" ! Network shared        Kept: other containers still use it                                   0.0s",
		"",
		" ✘ Container demo-web-1: port 8080 is already allocated",
	}
	got := screen(t, out.String())
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("screen:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestTTYPullBar: while an image is pulled its line shows a bar and the
// bytes of all its layers together; a finished layer counts in full.
func TestTTYPullBar(t *testing.T) {
	var out bytes.Buffer
	clock := &fakeClock{now: at(400)}
	v := newTestTTY(&out, 80, clock)
	for _, e := range run()[:6] { // up to the second layer update
		v.Emit(e)
	}
	v.draw(false)
	got := screen(t, out.String())
	want := []string{
		" ✔ Network demo_default  Created                                           0.0s",
		" ⠼ Image busybox:latest  Pulling [======>   ] 600B/1kB                     0.4s",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("screen:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestTTYFitsWidth: at any width no row is wider than the terminal less
// its last column; long names lose their middle to an ellipsis, then the
// time is left out, then the text is cut.
func TestTTYFitsWidth(t *testing.T) {
	long := "a-project-with-a-rather-long-name-worker-queue-consumer-1"
	tests := []struct {
		width int
		want  string // the long container's row
	}{
		{width: 120, want: " ⠴ Container " + long + "  Starting" + strings.Repeat(" ", 35) + "0.5s"},
		{width: 60, want: " ⠴ Container a-project-with-…ueue-consumer-1  Starting 0.5s"},
		{width: 40, want: " ⠴ Container a-pro…mer-1  Starting 0.5s"},
		{width: 24, want: " ⠴ Container a-pr…r-1"},
		{width: 12, want: " ⠴ Conta…"},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.width), func(t *testing.T) {
			var out bytes.Buffer
			clock := &fakeClock{now: at(0)}
			v := newTestTTY(&out, tt.width, clock)
			v.Emit(Event{Kind: Network, Name: "p_default", Status: Done, Text: "Created", Time: at(0)})
			v.Emit(Event{Kind: Container, Name: long, Status: Working, Text: "Starting", Time: at(0)})
			clock.now = at(500)
			v.draw(false)
			rows := screen(t, out.String())
			for _, r := range rows {
				if n := utf8.RuneCountInString(r); n > tt.width-1 {
					t.Errorf("row of %d runes in %d columns: %q", n, tt.width, r)
				}
			}
			if len(rows) != 2 || rows[1] != tt.want {
				t.Errorf("rows:\n%q\nwant second row\n%q", rows, tt.want)
			}
		})
	}
}

// TestTTYRedrawsInPlace: each frame moves back over the previous one and
// is one Write; the view follows a resize between frames.
func TestTTYRedrawsInPlace(t *testing.T) {
	var out bytes.Buffer
	clock := &fakeClock{now: at(0)}
	width := 80
	v := newTTY(&out, Options{Width: func() int { return width }, Now: clock.Now})
	v.Emit(Event{Kind: Container, Name: "p-web-1", Status: Working, Text: "Creating"})
	v.Emit(Event{Kind: Container, Name: "p-db-1", Status: Working, Text: "Creating"})
	v.draw(false)
	first := out.Len()
	width = 30
	clock.now = at(1000)
	v.Emit(Event{Kind: Container, Name: "p-web-1", Status: Done, Text: "Created"})
	v.draw(false)
	second := out.String()[first:]
	if !strings.HasPrefix(second, "\x1b[2A") {
		t.Errorf("second frame %q does not start by moving up over the two rows", second)
	}
	got := screen(t, out.String())
	want := []string{
		" ✔ Container p-web-1  Created",
		" ⠋ Container p-db-1   Creati…",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("screen:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestTTYTallerThanScreen: a live frame keeps to the screen's height, so
// the cursor can always reach its first row; the final one has every row.
func TestTTYTallerThanScreen(t *testing.T) {
	var out bytes.Buffer
	clock := &fakeClock{now: at(0)}
	v := newTTY(&out, Options{Width: func() int { return 40 }, Height: func() int { return 3 }, Now: clock.Now})
	for _, n := range []string{"a", "b", "c", "d"} {
		v.Emit(Event{Kind: Volume, Name: n, Status: Done, Text: "Created"})
	}
	v.draw(false)
	if rows := screen(t, out.String()); len(rows) != 2 || !strings.Contains(rows[1], "Volume d") {
		t.Errorf("live rows = %q, want the last two", rows)
	}
	v.Close()
	if rows := screen(t, out.String()); len(rows) != 4 {
		t.Errorf("final rows = %q, want all four", rows)
	}
}

// TestTTYColor: colours only when asked for; the cursor moves are there
// either way.
func TestTTYColor(t *testing.T) {
	for _, on := range []bool{true, false} {
		var out bytes.Buffer
		v := newTTY(&out, Options{Color: on, Width: func() int { return 80 }, Now: (&fakeClock{now: at(0)}).Now})
		v.Emit(Event{Kind: Container, Name: "p-web-1", Status: Error, Text: "Error", Err: errors.New("boom")})
		v.Close()
		if got := strings.Contains(out.String(), "\x1b[31m"); got != on {
			t.Errorf("Color %v: red in output = %v:\n%q", on, got, out.String())
		}
	}
}

// TestTTYQuietWhenIdle: no events, no output; a view whose work is all
// done draws again only when an event comes.
func TestTTYQuietWhenIdle(t *testing.T) {
	var out bytes.Buffer
	v := newTestTTY(&out, 80, &fakeClock{now: at(0)})
	v.draw(false)
	v.Close()
	if out.Len() != 0 {
		t.Fatalf("output with no events: %q", out.String())
	}
	v = newTestTTY(&out, 80, &fakeClock{now: at(0)})
	v.Emit(Event{Kind: Volume, Name: "v", Status: Done, Text: "Created"})
	v.draw(false)
	n := out.Len()
	v.draw(false)
	if out.Len() != n {
		t.Errorf("a frame with nothing new: %q", out.String()[n:])
	}
}

// TestTTYLoop: the drawing goroutine draws on its own and Close ends it
// with the final frame; Emit after Close writes nothing.
func TestTTYLoop(t *testing.T) {
	var out syncBuffer
	r, err := New(ModeTTY, &out, Options{Width: func() int { return 60 }, Interval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	r.Emit(Event{Kind: Network, Name: "n", Status: Done, Text: "Created"})
	r.Close()
	n := out.Len()
	r.Emit(Event{Kind: Network, Name: "m", Status: Done, Text: "Created"})
	r.Close()
	if out.Len() != n || !strings.Contains(out.String(), "Network n") {
		t.Errorf("output %q", out.String())
	}
}

// syncBuffer is a bytes.Buffer safe to write from the drawing goroutine
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Len()
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
