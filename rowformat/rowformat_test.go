package rowformat

import (
	"bytes"
	"strings"
	"testing"
)

type templateRow struct {
	Name, Driver string
	Tags         []string
}

func TestTemplate(t *testing.T) {
	rows := []any{templateRow{"alpha", "local", []string{"a", "b"}}, templateRow{"a<b>&c", "nfs", nil}}
	headers := map[string]string{"Name": "NAME", "Driver": "DRIVER", "Tags": "TAGS"}
	tests := []struct {
		format, want string
	}{
		{"{{.Name}}", "alpha\na<b>&c\n"},
		{`{{.Name}}\t{{.Driver}}`, "alpha\tlocal\na<b>&c\tnfs\n"},
		{"table {{.Driver}}\t{{.Name}}", "DRIVER    NAME\nlocal     alpha\nnfs       a<b>&c\n"},
		{`table {{upper .Name}}\t{{.Driver}}`, "NAME      DRIVER\nALPHA     local\nA<B>&C    nfs\n"},
		{"{{json .Name}}", "\"alpha\"\n\"a<b>&c\"\n"},
		{`{{join .Tags ","}}|{{truncate .Name 3}}|{{pad .Driver 1 2}}|{{title "one two"}}`, "a,b|alp| local  |One Two\n|a<b| nfs  |One Two\n"},
		{"{{lower (upper .Name)}}", "alpha\na<b>&c\n"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			tmpl, err := Parse(tt.format)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := tmpl.Write(&out, headers, rows); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("output:\n%q\nwant:\n%q", out.String(), tt.want)
			}
		})
	}
}

func TestTemplateErrors(t *testing.T) {
	if _, err := Parse("{{.Name"); err == nil || !strings.Contains(err.Error(), "invalid --format") {
		t.Errorf("unclosed action: %v", err)
	}
	tmpl, err := Parse("{{.Nope}}")
	if err != nil {
		t.Fatal(err)
	}
	if err := tmpl.Write(&bytes.Buffer{}, nil, []any{templateRow{}}); err == nil || !strings.Contains(err.Error(), "--format") {
		t.Errorf("unknown field: %v", err)
	}
}
