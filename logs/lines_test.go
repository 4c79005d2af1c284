package logs

import (
	"strings"
	"testing"
)

// TestLineWriter: bytes from the engine come out as prefixed lines, the
// prefix only where a line starts, whatever the engine's chunking.
func TestLineWriter(t *testing.T) {
	long := strings.Repeat("x", maxHeld+10)
	tests := []struct {
		name   string
		chunks []string
		want   string
	}{
		{"whole lines", []string{"a\nb\n"}, "web-1  | a\nweb-1  | b\n"},
		{"a line split across chunks", []string{"he", "llo\nwor", "ld\n"}, "web-1  | hello\nweb-1  | world\n"},
		{"a last line without newline is ended", []string{"done"}, "web-1  | done\n"},
		{"empty lines keep their prefix", []string{"\n\n"}, "web-1  | \nweb-1  | \n"},
		{"binary bytes pass unchanged", []string{"\x00\xff\r\x1b[31m\n"}, "web-1  | \x00\xff\r\x1b[31m\n"},
		{"a line longer than held is written whole, one prefix", []string{long[:100], long[100:], "\nnext\n"}, "web-1  | " + long + "\nweb-1  | next\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			out := newOutput(&b, &b, true, false)
			w := &lineWriter{out: out, src: out.register("web-1", "web")}
			for _, c := range tt.chunks {
				if n, err := w.Write([]byte(c)); err != nil || n != len(c) {
					t.Fatalf("Write(%q) = %d, %v", c, n, err)
				}
			}
			if err := w.finish(); err != nil {
				t.Fatal(err)
			}
			if err := out.close(); err != nil {
				t.Fatal(err)
			}
			if got := b.String(); got != tt.want {
				t.Errorf("got  %.80q\nwant %.80q", got, tt.want)
			}
		})
	}
}

// TestPrefix: names are padded to the longest one plus one, as docker
// compose pads them; colour, when on, is per service and wraps the prefix.
func TestPrefix(t *testing.T) {
	tests := []struct {
		name          string
		prefix, color bool
		want          []string
	}{
		{"padded to the longest name", true, false, []string{"web-1       | a\n", "database-1  | b\n", "web-2       | c\n"}},
		{"no prefix", false, false, []string{"a\n", "b\n", "c\n"}},
		{"coloured per service", true, true, []string{
			"\x1b[96mweb-1       | \x1b[0ma\n", "\x1b[32mdatabase-1  | \x1b[0mb\n", "\x1b[96mweb-2       | \x1b[0mc\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			out := newOutput(&b, &b, tt.prefix, tt.color)
			web1, db, web2 := out.register("web-1", "web"), out.register("database-1", "database"), out.register("web-2", "web")
			for i, src := range []*source{web1, db, web2} {
				if err := out.write(src, false, []byte(string(rune('a'+i))+"\n"), true); err != nil {
					t.Fatal(err)
				}
			}
			if err := out.close(); err != nil {
				t.Fatal(err)
			}
			if got, want := b.String(), strings.Join(tt.want, ""); got != want {
				t.Errorf("got  %q\nwant %q", got, want)
			}
		})
	}
}

// TestDisplayName: the prefix is the name without the project for
// containers named by compose's rule, the full name otherwise.
func TestDisplayName(t *testing.T) {
	labels := func(service, n string) map[string]string {
		return map[string]string{"com.docker.compose.service": service, "com.docker.compose.container-number": n}
	}
	tests := []struct{ name, service, number, want string }{
		{"proj-web-1", "web", "1", "web-1"},
		{"proj-web-12", "web", "12", "web-12"},
		{"my-db", "db", "1", "my-db"},
		{"proj-web-run-0f3a", "web", "1", "proj-web-run-0f3a"},
	}
	for _, tt := range tests {
		c := named(tt.name, labels(tt.service, tt.number))
		if got := displayName(c, "proj"); got != tt.want {
			t.Errorf("displayName(%s) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
