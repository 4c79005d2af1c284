package watch

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

func TestDebouncer(t *testing.T) {
	t0 := time.Unix(1000, 0)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	type add struct {
		at            int
		service, path string
	}
	tests := []struct {
		name string
		adds []add
		at   int
		want []Batch
	}{
		{"nothing pending", nil, 500, nil},
		{"still quiet period", []add{{0, "web", "/a"}}, 50, nil},
		{"quiet period over", []add{{0, "web", "/a"}}, 100, []Batch{{Service: "web", Paths: []string{"/a"}}}},
		{"a burst is one batch, each path once",
			[]add{{0, "web", "/b"}, {40, "web", "/a"}, {80, "web", "/b"}}, 180,
			[]Batch{{Service: "web", Paths: []string{"/a", "/b"}}}},
		{"a later change extends the wait", []add{{0, "web", "/a"}, {90, "web", "/b"}}, 150, nil},
		{"a steady stream is cut at Max",
			[]add{{0, "web", "/a"}, {300, "web", "/b"}, {600, "web", "/c"}, {900, "web", "/d"}, {990, "web", "/e"}}, 1000,
			[]Batch{{Service: "web", Paths: []string{"/a", "/b", "/c", "/d", "/e"}}}},
		{"one batch per service, sorted",
			[]add{{0, "worker", "/w"}, {0, "api", "/x"}, {10, "web", "/y"}}, 200,
			[]Batch{{Service: "api", Paths: []string{"/x"}}, {Service: "web", Paths: []string{"/y"}}, {Service: "worker", Paths: []string{"/w"}}}},
		{"only the services due",
			[]add{{0, "api", "/x"}, {150, "web", "/y"}}, 200,
			[]Batch{{Service: "api", Paths: []string{"/x"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &Debouncer{Quiet: 100 * time.Millisecond, Max: time.Second}
			for _, a := range tt.adds {
				d.Add(ms(a.at), a.service, a.path)
			}
			if got := d.Due(ms(tt.at)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Due = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDebouncerManyFilesOneBatch(t *testing.T) {
	t0 := time.Unix(1000, 0)
	d := &Debouncer{Quiet: 100 * time.Millisecond, Max: time.Second}
	for i := range 500 {
		d.Add(t0.Add(time.Duration(i)*100*time.Microsecond), "web", fmt.Sprintf("/src/f%03d", i))
	}
	got := d.Due(t0.Add(200 * time.Millisecond))
	if len(got) != 1 || len(got[0].Paths) != 500 {
		t.Fatalf("Due gave %d batches (first with %d paths), want 1 of 500", len(got), len(got[0].Paths))
	}
	if again := d.Due(t0.Add(time.Hour)); again != nil {
		t.Errorf("a due batch is given once; again: %v", again)
	}
}

func TestDebouncerNext(t *testing.T) {
	t0 := time.Unix(1000, 0)
	d := &Debouncer{Quiet: 100 * time.Millisecond, Max: time.Second}
	if _, ok := d.Next(); ok {
		t.Fatal("Next with nothing pending should say so")
	}
	d.Add(t0, "web", "/a")
	d.Add(t0.Add(950*time.Millisecond), "web", "/b")
	d.Add(t0.Add(10*time.Millisecond), "api", "/c")
	next, ok := d.Next()
	if want := t0.Add(110 * time.Millisecond); !ok || !next.Equal(want) {
		t.Errorf("Next = %v, %v; want %v (api's quiet period)", next, ok, want)
	}
	d.Due(t0.Add(110 * time.Millisecond))
	next, _ = d.Next()
	if want := t0.Add(time.Second); !next.Equal(want) {
		t.Errorf("Next = %v, want %v (web's cap, before its quiet period ends)", next, want)
	}
}
