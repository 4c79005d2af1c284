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
