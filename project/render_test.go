package project

import (
	"context"
	"strings"
	"testing"
)

const renderProject = `
name: shop
services:
  web:
    image: x
    networks: [front]
    depends_on:
      api: {condition: service_healthy}
  api:
    image: x
    networks: [front, back]
    volumes: [data:/data]
    depends_on: [db]
  db:
    image: x
    networks: [back]
  tools:
    image: x
    network_mode: service:db
volumes:
  data:
networks:
  front:
  back:
`

func TestRender(t *testing.T) {
	tests := []struct {
		name   string
		format string
		opts   RenderOptions
		want   string
	}{
		{
			name:   "text in start order",
			format: "text",
			want: "db\napi\n  -> db (service_started)\ntools\n  -> db (network_mode, restart)\n" +
				"web\n  -> api (service_healthy)\n",
		},
		{
			name:   "text of one service with its resources",
			format: "text",
			opts:   RenderOptions{Services: []string{"api"}, Resources: true},
			want:   "db\n  networks: back\napi\n  -> db (service_started)\n  networks: back, front\n  volumes: data\n",
		},
		{
			name:   "dot",
			format: "dot",
			opts:   RenderOptions{Name: "shop", Services: []string{"api"}},
			want: "digraph \"shop\" {\n  rankdir=LR;\n  node [shape=box];\n  \"db\";\n  \"api\";\n" +
				"  \"api\" -> \"db\" [label=\"service_started\"];\n}\n",
		},
		{
			name:   "mermaid",
			format: "mermaid",
			opts:   RenderOptions{Services: []string{"api"}},
			want:   "flowchart LR\n  s0[\"db\"]\n  s1[\"api\"]\n  s1 -->|service_started| s0\n",
		},
	}
	g := mustGraph(t, renderProject)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := Render(&b, g, tt.format, tt.opts); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", b.String(), tt.want)
			}
		})
	}
}

func TestRenderRejects(t *testing.T) {
	g := mustGraph(t, renderProject)
	var b strings.Builder
	if err := Render(&b, g, "svg", RenderOptions{}); err == nil || !strings.Contains(err.Error(), "text, dot, mermaid") {
		t.Errorf("unknown format error = %v", err)
	}
	if err := Render(&b, g, "text", RenderOptions{Services: []string{"nope"}}); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown service error = %v", err)
	}
}

func mustGraph(t *testing.T, yaml string) *Graph {
	t.Helper()
	dir := writeFiles(t, map[string]string{"compose.yaml": yaml})
	p, err := Load(context.Background(), LoadOptions{ProjectDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGraph(p)
	if err != nil {
		t.Fatal(err)
	}
	return g
}
