package progress

import (
	"bytes"
	"strings"
	"testing"
)

func TestWithoutPulls(t *testing.T) {
	var out bytes.Buffer
	r, err := New(ModePlain, &out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	q := WithoutPulls(r)
	q.Emit(Event{Kind: Image, Name: "busybox", Status: Working, Text: "Pulling"})
	q.Emit(Event{Kind: Layer, Name: "abc", Parent: "Image busybox", Status: Working, Text: "Downloading"})
	q.Emit(Event{Kind: Image, Name: "nginx", Status: Error, Text: "Error"})
	q.Emit(Event{Kind: Container, Name: "app-1", Status: Done, Text: "Started"})
	q.Close()
	got := out.String()
	if strings.Contains(got, "busybox") || strings.Contains(got, "abc") {
		t.Errorf("pull progress shown:\n%s", got)
	}
	if !strings.Contains(got, "nginx") || !strings.Contains(got, "app-1") {
		t.Errorf("a failed pull or another event is missing:\n%s", got)
	}
}
