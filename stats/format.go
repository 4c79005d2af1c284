package stats

import (
	"io"
	"strconv"
	"strings"

	"github.com/docker/go-units"

	"github.com/berth-compose/berth/rowformat"
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
	tmpl *rowformat.Template
}

// ParseFormat reads a --format value. As in docker, `\t` and `\n` written
// out in the value stand for a tab and a newline.
func ParseFormat(s string) (*Format, error) {
	switch {
	case s == "" || strings.TrimSpace(s) == "table":
		s = "table " + defaultTable
	case s == "json":
		s = "{{json .}}"
	}
	tmpl, err := rowformat.Parse(s)
	if err != nil {
		return nil, err
	}
	return &Format{tmpl: tmpl}, nil
}

// Write renders rows, in the order given: a table (header, then rows, in
// columns three spaces apart, as docker lays them out) or one template
// run per row, written in one call so a live view never shows half a
// table.
func (f *Format) Write(w io.Writer, rows []Row, noTrunc bool) error {
	entries := make([]any, len(rows))
	for i, r := range rows {
		entries[i] = r.Entry(noTrunc)
	}
	return f.tmpl.Write(w, headers, entries)
}
