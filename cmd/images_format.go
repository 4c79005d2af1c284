package cmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/docker/go-units"

	"github.com/berth-compose/berth/engine"
)

// printImageIDs prints each image id once, without its "sha256:", in the
// order of the containers that use them.
func printImageIDs(out io.Writer, rows []imageRow) error {
	var ids []string
	for _, r := range rows {
		if id := strings.TrimPrefix(r.Image.ID, "sha256:"); !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	for _, id := range ids {
		if _, err := fmt.Fprintln(out, id); err != nil {
			return err
		}
	}
	return nil
}

// printImagesTable prints docker compose's images table; now is when
// CREATED is counted from.
func printImagesTable(out io.Writer, rows []imageRow, now time.Time) error {
	w := tabwriter.NewWriter(out, 20, 1, 3, ' ', 0) // docker compose's table layout
	fmt.Fprintln(w, "CONTAINER\tREPOSITORY\tTAG\tPLATFORM\tIMAGE ID\tSIZE\tCREATED")
	for _, r := range rows {
		created := "N/A"
		if !r.Image.Created.IsZero() {
			created = units.HumanDuration(now.Sub(r.Image.Created)) + " ago"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Container, orNone(r.Repository), orNone(r.Tag),
			platformOf(r.Image), shortImageID(r.Image.ID), units.HumanSizeWithPrecision(float64(r.Image.Size), 3), created)
	}
	return w.Flush()
}

// imageJSON is one row of images --format json, with docker compose's
// field names.
type imageJSON struct {
	ID            string     `json:"ID"`
	ContainerName string     `json:"ContainerName"`
	Repository    string     `json:"Repository"`
	Tag           string     `json:"Tag"`
	Platform      string     `json:"Platform"`
	Size          int64      `json:"Size"`
	Created       *time.Time `json:"Created,omitempty"`
	LastTagTime   time.Time  `json:"LastTagTime,omitzero"`
}

// printImagesJSON prints the rows as one JSON array on one line ("[]"
// when there are none).
func printImagesJSON(out io.Writer, rows []imageRow) error {
	list := []imageJSON{}
	for _, r := range rows {
		j := imageJSON{ID: r.Image.ID, ContainerName: r.Container, Repository: r.Repository, Tag: r.Tag,
			Platform: platformOf(r.Image), Size: r.Image.Size, LastTagTime: r.Image.LastTagTime}
		if !r.Image.Created.IsZero() {
			created := r.Image.Created
			j.Created = &created
		}
		list = append(list, j)
	}
	return writeJSONLine(out, list)
}

// writeJSONLine writes v as compact JSON and a newline, leaving <, > and
// & as they are (image references and templates hold them).
func writeJSONLine(out io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("printing JSON: %w", err)
	}
	_, err := out.Write(buf.Bytes())
	return err
}

// platformOf is os/arch[/variant], "unknown" when the image names no OS.
func platformOf(img engine.Image) string {
	if img.OS == "" {
		return "unknown"
	}
	return path.Join(img.OS, img.Architecture, img.Variant)
}

// shortImageID is the IMAGE ID column: 12 hex digits, no "sha256:".
func shortImageID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	return id[:min(12, len(id))]
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}
