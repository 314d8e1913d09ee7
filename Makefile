# failover — build, test and demo. Needs only Go (see go.mod for the version).
GO      ?= go
BIN     := bin
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
EXT     := $(shell $(GO) env GOEXE)

.PHONY: all build test lint bench fuzz demo docs clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/failover$(EXT) ./cmd/failover
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/failover-lab$(EXT) ./cmd/failover-lab

# Every test of every package.
test:
	$(GO) test -count=1 ./...

lint:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Short fuzzing runs of every fuzz target (CI runs these). Each run is
# budgeted in executions ("Nx"), about ten seconds each here, not in wall
# time: a -fuzztime duration races Go's fuzzing coordinator against its own
# deadline, and on a loaded machine that reports a bare "context deadline
# exceeded" failure with no crasher (seen in CI on FuzzBatch).
# FUZZTIME=2000000x sets every target's budget for a longer local run (a
# duration works too, with that race).
FUZZ = $(GO) test -run '^$$' -timeout 10m -fuzzminimizetime 5s
fuzz:
	$(FUZZ) -fuzz '^FuzzLoad$$' -fuzztime $(or $(FUZZTIME),200000x) ./plans
	$(FUZZ) -fuzz '^FuzzRead$$' -fuzztime $(or $(FUZZTIME),1000000x) ./engine/journal
	$(FUZZ) -fuzz '^FuzzReadPacket$$' -fuzztime $(or $(FUZZTIME),150000x) ./internal/tds
	$(FUZZ) -fuzz '^FuzzServeConn$$' -fuzztime $(or $(FUZZTIME),120000x) ./internal/tds
	$(FUZZ) -fuzz '^FuzzDecode$$' -fuzztime $(or $(FUZZTIME),600000x) ./internal/labfile
	$(FUZZ) -fuzz '^FuzzResolve$$' -fuzztime $(or $(FUZZTIME),600000x) ./internal/labfile
	$(FUZZ) -fuzz '^FuzzBatch$$' -fuzztime $(or $(FUZZTIME),120000x) ./internal/lab

# Regenerate docs/actions.md from the registry.
docs: build
	$(BIN)/failover$(EXT) actions --format markdown > docs/actions.md

# A tour: validate, plan, graph and apply a bundled plan.
demo: build
	@sh scripts/demo.sh

clean:
	rm -rf $(BIN)
