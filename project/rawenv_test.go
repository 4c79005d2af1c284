package project

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseRawEnv(t *testing.T) {
	lookup := func(k string) (string, bool) {
		v, ok := map[string]string{"FROM_SHELL": "shell"}[k]
		return v, ok
	}
	tests := []struct {
		name    string
		in      string
		want    map[string]string
		wantErr string
	}{
		{
			name: "values are verbatim",
			in:   "\xEF\xBB\xBFA=1\n  B=\"quoted\" # not a comment\n# comment\n\nC=$HOME\n",
			want: map[string]string{"A": "1", "B": `"quoted" # not a comment`, "C": "$HOME"},
		},
		{
			name: "bare names come from the environment or are left out",
			in:   "FROM_SHELL\nMISSING\n",
			want: map[string]string{"FROM_SHELL": "shell"},
		},
		{name: "no name", in: "=x\n", wantErr: "line 1: no variable name"},
		{name: "space in name", in: "OK=1\nA B=x\n", wantErr: "line 2: variable name \"A B\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]string{}
			err := parseRawEnv(strings.NewReader(tt.in), "test.env", got, lookup)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
