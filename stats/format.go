package stats

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"text/template"

	"github.com/docker/go-units"
)

// defaultTable is docker's stats table on Linux.
const defaultTable = `{{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}`

// Entry is one container's row as templates see it, with the docker CLI's
// field names. Every value is text, as docker's JSON has them; the fields
// are in alphabetical order because that is the key order of docker's
// JSON, which json.Marshal then keeps.
type Entry struct {
	BlockIO   string
	CPUPerc   string
	Container string
	ID        string
	MemPerc   string
	MemUsage  string
	Name      string
	NetIO     string
	PIDs      string
}

// headers are the column titles; a table's header line is its template
// run on this map.
var headers = map[string]string{
	"BlockIO":   "BLOCK I/O",
	"CPUPerc":   "CPU %",
	"Container": "CONTAINER",
	"ID":        "CONTAINER ID",
	"MemPerc":   "MEM %",
	"MemUsage":  "MEM USAGE / LIMIT",
	"Name":      "NAME",
	"NetIO":     "NET I/O",
	"PIDs":      "PIDS",
}

// Row is one container shown: who it is, and its latest usage.
type Row struct {
	// ID is the full container id; Name has no leading slash.
	ID, Name string
	Usage    Usage
	// Valid is false when there is no usage to show: no reading came in
	// time, or the container's stream ended. Its figures show as "--".
	Valid bool
}

// Entry renders r's figures as docker does: percentages with two
// decimals, memory in binary units (MiB), transfers in decimal ones (kB),
// and the id cut to 12 digits unless noTrunc.
func (r Row) Entry(noTrunc bool) Entry {
	e := Entry{Container: r.ID, ID: r.ID, Name: r.Name}
	if !noTrunc {
		e.ID = r.ID[:min(12, len(r.ID))]
	}
	if e.Name == "" {
		e.Name = "--"
	}
	if !r.Valid {
		e.CPUPerc, e.MemUsage, e.MemPerc, e.NetIO, e.BlockIO, e.PIDs = "--", "-- / --", "--", "--", "--", "--"
		return e
	}
	u := r.Usage
	e.CPUPerc = percent(u.CPUPercent)
	e.MemUsage = units.BytesSize(u.Memory) + " / " + units.BytesSize(u.MemoryLimit)
	e.MemPerc = percent(u.MemoryPercent)
	e.NetIO = transfer(u.NetRx) + " / " + transfer(u.NetTx)
	e.BlockIO = transfer(u.BlockRead) + " / " + transfer(u.BlockWrite)
	e.PIDs = strconv.FormatUint(u.PIDs, 10)
	return e
}

func percent(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) + "%" }

// transfer is a byte count in decimal units with three significant
// digits: "1.23kB".
func transfer(v float64) string { return units.HumanSizeWithPrecision(v, 3) }

// Format is a parsed --format: docker's table (the default), "table" with
// a template of its own, "json", or a bare template.
type Format struct {
	tmpl   *template.Template
	header *template.Template // nil: no header line and no columns
}

// ParseFormat reads a --format value. As in docker, `\t` and `\n` written
// out in the value stand for a tab and a newline.
func ParseFormat(s string) (*Format, error) {
	table := strings.HasPrefix(s, "table")
	text := s
	switch {
	case s == "" || strings.TrimSpace(s) == "table":
		table, text = true, defaultTable
	case table:
		text = strings.TrimPrefix(s, "table")
	case s == "json":
		text = "{{json .}}"
	}
	text = strings.NewReplacer(`\t`, "\t", `\n`, "\n").Replace(strings.TrimSpace(text))
	tmpl, err := template.New("stats").Funcs(funcs).Parse(text)
	if err != nil {
		return nil, fmt.Errorf("invalid --format %q: %w", s, err)
	}
	f := &Format{tmpl: tmpl}
	if table {
		// The same text, with functions that leave a title as it is.
		if f.header, err = template.New("header").Funcs(headerFuncs).Parse(text); err != nil {
			return nil, fmt.Errorf("invalid --format %q: %w", s, err)
		}
	}
	return f, nil
}

// Write renders rows, in the order given: a table (header, then rows, in
// columns three spaces apart, as docker lays them out) or one template
// run per row. It writes nothing until all of it is rendered, in one
// call, so a live view never shows half a table.
func (f *Format) Write(w io.Writer, rows []Row, noTrunc bool) error {
	var b bytes.Buffer
	var out io.Writer = &b
	var tw *tabwriter.Writer
	if f.header != nil {
		tw = tabwriter.NewWriter(&b, 10, 1, 3, ' ', 0)
		out = tw
		if err := f.header.Execute(tw, headers); err != nil {
			return fmt.Errorf("--format: %w", err)
		}
		fmt.Fprintln(tw)
	}
	for _, r := range rows {
		if err := f.tmpl.Execute(out, r.Entry(noTrunc)); err != nil {
			return fmt.Errorf("--format: %w", err)
		}
		fmt.Fprintln(out)
	}
	if tw != nil {
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// funcs are the template functions docker's --format offers.
var funcs = template.FuncMap{
	"json": func(v any) (string, error) {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return "", err
		}
		return strings.TrimSuffix(b.String(), "\n"), nil
	},
	"join":    strings.Join,
	"split":   strings.Split,
	"lower":   strings.ToLower,
	"upper":   strings.ToUpper,
	"println": fmt.Sprintln,
	"pad": func(s string, before, after int) string {
		return strings.Repeat(" ", before) + s + strings.Repeat(" ", after)
	},
	"truncate": truncate,
}

// headerFuncs stand in for funcs when the header line is rendered: a
// column title is shown as it is, whatever the row's value goes through.
var headerFuncs = template.FuncMap{
	"json": func(v any) string {
		s, _ := v.(string)
		return s
	},
	"join":     func(v string, _ string) string { return v },
	"split":    func(v string, _ string) string { return v },
	"lower":    func(v string) string { return v },
	"upper":    func(v string) string { return v },
	"println":  func(v string) string { return v },
	"pad":      func(v string, _, _ int) string { return v },
	"truncate": func(v string, _ int) string { return v },
}

// truncate cuts s to at most n characters.
func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:max(n, 0)])
	}
	return s
}
