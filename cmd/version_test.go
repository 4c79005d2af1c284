package cmd

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/engine/enginetest"
)

func TestVersionCommand(t *testing.T) {
	unreachable := &engine.UnreachableError{
		Endpoint: engine.Endpoint{Host: "unix:///var/run/docker.sock", Context: "default", Source: "default"},
		Err:      errors.New("connect: no such file or directory"),
	}
	tests := []struct {
		name       string
		args       []string
		version    string
		engine     *enginetest.Fake // nil: no engine answers
		wantCode   int
		wantOut    string
		wantErr    string
		wantNoCall bool // the command must not connect
	}{
		{
			name:    "engine and API versions",
			args:    []string{"version"},
			engine:  enginetest.New(),
			wantOut: "berth version dev\nDocker Engine version 20.10.24 (API version 1.41, berth uses 1.41)\n",
		},
		{
			name:    "release version",
			args:    []string{"version"},
			version: "v0.1.0",
			engine: enginetest.New().WithVersion(engine.Version{
				Version: "29.0.1", APIVersion: "1.52", NegotiatedAPIVersion: "1.52",
			}),
			wantOut: "berth version v0.1.0\nDocker Engine version 29.0.1 (API version 1.52, berth uses 1.52)\n",
		},
		{
			name:       "short needs no engine",
			args:       []string{"version", "--short"},
			version:    "v0.1.0",
			wantOut:    "0.1.0\n",
			wantNoCall: true,
		},
		{
			name:   "json",
			args:   []string{"version", "--format", "json"},
			engine: enginetest.New(),
			wantOut: `{"version":"dev","engine":{"platform":"Docker Engine - Community","version":"20.10.24","api_version":"1.41",` +
				`"min_api_version":"1.12","negotiated_api_version":"1.41","os":"linux","arch":"amd64",` +
				`"kernel_version":"6.1.0","go_version":"go1.19.8","git_commit":"5d6db84"}}` + "\n",
		},
		{
			name:     "unreachable engine still shows berth's version",
			args:     []string{"version"},
			wantCode: 1,
			wantOut:  "berth version dev\n",
			wantErr:  unreachable.Error() + "\n",
		},
		{
			name:     "unreachable engine in json",
			args:     []string{"version", "--format=json"},
			wantCode: 1,
			wantOut:  `{"version":"dev"}` + "\n",
			wantErr:  unreachable.Error() + "\n",
		},
		{
			name:     "engine fails to answer the version call",
			args:     []string{"version"},
			engine:   enginetest.New().Fail("Version", errors.New("asking the Docker engine for its version: boom")),
			wantCode: 1,
			wantOut:  "berth version dev\n",
			wantErr:  "asking the Docker engine for its version: boom\n",
		},
		{
			name:       "unknown format",
			args:       []string{"version", "--format", "yaml"},
			wantCode:   1,
			wantErr:    "invalid --format \"yaml\": use pretty or json\n",
			wantNoCall: true,
		},
		{
			name:       "no arguments",
			args:       []string{"version", "extra"},
			wantCode:   1,
			wantErr:    `unknown command "extra" for "berth version"`,
			wantNoCall: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.version != "" {
				old := Version
				Version = tt.version
				t.Cleanup(func() { Version = old })
			}
			deps, out, errOut := testDeps()
			called := false
			deps.Engine = func(context.Context) (engine.Engine, error) {
				called = true
				if tt.engine == nil {
					return nil, unreachable
				}
				return tt.engine, nil
			}

			code := Execute(context.Background(), deps, tt.args)

			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d; stderr: %s", code, tt.wantCode, errOut)
			}
			if out.String() != tt.wantOut {
				t.Errorf("stdout\n got %q\nwant %q", out, tt.wantOut)
			}
			if !strings.Contains(errOut.String(), tt.wantErr) || (tt.wantErr == "" && errOut.Len() > 0) {
				t.Errorf("stderr\n got %q\nwant %q", errOut, tt.wantErr)
			}
			if tt.wantNoCall && called {
				t.Error("the command connected to the engine, but should not have")
			}
			if tt.engine != nil && !tt.engine.Closed() {
				t.Error("the command left the engine connection open")
			}
		})
	}
}
