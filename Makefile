# berth's build, tests and demo. `make test` is what CI runs.
# Go from PATH, else where the official tarball installs it.
GO      ?= $(or $(shell command -v go 2>/dev/null),/usr/local/go/bin/go)
# The race detector needs cgo, so a C compiler; without one, test without it.
RACE    ?= $(if $(shell command -v gcc 2>/dev/null),-race)
BIN     := bin/berth
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/berth-compose/berth/cmd.Version=$(VERSION)
# Every package but the end-to-end tests, so a new package is never left out.
UNIT    = $(shell $(GO) list ./... | grep -v /e2e$$)
# How long `make fuzz` fuzzes; `make test` runs a short pass of 8000 inputs.
FUZZTIME ?= 5m

# engine runs a recipe line with DOCKER_HOST pointing at a working engine:
# the caller's when it answers, else the private one scripts/engine.sh starts.
# The export line goes through a variable: `eval "$$(cmd)"` succeeds even
# when cmd fails, and the tests would then run with no engine.
engine = envline="$$(scripts/engine.sh ensure)" && eval "$$envline" &&

# swarm is engine with swarm mode: the private engine a swarm manager
# (scripts/engine.sh swarm) and node 2, a second engine in a network
# namespace, joined to it as a worker (scripts/swarm-worker.sh). Node 2 is
# optional: where it cannot start (no network namespaces here, or DOCKER_HOST
# is an engine of the caller's), the script says why, its export lines are
# missing, and the tests that need it skip.
swarm = envline="$$(scripts/engine.sh swarm)" && eval "$$envline" && \
	{ node2line="$$(BERTH_NODE2_AVAILABILITY=drain scripts/swarm-worker.sh start)" || \
		{ echo "warning: no swarm node 2 (see above); tests that need it will skip" >&2; node2line=; }; } && \
	eval "$$node2line" &&

.PHONY: build test test-unit test-fuzz test-e2e fuzz lint tidy cross bench demo engine-start swarm-start engine-stop clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/berth

# Platforms berth ships for besides the one it is built on; `cross` keeps
# Linux-only calls from creeping in unnoticed.
CROSS   := darwin/amd64 darwin/arm64 windows/amd64

test: lint cross test-unit test-fuzz test-e2e

test-unit:
	$(GO) test $(RACE) -count=1 $(UNIT)

# A short fuzzing pass over compose file loading, so CI keeps trying new
# hostile inputs; a failing input lands in project/testdata/fuzz/FuzzLoad/
# and, once committed, is replayed by every `go test` as a regression test.
# The pass is counted in inputs, not seconds: with a time limit, Go 1.26's
# fuzzing coordinator can report its own deadline as a failure on a busy
# machine (go.dev/issue/75804), with no failing input at all.
test-fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime 8000x -fuzzminimizetime 200x ./project/

fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./project/

test-e2e: build
	$(swarm) BERTH_BIN=$(abspath $(BIN)) $(GO) test -count=1 -timeout 20m ./e2e/...

lint: tidy
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# tidy fails when go.mod or go.sum lack what the code imports, or keep what
# it no longer does.
tidy:
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run 'go mod tidy'"; exit 1; }

# cross builds the binary and vets every package, tests included, for each
# platform in CROSS: vet type-checks the test files, so unit tests at least
# compile there.
cross:
	@set -e; for p in $(CROSS); do \
		echo "cross: $$p"; \
		GOOS=$${p%/*} GOARCH=$${p#*/} $(GO) build -o /dev/null ./cmd/berth; \
		GOOS=$${p%/*} GOARCH=$${p#*/} $(GO) vet ./...; \
	done

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./project/... ./convergence/...
	scripts/bench-config.sh
	GO="$(GO)" scripts/bench.sh
	GO="$(GO)" scripts/bench-logs.sh
	GO="$(GO)" scripts/bench-oneoff.sh
	GO="$(GO)" scripts/bench-build.sh
	GO="$(GO)" scripts/bench-pull.sh
	GO="$(GO)" scripts/bench-swarm.sh

demo: build
	@$(engine) cd examples/hello && ../../$(BIN) graph && echo && \
		../../$(BIN) up -d && echo && ../../$(BIN) ps && echo && \
		echo "examples/hello is up: try 'curl localhost:8080'; take it down with:" && \
		echo "  cd examples/hello && DOCKER_HOST=$$DOCKER_HOST ../../$(BIN) down -v"

engine-start:
	@scripts/engine.sh start

swarm-start:
	@scripts/engine.sh swarm && scripts/swarm-worker.sh start

# Node 2 first: it is a worker of the engine's swarm.
engine-stop:
	@scripts/swarm-worker.sh stop
	@scripts/engine.sh stop

clean:
	rm -rf bin
