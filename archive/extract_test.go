package archive

import (
	"archive/tar"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// tarOf builds an archive; a regular entry's body is its Linkname field
// (which tar leaves empty for files), to keep the tables short.
func tarOf(t *testing.T, hdrs ...tar.Header) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range hdrs {
		body := ""
		if h.Typeflag == tar.TypeReg {
			body, h.Linkname = h.Linkname, ""
			h.Size = int64(len(body))
		}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		must(t, tw.WriteHeader(&h))
		_, err := tw.Write([]byte(body))
		must(t, err)
	}
	must(t, tw.Close())
	return &buf
}

func reg(name, body string) tar.Header {
	return tar.Header{Typeflag: tar.TypeReg, Name: name, Linkname: body}
}
func dir(name string) tar.Header { return tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: 0o755} }
func symlink(name, target string) tar.Header {
	return tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target}
}

// listTree lists everything below dir as "path type [content|target]".
func listTree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		line := filepath.ToSlash(rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			line += " -> " + target
		case d.IsDir():
			line += "/"
		default:
			body, _ := os.ReadFile(p)
			line += " " + string(body)
		}
		out = append(out, line)
		return nil
	})
	must(t, err)
	return out
}

func TestExtract(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the archives have symlinks")
	}
	tests := []struct {
		name string
		tar  []tar.Header
		opts ExtractOptions
		want []string
	}{
		{"file", []tar.Header{reg("f", "hi")}, ExtractOptions{}, []string{"f hi"}},
		{"file renamed", []tar.Header{reg("f", "hi")}, ExtractOptions{From: "f", To: "g"}, []string{"g hi"}},
		{"dir with an empty dir and a symlink, renamed",
			[]tar.Header{dir("d/"), dir("d/empty/"), symlink("d/link", "x"), reg("d/x", "1"), reg("other", "2")},
			ExtractOptions{From: "d", To: "new"},
			[]string{"new/", "new/empty/", "new/link -> x", "new/x 1", "other 2"}},
		{"contents (./) renamed", []tar.Header{dir("./"), reg("./x", "1")}, ExtractOptions{From: ".", To: "new"},
			[]string{"new/", "new/x 1"}},
		{"contents (./) poured in", []tar.Header{dir("./"), reg("./x", "1")}, ExtractOptions{}, []string{"x 1"}},
		{"missing parents made", []tar.Header{reg("a/b/c", "1")}, ExtractOptions{}, []string{"a/", "a/b/", "a/b/c 1"}},
		{"hard link", []tar.Header{reg("d/x", "1"), {Typeflag: tar.TypeLink, Name: "d/y", Linkname: "d/x"}},
			ExtractOptions{From: "d", To: "e"}, []string{"e/", "e/x 1", "e/y 1"}},
		{"absolute symlink kept, not followed", []tar.Header{symlink("etc", "/etc")}, ExtractOptions{}, []string{"etc -> /etc"}},
		{"symlink inside followed", []tar.Header{dir("d/"), symlink("l", "d"), reg("l/f", "1")}, ExtractOptions{},
			[]string{"d/", "d/f 1", "l -> d"}},
		{"file replaced", []tar.Header{reg("f", "old"), reg("f", "new")}, ExtractOptions{}, []string{"f new"}},
		{"symlink replaced by a file, not written through", []tar.Header{reg("t", "keep"), symlink("f", "t"), reg("f", "new")},
			ExtractOptions{}, []string{"f new", "t keep"}},
		{"a container's root, renamed", []tar.Header{dir("/"), reg("/f", "1")}, ExtractOptions{From: "/", To: "root"},
			[]string{"root/", "root/f 1"}},
		{"a container's root, poured in", []tar.Header{dir("/"), dir("/bin/")}, ExtractOptions{From: "/", To: "."},
			[]string{"bin/"}},
		{"device skipped", []tar.Header{{Typeflag: tar.TypeChar, Name: "null", Devmajor: 1, Devminor: 3}, reg("f", "1")},
			ExtractOptions{}, []string{"f 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := t.TempDir()
			var skipped []string
			tt.opts.Skipped = func(n string) { skipped = append(skipped, n) }
			if err := Extract(tarOf(t, tt.tar...), dst, tt.opts); err != nil {
				t.Fatal(err)
			}
			if got := listTree(t, dst); !slices.Equal(got, tt.want) {
				t.Errorf("tree:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if strings.Contains(tt.name, "skipped") && !slices.Equal(skipped, []string{"null"}) {
				t.Errorf("skipped = %v, want [null]", skipped)
			}
		})
	}
}

// TestExtractRefusesEscapes: nothing an archive says lands outside the
// destination, whatever it tries.
func TestExtractRefusesEscapes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the archives have symlinks")
	}
	tests := []struct {
		name string
		tar  []tar.Header
	}{
		{"dot-dot", []tar.Header{reg("../evil", "x")}},
		{"dot-dot inside", []tar.Header{reg("a/../../evil", "x")}},
		{"absolute", []tar.Header{reg("/evil", "x")}},
		{"through an absolute symlink", []tar.Header{symlink("l", "/"), reg("l/evil", "x")}},
		{"through a symlink that climbs out", []tar.Header{symlink("l", "../outside"), reg("l/evil", "x")}},
		{"relative symlink that climbs out", []tar.Header{symlink("l", "../../evil")}},
		{"dir through an absolute symlink", []tar.Header{symlink("l", "/tmp"), dir("l/evil/")}},
		{"hard link out", []tar.Header{{Typeflag: tar.TypeLink, Name: "h", Linkname: "../outside/target"}}},
		{"rename into an escape", []tar.Header{reg("d", "x")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			dst, outside := filepath.Join(base, "dst"), filepath.Join(base, "outside")
			must(t, os.Mkdir(dst, 0o755))
			must(t, os.Mkdir(outside, 0o755))
			must(t, os.WriteFile(filepath.Join(outside, "target"), []byte("secret"), 0o600))
			opts := ExtractOptions{}
			if strings.HasPrefix(tt.name, "rename") {
				opts = ExtractOptions{From: "d", To: "../outside/evil"}
			}
			err := Extract(tarOf(t, tt.tar...), dst, opts)
			if !errors.Is(err, ErrUnsafe) {
				t.Errorf("Extract = %v, want ErrUnsafe", err)
			}
			if got := listTree(t, outside); !slices.Equal(got, []string{"target secret"}) {
				t.Errorf("outside the destination: %v", got)
			}
			if _, err := os.Lstat(filepath.Join(base, "evil")); err == nil {
				t.Error("evil landed beside the destination")
			}
		})
	}
}

func TestExtractConflicts(t *testing.T) {
	tests := []struct {
		name string
		tar  []tar.Header
	}{
		{"file over a directory", []tar.Header{dir("d/"), reg("d", "x")}},
		{"directory over a file", []tar.Header{reg("f", "x"), dir("f/")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Extract(tarOf(t, tt.tar...), t.TempDir(), ExtractOptions{}); err == nil || !strings.Contains(err.Error(), "in the way") {
				t.Errorf("Extract = %v, want a refusal", err)
			}
		})
	}
}

func TestExtractRestoresModeAndTimes(t *testing.T) {
	dst := t.TempDir()
	mtime := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	f := reg("ro/f", "x")
	f.Mode, f.ModTime = 0o751, mtime
	d := dir("ro/")
	d.Mode, d.ModTime = 0o555, mtime
	must(t, Extract(tarOf(t, d, f), dst, ExtractOptions{}))
	for _, tt := range []struct {
		name string
		mode fs.FileMode
	}{{"ro", fs.ModeDir | 0o555}, {"ro/f", 0o751}} {
		fi, err := os.Stat(filepath.Join(dst, tt.name))
		must(t, err)
		if runtime.GOOS != "windows" && fi.Mode() != tt.mode {
			t.Errorf("%s: mode %v, want %v", tt.name, fi.Mode(), tt.mode)
		}
		if !fi.ModTime().Equal(mtime) {
			t.Errorf("%s: mtime %v, want %v", tt.name, fi.ModTime(), mtime)
		}
	}
	must(t, os.Chmod(filepath.Join(dst, "ro"), 0o755)) // so TempDir can clean up
}

// TestRoundTrip: what Tar archives, Extract unpacks the same.
func TestRoundTrip(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the tree has symlinks")
	}
	base := tree(t)
	src, err := LocalSource(filepath.Join(base, "top"), false)
	must(t, err)
	dst := t.TempDir()
	r := Tar(src, "copy")
	defer r.Close()
	must(t, Extract(r, dst, ExtractOptions{}))
	want := []string{"copy/", "copy/file hello", "copy/hard hello", "copy/link -> file", "copy/sub/", "copy/sub/empty/"}
	if got := listTree(t, dst); !slices.Equal(got, want) {
		t.Errorf("tree:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
