package convergence

import (
	"strings"
	"testing"
)

// TestBuilderEdges: an edge to an action that is not planned is an error
// when the plan is built, naming both; a maybe-edge to one is dropped.
func TestBuilderEdges(t *testing.T) {
	tests := []struct {
		name    string
		build   func(b *builder)
		want    string // plan text, or
		wantErr string
	}{
		{
			name: "edges between planned actions",
			build: func(b *builder) {
				b.add(Action{Kind: CreateNetwork, Resource: "n"})
				b.add(Action{Kind: CreateContainer, Resource: "c", After: []ActionID{CreateNetwork.ID("n")}})
			},
			want: "create-network:n\ncreate:c [after create-network:n]\n",
		},
		{
			name: "an After naming no planned action",
			build: func(b *builder) {
				b.add(Action{Kind: StartContainer, Resource: "c", After: []ActionID{CreateContainer.ID("c")}})
			},
			wantErr: "plan: start:c waits for create:c, which is not planned",
		},
		{
			name:    "wait on an action that is not planned",
			build:   func(b *builder) { b.wait(StopContainer.ID("c"), StartContainer.ID("d")) },
			wantErr: "plan: stop:c is not planned",
		},
		{
			name: "maybe-edges keep what is planned and drop the rest",
			build: func(b *builder) {
				b.add(Action{Kind: CreateContainer, Resource: "a"})
				b.add(Action{Kind: CreateContainer, Resource: "b"})
				b.waitIfPlanned(CreateContainer.ID("b"), CreateContainer.ID("a"), RenameContainer.ID("a"))
			},
			want: "create:a\ncreate:b [after create:a]\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBuilder()
			tt.build(b)
			plan, err := b.plan()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := plan.String(); got != tt.want {
				t.Errorf("plan:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}
