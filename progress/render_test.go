package progress

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRenderers(t *testing.T) {
	at := time.Now().Add(1500 * time.Millisecond)
	events := []Event{
		{Resource: "Container a-web-1", Status: Working, Text: "Starting"},
		{Resource: "Container a-web-1", Status: Done, Text: "Started", Time: at},
		{Resource: "Image busybox", Status: Working, Text: "Downloading", Current: 10, Total: 100},
		{Resource: "Layer 3f4d90098f5b", Parent: "Image busybox", Status: Done, Text: "Pull complete", Time: at},
		{Resource: "Container a-db-1", Status: Error, Text: "Error", Err: errors.New("boom"), Time: at},
	}
	tests := []struct {
		mode string
		want []string // substrings, in order
		not  []string
	}{
		{mode: ModePlain, want: []string{" Container a-web-1  Starting\n", " Container a-web-1  Started  1.", " Container a-db-1  Error: boom"}, not: []string{"Downloading", "Layer"}},
		{mode: ModeJSON, want: []string{`"resource":"Container a-web-1","status":"working","text":"Starting"`, `"current":10,"total":100`, `"resource":"Layer 3f4d90098f5b","status":"done","text":"Pull complete","parent":"Image busybox"`, `"status":"error","text":"Error","error":"boom"`}},
		{mode: ModeQuiet, not: []string{"Container"}},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			var out bytes.Buffer
			r, err := New(tt.mode, &out, false)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range events {
				r.Emit(e)
			}
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			rest := out.String()
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output lacks %q (in order):\n%s", w, out.String())
				}
				rest = rest[i+len(w):]
			}
			for _, n := range tt.not {
				if strings.Contains(out.String(), n) {
					t.Errorf("output has %q:\n%s", n, out.String())
				}
			}
		})
	}
	if _, err := New("fancy", nil, false); err == nil {
		t.Error("unknown mode accepted")
	}
}
