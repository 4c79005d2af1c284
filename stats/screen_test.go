package stats

import (
	"strings"
	"testing"
)

// TestFrame: a live frame goes home, clears and writes each row, clears
// what is below, and fits the screen: rows cut to leave the last column
// free, and no more rows than leave the last screen row free.
func TestFrame(t *testing.T) {
	table := "HEADER LINE\nrow one\nrow two\n"
	tests := []struct {
		name          string
		width, height int
		want          string
	}{
		{"size not known", 0, 0, "\x1b[H\x1b[2KHEADER LINE\n\x1b[2Krow one\n\x1b[2Krow two\n\x1b[J"},
		{"wide and tall enough", 80, 24, "\x1b[H\x1b[2KHEADER LINE\n\x1b[2Krow one\n\x1b[2Krow two\n\x1b[J"},
		{"narrow", 7, 0, "\x1b[H\x1b[2KHEADER\n\x1b[2Krow on\n\x1b[2Krow tw\n\x1b[J"},
		{"short", 80, 3, "\x1b[H\x1b[2KHEADER LINE\n\x1b[2Krow one\n\x1b[J"},
		{"one row of screen", 80, 1, "\x1b[H\x1b[J"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(frame([]byte(table), tt.width, tt.height)); got != tt.want {
				t.Errorf("frame\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

// TestCut counts characters, not bytes, so a name with accents is cut
// where the screen's column ends.
func TestCut(t *testing.T) {
	if got := cut("héllo wörld", 6); got != "héllo" {
		t.Errorf("cut = %q, want %q", got, "héllo")
	}
	if got := cut(strings.Repeat("x", 5), 6); got != "xxxxx" {
		t.Errorf("a row that fits was cut: %q", got)
	}
}
