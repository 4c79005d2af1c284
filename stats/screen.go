package stats

import (
	"bytes"
	"strings"
)

// Escape codes of the live view: cursor to the top left, clear the whole
// row, clear from the cursor to the end of the screen.
const (
	cursorHome = "\x1b[H"
	clearRow   = "\x1b[2K"
	clearBelow = "\x1b[J"
)

// frame turns one rendered table into the bytes that draw it over the
// last one on a terminal of width columns and height rows (0: not
// known). Each row is cleared before it is written, so a shorter value
// leaves nothing of the longer one behind, and what is below the table
// (rows of containers gone since) is cleared after it. The table is
// fitted to the screen: a row wider than it would wrap, and a table
// taller than it would scroll, and either way the next frame would no
// longer land on the last one.
func frame(table []byte, width, height int) []byte {
	lines := strings.Split(strings.TrimSuffix(string(table), "\n"), "\n")
	if height > 0 && len(lines) > height-1 {
		// The last row of the screen stays free: a newline there scrolls.
		lines = lines[:max(height-1, 0)]
	}
	var b bytes.Buffer
	b.WriteString(cursorHome)
	for _, l := range lines {
		b.WriteString(clearRow)
		b.WriteString(cut(l, width))
		b.WriteByte('\n')
	}
	b.WriteString(clearBelow)
	return b.Bytes()
}

// cut shortens s to width-1 characters: the last column stays free, as a
// full row makes some terminals wrap. width 0 leaves s as it is.
func cut(s string, width int) string {
	if width <= 0 {
		return s
	}
	if r := []rune(s); len(r) > width-1 {
		return string(r[:max(width-1, 0)])
	}
	return s
}
