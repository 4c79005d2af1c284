package project

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadErrorsNameFileLineAndFix(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		wantAt  string // file:line
		wantMsg []string
	}{
		{
			name:    "bad indentation",
			files:   map[string]string{"compose.yaml": "services:\n  web:\n    image: x\n   ports:\n      - 80\n"},
			wantAt:  "compose.yaml:4",
			wantMsg: []string{"invalid YAML", "indentation"},
		},
		{
			name:    "tab indentation",
			files:   map[string]string{"compose.yaml": "services:\n  web:\n\timage: x\n"},
			wantAt:  "compose.yaml:3",
			wantMsg: []string{"invalid YAML", "tab"},
		},
		{
			name:    "unclosed flow sequence",
			files:   map[string]string{"compose.yaml": "services:\n  web:\n    image: x\n    command: [a, b\n"},
			wantAt:  "compose.yaml:",
			wantMsg: []string{"invalid YAML"},
		},
		{
			name:    "unknown top-level key",
			files:   map[string]string{"compose.yaml": "name: t\nservics:\n  web: {image: x}\n"},
			wantAt:  "compose.yaml:2",
			wantMsg: []string{`unknown attribute "servics"`, `did you mean "services"`},
		},
		{
			name:    "unknown service attribute",
			files:   map[string]string{"compose.yaml": "name: t\nservices:\n  web:\n    image: x\n    imagee: y\n"},
			wantAt:  "compose.yaml:5",
			wantMsg: []string{`unknown attribute "imagee" in services.web`, "x-"},
		},
		{
			name:    "wrong type",
			files:   map[string]string{"compose.yaml": "name: t\nservices:\n  web:\n    image: x\n    ports: {a: b}\n"},
			wantAt:  "compose.yaml:5",
			wantMsg: []string{"services.web.ports must be a array"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			_, err := Load(context.Background(), LoadOptions{ProjectDir: dir})
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error = %v (%T), want a *FileError", err, err)
			}
			if !strings.Contains(err.Error(), filepath.Join(dir, tt.wantAt)) {
				t.Errorf("error %q does not point at %s", err, tt.wantAt)
			}
			for _, m := range tt.wantMsg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q lacks %q", err, m)
				}
			}
		})
	}
}

func TestClosest(t *testing.T) {
	tests := []struct{ in, want string }{
		{"servics", "services"},
		{"volume", "volumes"},
		{"netwroks", "networks"},
		{"zzzzzzzz", ""},
	}
	for _, tt := range tests {
		if got := closest(tt.in, topLevelKeys); got != tt.want {
			t.Errorf("closest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
