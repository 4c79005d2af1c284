package build

import (
	"strings"
	"testing"
)

const multiStage = `# syntax=docker/dockerfile:1
ARG BASE=busybox
FROM ${BASE}:latest AS base
RUN echo \
  FROM not-an-image
FROM base AS build
COPY --from=tools /bin/tool /bin/
RUN <<EOF
FROM also-not-an-image
EOF
FROM --platform=linux/amd64 shop-base
RUN --mount=type=cache,target=/c --mount=from=assets,target=/a ls /a
FROM scratch
`

func TestBases(t *testing.T) {
	df := parseDockerfile(multiStage)
	if got := strings.Join(df.bases(nil), ","); got != "busybox:latest,shop-base" {
		t.Errorf("bases = %q", got)
	}
	if got := strings.Join(df.bases(map[string]string{"BASE": "alpine"}), ","); got != "alpine:latest,shop-base" {
		t.Errorf("bases with a build arg = %q", got)
	}
}

func TestUsesContext(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"FROM busybox\nRUN true\n", false},
		{"FROM busybox\nCOPY . /app\n", true},
		{"FROM busybox\nCOPY --from=base /x /x\n", false},
		{"FROM busybox\nADD file /x\n", true},
		{"FROM busybox\nRUN --mount=target=/src make\n", true},
		{"FROM busybox\nRUN --mount=type=secret,id=s cat /run/secrets/s\n", false},
		{"FROM busybox\nRUN --mount=type=bind,from=base,target=/b ls\n", false},
	} {
		if got := parseDockerfile(tc.text).usesContext(""); got != tc.want {
			t.Errorf("usesContext(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
	// Only the stages the target builds on count.
	multi := "FROM busybox AS tools\nRUN true\nFROM busybox AS app\nCOPY . /app\nFROM busybox\nCOPY --from=tools /bin /bin\n"
	for target, want := range map[string]bool{"tools": false, "app": true, "": false} {
		if got := parseDockerfile(multi).usesContext(target); got != want {
			t.Errorf("usesContext(target %q) = %v, want %v", target, got, want)
		}
	}
	if !parseDockerfile("FROM busybox AS app\nCOPY . /app\nFROM busybox\nCOPY --from=0 /app /app\n").usesContext("") {
		t.Error("a stage copied from by number was not followed")
	}
}

func TestRewriteNamedContexts(t *testing.T) {
	text := `# syntax=docker/dockerfile:1
FROM base AS first
COPY --from=tools /bin/tool \
     /bin/
RUN --mount=type=bind,from=assets,target=/a ls /a
FROM first AS base
COPY --from=base /x /x
`
	got, changed := parseDockerfile(text).rewrite(map[string]string{"base": "shop-base", "tools": "busybox", "assets": "berth-context-1:latest"})
	// The last COPY names the stage called base by then, not the context.
	want := `# syntax=docker/dockerfile:1
FROM shop-base AS first
COPY --from=busybox /bin/tool /bin/
RUN --mount=type=bind,from=berth-context-1:latest,target=/a ls /a
FROM first AS base
COPY --from=base /x /x
`
	if !changed || got != want {
		t.Errorf("rewrite:\n%s\nwant:\n%s", got, want)
	}
	if _, changed := parseDockerfile("FROM busybox\nRUN true\n").rewrite(map[string]string{"base": "x"}); changed {
		t.Error("a Dockerfile without references was changed")
	}
}

func TestEscapeDirective(t *testing.T) {
	df := parseDockerfile("# escape=`\nFROM busybox\nRUN echo a `\n  b\nFROM shop-base\n")
	if got := strings.Join(df.bases(nil), ","); got != "busybox,shop-base" {
		t.Errorf("bases = %q", got)
	}
	if len(df.instructions) != 3 || df.instructions[1].args != "echo a b" {
		t.Errorf("instructions = %+v", df.instructions)
	}
}
