package cmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"text/template"
	"unicode"
)

// This file renders --format Go templates the way the docker CLI's
// formatter does, for the commands whose --format docker compose hands to
// it: "table TEMPLATE" prints a header row and aligns columns, anything
// else prints the template once per row; \t and \n written literally in
// the template mean a tab and a newline.

// templateFuncs are the functions a --format template may call, as in
// the docker CLI.
var templateFuncs = template.FuncMap{
	"json": func(v any) (string, error) {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return "", err
		}
		return strings.TrimSpace(buf.String()), nil
	},
	"split": strings.Split,
	"join":  strings.Join,
	"title": titleCase,
	"lower": strings.ToLower,
	"upper": strings.ToUpper,
	"pad": func(s string, before, after int) string {
		return strings.Repeat(" ", max(before, 0)) + s + strings.Repeat(" ", max(after, 0))
	},
	"truncate": func(s string, n int) string {
		if r := []rune(s); n >= 0 && len(r) > n {
			return string(r[:n])
		}
		return s
	},
}

// headerFuncs stand in for templateFuncs in a table's header row: a
// header is a column title, printed as it is whatever function a column
// passes it through.
var headerFuncs = template.FuncMap{
	"json":     func(v string) string { return v },
	"split":    func(v, _ string) string { return v },
	"join":     func(v string, _ string) string { return v },
	"title":    func(v string) string { return v },
	"lower":    func(v string) string { return v },
	"upper":    func(v string) string { return v },
	"pad":      func(v string, _, _ int) string { return v },
	"truncate": func(v string, _ int) string { return v },
}

// rowTemplate is a parsed --format: the template, and whether it is a
// table.
type rowTemplate struct {
	text  string
	table bool
	rows  *template.Template
}

// parseRowTemplate reads format, with "table" and "table TEMPLATE" for
// tables; the named formats (json, table...) are the caller's to map to
// their template first.
func parseRowTemplate(format string) (*rowTemplate, error) {
	text, table := strings.CutPrefix(format, "table")
	text = strings.NewReplacer(`\t`, "\t", `\n`, "\n").Replace(strings.TrimSpace(text))
	tmpl, err := template.New("format").Funcs(templateFuncs).Parse(text)
	if err != nil {
		return nil, fmt.Errorf("invalid --format template: %w", err)
	}
	return &rowTemplate{text: text, table: table, rows: tmpl}, nil
}

// write renders rows, one template result and a newline each; a table
// starts with the header (the template applied to headers, a map from
// field name to column title) and is aligned as the docker CLI aligns.
func (t *rowTemplate) write(out io.Writer, headers map[string]string, rows []any) error {
	var body bytes.Buffer
	for _, r := range rows {
		if err := t.rows.Execute(&body, r); err != nil {
			return fmt.Errorf("--format: %w", err)
		}
		body.WriteByte('\n')
	}
	if !t.table {
		_, err := body.WriteTo(out)
		return err
	}
	head, err := template.New("header").Funcs(headerFuncs).Parse(t.text)
	if err != nil {
		return fmt.Errorf("invalid --format template: %w", err)
	}
	w := tabwriter.NewWriter(out, 10, 1, 3, ' ', 0) // the docker CLI's table layout
	if err := head.Execute(w, headers); err != nil {
		return fmt.Errorf("--format header: %w", err)
	}
	fmt.Fprintln(w)
	if _, err := body.WriteTo(w); err != nil {
		return err
	}
	return w.Flush()
}

// titleCase upper-cases the first letter of each word.
func titleCase(s string) string {
	prev := ' '
	return strings.Map(func(r rune) rune {
		defer func() { prev = r }()
		if unicode.IsSpace(prev) {
			return unicode.ToTitle(r)
		}
		return r
	}, s)
}
