package interactive

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestParseDetachKeys(t *testing.T) {
	tests := []struct {
		spec    string
		want    string
		wantErr string
	}{
		{"", "\x10\x11", ""},
		{"ctrl-p,ctrl-q", "\x10\x11", ""},
		{"CTRL-A", "\x01", ""},
		{"a,b", "ab", ""},
		{"ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_", "\x00\x1b\x1c\x1d\x1e\x1f", ""},
		{"ctrl-1", "", "no control key"},
		{"ab", "", "neither one character"},
		{"ctrl-p,", "", "neither one character"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ParseDetachKeys(tt.spec)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseDetachKeys(%q) = %q, %v; want an error with %q", tt.spec, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("ParseDetachKeys(%q) = %q, %v; want %q", tt.spec, got, err, tt.want)
			}
		})
	}
}

func TestDetachReader(t *testing.T) {
	keys := []byte("\x10\x11")
	tests := []struct {
		name     string
		in       string
		want     string
		detached bool
	}{
		{"plain input passes", "ls -l\n", "ls -l\n", false},
		{"the sequence detaches and is swallowed", "echo hi\n\x10\x11rest", "echo hi\n", true},
		{"a lone first key passes", "a\x10b", "a\x10b", false},
		{"a first key repeated keeps matching", "\x10\x10\x11", "\x10", true},
		{"a first key at the end passes", "abc\x10", "abc\x10", false},
		{"the second key alone passes", "\x11x", "\x11x", false},
	}
	for _, tt := range tests {
		for _, reader := range []struct {
			name string
			wrap func(io.Reader) io.Reader
		}{{"whole", func(r io.Reader) io.Reader { return r }}, {"byte by byte", iotest.OneByteReader}} {
			t.Run(tt.name+"/"+reader.name, func(t *testing.T) {
				got, err := io.ReadAll(newDetachReader(reader.wrap(strings.NewReader(tt.in)), keys))
				if string(got) != tt.want {
					t.Errorf("read %q, want %q", got, tt.want)
				}
				if errors.Is(err, ErrDetached) != tt.detached {
					t.Errorf("err = %v, want detached %v", err, tt.detached)
				}
			})
		}
	}
}
