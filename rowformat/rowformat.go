// Package rowformat renders --format Go templates the way the docker
// CLI's formatter does, for every command whose --format takes one (ps,
// images, volumes, stats, ...): "table TEMPLATE" prints a header row and
// aligns the columns three spaces apart, anything else prints the
// template once per row; \t and \n written literally mean a tab and a
// newline.
package rowformat

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

// Template is a parsed --format.
type Template struct {
	rows   *template.Template
	header *template.Template // nil: no header row, no columns
}

// Parse reads format: "table TEMPLATE" for a table, else a template for
// each row. Named formats (json, table alone) are the caller's to map to
// a template first.
func Parse(format string) (*Template, error) {
	text, table := strings.CutPrefix(format, "table")
	text = strings.NewReplacer(`\t`, "\t", `\n`, "\n").Replace(strings.TrimSpace(text))
	rows, err := template.New("format").Funcs(funcs).Parse(text)
	if err != nil {
		return nil, fmt.Errorf("invalid --format %q: not a valid template: %w", format, err)
	}
	t := &Template{rows: rows}
	if table {
		// The same text, with functions that leave a column title as it is.
		if t.header, err = template.New("header").Funcs(headerFuncs).Parse(text); err != nil {
			return nil, fmt.Errorf("invalid --format %q: not a valid template: %w", format, err)
		}
	}
	return t, nil
}

// Write renders rows, one template result and a newline each; a table
// starts with headers (a map from field name to column title) run through
// the template. Nothing is written until all of it is rendered, in one
// call, so a live view never shows half a table.
func (t *Template) Write(out io.Writer, headers map[string]string, rows []any) error {
	var b bytes.Buffer
	var w io.Writer = &b
	var tw *tabwriter.Writer
	if t.header != nil {
		tw = tabwriter.NewWriter(&b, 10, 1, 3, ' ', 0) // the docker CLI's table layout
		w = tw
		if err := t.header.Execute(tw, headers); err != nil {
			return fmt.Errorf("--format header: %w", err)
		}
		fmt.Fprintln(tw)
	}
	for _, r := range rows {
		if err := t.rows.Execute(w, r); err != nil {
			return fmt.Errorf("--format: %w", err)
		}
		fmt.Fprintln(w)
	}
	if tw != nil {
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	_, err := out.Write(b.Bytes())
	return err
}

// funcs are the functions a --format template may call, as in the docker
// CLI.
var funcs = template.FuncMap{
	"json": func(v any) (string, error) {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return "", err
		}
		return strings.TrimSuffix(buf.String(), "\n"), nil
	},
	"split":   strings.Split,
	"join":    strings.Join,
	"title":   titleCase,
	"lower":   strings.ToLower,
	"upper":   strings.ToUpper,
	"println": fmt.Sprintln,
	"pad": func(s string, before, after int) string {
		return strings.Repeat(" ", max(before, 0)) + s + strings.Repeat(" ", max(after, 0))
	},
	"truncate": Truncate,
}

// headerFuncs stand in for funcs in a table's header row: a header is a
// column title, printed as it is whatever function its column applies.
var headerFuncs = template.FuncMap{
	"json": func(v any) string {
		s, _ := v.(string)
		return s
	},
	"split":    func(v, _ string) string { return v },
	"join":     func(v string, _ string) string { return v },
	"title":    func(v string) string { return v },
	"lower":    func(v string) string { return v },
	"upper":    func(v string) string { return v },
	"println":  func(v string) string { return v },
	"pad":      func(v string, _, _ int) string { return v },
	"truncate": func(v string, _ int) string { return v },
}

// Truncate cuts s to at most n characters (runes).
func Truncate(s string, n int) string {
	if r := []rune(s); len(r) > max(n, 0) {
		return string(r[:max(n, 0)])
	}
	return s
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
