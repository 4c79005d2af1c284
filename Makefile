# berth's build, tests and demo. `make test` is what CI runs.
GO      ?= go
BIN     := bin/berth
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/berth-compose/berth/cmd.Version=$(VERSION)
UNIT    := ./cmd/... ./project/... ./convergence/... ./engine/... ./progress/...

# engine runs a recipe line with DOCKER_HOST pointing at a working engine:
# the caller's when it answers, else the private one scripts/engine.sh starts.
engine = eval "$$(scripts/engine.sh ensure)" &&

.PHONY: build test test-unit test-e2e lint bench demo engine-start engine-stop clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/berth

test: lint test-unit test-e2e

test-unit:
	$(GO) test -race -count=1 $(UNIT)

test-e2e: build
	$(engine) $(GO) test -count=1 -timeout 20m ./e2e/...

lint:
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./project/... ./convergence/...

demo: build
	@echo "== berth graph (examples/hello)"
	@cd examples/hello && ../../$(BIN) graph
	@echo
	@echo "== berth config (examples/hello)"
	@cd examples/hello && ../../$(BIN) config

engine-start:
	@scripts/engine.sh start

engine-stop:
	@scripts/engine.sh stop

clean:
	rm -rf bin
