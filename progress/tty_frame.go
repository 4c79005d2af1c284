package progress

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/docker/go-units"
	"github.com/fatih/color"
)

// Escape codes of the live view: cursor up n rows, clear the whole row,
// clear from the cursor to the end of the screen.
const (
	cursorUp   = "\x1b[%dA"
	clearLine  = "\r\x1b[2K"
	clearBelow = "\x1b[J"
)

// minIDWidth is as far as a long resource id ("Container " and the name)
// is cut before the time and the text give way too: cut shorter, too
// little of the name is left to tell it from another.
const minIDWidth = 20

var spinner = []rune("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")

// palette holds the view's colours. Each renderer enables or disables its
// own, rather than through color.NoColor, a global that would make two
// renderers (or a test and a renderer) decide for each other.
type palette struct {
	done, warn, fail, work, faint *color.Color
}

func newPalette(on bool) palette {
	p := palette{
		done:  color.New(color.FgGreen),
		warn:  color.New(color.FgYellow),
		fail:  color.New(color.FgRed),
		work:  color.New(color.FgCyan),
		faint: color.New(color.Faint),
	}
	for _, c := range []*color.Color{p.done, p.warn, p.fail, p.work, p.faint} {
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
	}
	return p
}

// frame is the text that redraws the view: back over the previous frame,
// then each row cleared and written again. A live frame taller than the
// screen shows only its last rows (rows that scrolled off cannot be
// reached again); the final one shows them all, and the errors below.
func (t *tty) frame(now time.Time, final bool) string {
	if len(t.lines) == 0 {
		return ""
	}
	width := 80
	if t.opts.Width != nil && t.opts.Width() > 0 {
		width = t.opts.Width()
	}
	width-- // the last column stays free: a full row would make some terminals wrap
	rows := t.lines
	if h := t.height(); !final && h > 0 && len(rows) > h-1 {
		rows = rows[len(rows)-(h-1):]
	}
	idCol := 0
	for _, l := range t.lines {
		idCol = max(idCol, utf8.RuneCountInString(l.id))
	}
	var b strings.Builder
	if t.drawn > 0 {
		fmt.Fprintf(&b, cursorUp, t.drawn)
	}
	for _, l := range rows {
		b.WriteString(clearLine)
		b.WriteString(t.row(l, now, idCol, width, final))
		b.WriteByte('\n')
	}
	b.WriteString(clearBelow)
	t.drawn = len(rows)
	if final {
		b.WriteString(t.errorSummary())
	}
	return b.String()
}

func (t *tty) height() int {
	if t.opts.Height == nil {
		return 0
	}
	return t.opts.Height()
}

// row is one resource's line, fitted to width runes:
// " ✔ Container shop-web-1  Started        0.3s".
func (t *tty) row(l *line, now time.Time, idCol, width int, final bool) string {
	icon, tint := t.icon(l, now, final)
	text := l.text
	if l.err != nil {
		text += ": " + firstLine(l.err.Error())
	}
	if bar := pullBar(l, width); bar != "" {
		text += " " + bar
	}
	if l.status == Working && l.step != "" {
		text += " " + l.step
	}
	end := l.end
	if end.IsZero() {
		end = now
	}
	elapsed := fmt.Sprintf("%.1fs", end.Sub(l.start).Seconds())
	id, text, gap, showTime := fit(l.id, text, elapsed, idCol, width)
	if l.status == Error || l.status == Warning {
		text = tint.Sprint(text)
	}
	out := " " + tint.Sprint(icon) + " " + id
	if text != "" {
		out += "  " + text
	}
	if !showTime {
		return strings.TrimRight(out, " ") // the padding of a cut-off row
	}
	return out + strings.Repeat(" ", gap) + t.pal.faint.Sprint(elapsed)
}

func (t *tty) icon(l *line, now time.Time, final bool) (string, *color.Color) {
	switch l.status {
	case Done:
		return "✔", t.pal.done
	case Warning:
		return "!", t.pal.warn
	case Error:
		return "✘", t.pal.fail
	}
	if final {
		return "-", t.pal.faint // still working when the command ended
	}
	return string(spinner[now.UnixMilli()/100%int64(len(spinner))]), t.pal.work
}

// fit shares width between the id (padded to idCol), the text and the
// elapsed time, in this order of what gives way: the id column (down to
// minIDWidth), then the time, then the text, and at last the id again.
// The line never wraps: a wrapped line would throw the cursor moves of
// the next frame off by a row.
// It returns the id and text to print, the spaces before the time, and
// whether the time fits.
func fit(id, text, elapsed string, idCol, width int) (string, string, int, bool) {
	const fixed = 5 // " x " before the id, two spaces after it
	room := width - fixed
	textW := utf8.RuneCountInString(text)
	timeW := utf8.RuneCountInString(elapsed) + 1
	if idCol+textW+timeW > room {
		idCol = max(room-textW-timeW, min(idCol, minIDWidth))
	}
	showTime := idCol+textW+timeW <= room
	if !showTime {
		timeW = 0
	}
	idCol = max(min(idCol, room), 0)
	id = pad(cutID(id, idCol), idCol)
	text = cut(text, max(room-idCol-timeW, 0))
	gap := room - idCol - utf8.RuneCountInString(text) - timeW + 1
	return id, text, gap, showTime
}

// cut shortens s to n runes, marking the cut with an ellipsis.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// cutID shortens an id to n runes. The kind stays and the name loses its
// middle: the names of one project share their start, and their ends
// (service and number) tell them apart. With too little room for that, the
// id is simply cut.
func cutID(id string, n int) string {
	if utf8.RuneCountInString(id) <= n {
		return id
	}
	kind, name, ok := strings.Cut(id, " ")
	room := n - utf8.RuneCountInString(kind) - 1
	if !ok || room < 4 {
		return cut(id, n)
	}
	return kind + " " + cutMiddle(name, room)
}

// cutMiddle shortens s to n runes by taking out its middle.
func cutMiddle(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n <= 1 {
		return cut(s, n)
	}
	tail := (n - 1) / 2
	return string(r[:n-1-tail]) + "…" + string(r[len(r)-tail:])
}

func pad(s string, n int) string {
	return s + strings.Repeat(" ", max(n-utf8.RuneCountInString(s), 0))
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// pullBar is an image line's bytes so far, summed over its layers:
// "[=====>    ] 12.3MB/45.6MB". Empty once the pull is over or when the
// engine gave no sizes.
func pullBar(l *line, width int) string {
	if l.status != Working || len(l.layers) == 0 {
		return ""
	}
	var current, total int64
	for _, ly := range l.layers {
		current, total = current+ly.current, total+ly.total
	}
	if total <= 0 {
		return ""
	}
	size := 10
	if width >= 100 {
		size = 20
	}
	filled := int(min(current, total) * int64(size) / total)
	bar := strings.Repeat("=", filled)
	if filled < size {
		bar += ">" + strings.Repeat(" ", size-filled-1)
	}
	return fmt.Sprintf("[%s] %s/%s", bar, units.HumanSizeWithPrecision(float64(current), 3), units.HumanSizeWithPrecision(float64(total), 3))
}

// errorSummary repeats every failure in full below the final frame: the
// rows cut them to the width, and a long view scrolls them out of sight.
func (t *tty) errorSummary() string {
	var b strings.Builder
	for _, l := range t.lines {
		if l.status != Error || l.err == nil {
			continue
		}
		if b.Len() == 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, " %s %s: %s\n", t.pal.fail.Sprint("✘"), l.id, l.err)
	}
	return b.String()
}
