package stats

import (
	"encoding/json"
	"strings"
	"testing"
)

const (
	kib = 1024
	mib = 1024 * kib
	gib = 1024 * mib
)

var (
	web = Row{ID: "0123456789abcdef0123", Name: "shop-web-1", Valid: true, Usage: Usage{
		CPUPercent: 12.345, Memory: 1.5 * mib, MemoryLimit: 7.6 * gib, MemoryPercent: 0.0193,
		NetRx: 1234, NetTx: 0, BlockRead: 4.5e6, BlockWrite: 12e9, PIDs: 3,
	}}
	db      = Row{ID: "fedcba9876543210fedc", Name: "shop-db-1", Valid: true}
	unknown = Row{ID: "aaaabbbbccccddddeeee", Name: "shop-new-1"}
)

// TestEntry: figures read as docker shows them: two decimals for
// percentages, binary units for memory, decimal ones with three digits
// for transfers, "--" without a reading, ids cut to 12 unless noTrunc.
func TestEntry(t *testing.T) {
	tests := []struct {
		name    string
		row     Row
		noTrunc bool
		want    Entry
	}{
		{"running", web, false, Entry{Container: web.ID, ID: "0123456789ab", Name: "shop-web-1",
			CPUPerc: "12.35%", MemUsage: "1.5MiB / 7.6GiB", MemPerc: "0.02%",
			NetIO: "1.23kB / 0B", BlockIO: "4.5MB / 12GB", PIDs: "3"}},
		{"zero figures", db, true, Entry{Container: db.ID, ID: db.ID, Name: "shop-db-1",
			CPUPerc: "0.00%", MemUsage: "0B / 0B", MemPerc: "0.00%", NetIO: "0B / 0B", BlockIO: "0B / 0B", PIDs: "0"}},
		{"no reading", unknown, false, Entry{Container: unknown.ID, ID: "aaaabbbbcccc", Name: "shop-new-1",
			CPUPerc: "--", MemUsage: "-- / --", MemPerc: "--", NetIO: "--", BlockIO: "--", PIDs: "--"}},
		{"no name", Row{ID: "abc", Valid: true}, false, Entry{Container: "abc", ID: "abc", Name: "--",
			CPUPerc: "0.00%", MemUsage: "0B / 0B", MemPerc: "0.00%", NetIO: "0B / 0B", BlockIO: "0B / 0B", PIDs: "0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.row.Entry(tt.noTrunc); got != tt.want {
				t.Errorf("entry\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

// TestFormatWrite: the default table has docker's columns and layout;
// "table" with a template keeps a header of its own columns; "json" is
// one object per row with docker's keys; a bare template has no header;
// `\t` written out is a tab.
func TestFormatWrite(t *testing.T) {
	tests := []struct {
		name, format string
		rows         []Row
		want         string
	}{
		{"default table", "", []Row{web, unknown}, "" +
			"CONTAINER ID   NAME         CPU %     MEM USAGE / LIMIT   MEM %     NET I/O       BLOCK I/O      PIDS\n" +
			"0123456789ab   shop-web-1   12.35%    1.5MiB / 7.6GiB     0.02%     1.23kB / 0B   4.5MB / 12GB   3\n" +
			"aaaabbbbcccc   shop-new-1   --        -- / --             --        --            --             --\n"},
		{"table alone is the default", "table", []Row{db}, "" +
			"CONTAINER ID   NAME        CPU %     MEM USAGE / LIMIT   MEM %     NET I/O   BLOCK I/O   PIDS\n" +
			"fedcba987654   shop-db-1   0.00%     0B / 0B             0.00%     0B / 0B   0B / 0B     0\n"},
		{"no rows: the header alone", "table", nil,
			"CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O   BLOCK I/O   PIDS\n"},
		{"table of chosen columns", `table {{.Name}}\t{{.CPUPerc}}\t{{.Container}}`, []Row{web}, "" +
			"NAME         CPU %     CONTAINER\n" +
			"shop-web-1   12.35%    0123456789abcdef0123\n"},
		{"functions leave the header alone", `table {{upper .Name}}\t{{truncate .ID 4}}`, []Row{web}, "" +
			"NAME         CONTAINER ID\n" +
			"SHOP-WEB-1   0123\n"},
		{"bare template", `{{.Name}}: {{.MemPerc}}`, []Row{web, db}, "shop-web-1: 0.02%\nshop-db-1: 0.00%\n"},
		{"json", "json", []Row{db}, `{"BlockIO":"0B / 0B","CPUPerc":"0.00%","Container":"fedcba9876543210fedc","ID":"fedcba987654",` +
			`"MemPerc":"0.00%","MemUsage":"0B / 0B","Name":"shop-db-1","NetIO":"0B / 0B","PIDs":"0"}` + "\n"},
		{"json of no rows", "json", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseFormat(tt.format)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			if err := f.Write(&b, tt.rows, false); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tt.want)
			}
		})
	}
}

// TestFormatJSONParses: every json line is an object with the template
// field names, and a template's json function gives the same.
func TestFormatJSONParses(t *testing.T) {
	for _, format := range []string{"json", "{{json .}}"} {
		f, err := ParseFormat(format)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := f.Write(&b, []Row{web, unknown}, true); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		if len(lines) != 2 {
			t.Fatalf("%s: %d lines, want 2:\n%s", format, len(lines), b.String())
		}
		var e Entry
		if err := json.Unmarshal([]byte(lines[0]), &e); err != nil {
			t.Fatalf("%s: %v: %s", format, err, lines[0])
		}
		if e != web.Entry(true) {
			t.Errorf("%s: parsed %+v, want %+v", format, e, web.Entry(true))
		}
	}
}

// TestParseFormatErrors: a broken template is refused before anything
// runs, with the value in the message; an unknown field fails at Write.
func TestParseFormatErrors(t *testing.T) {
	for _, format := range []string{"{{.Name", "table {{.Name}", "{{nosuchfunc .Name}}"} {
		if _, err := ParseFormat(format); err == nil || !strings.Contains(err.Error(), format) {
			t.Errorf("ParseFormat(%q) = %v, want an error naming it", format, err)
		}
	}
	f, err := ParseFormat("{{.Nope}}")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Write(&strings.Builder{}, []Row{web}, false); err == nil || !strings.Contains(err.Error(), "Nope") {
		t.Errorf("Write with an unknown field = %v, want an error naming it", err)
	}
}
