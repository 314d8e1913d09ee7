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

# Short fuzzing runs of every fuzz target (CI runs these).
FUZZTIME ?= 20s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzzminimizetime 5s -fuzztime $(FUZZTIME) ./plans
	$(GO) test -run '^$$' -fuzz '^FuzzRead$$' -fuzzminimizetime 5s -fuzztime 10s ./engine/journal
	$(GO) test -run '^$$' -fuzz '^FuzzReadPacket$$' -fuzzminimizetime 5s -fuzztime 10s ./internal/tds
	$(GO) test -run '^$$' -fuzz '^FuzzServeConn$$' -fuzzminimizetime 5s -fuzztime 10s ./internal/tds
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzzminimizetime 5s -fuzztime 10s ./internal/labfile
	$(GO) test -run '^$$' -fuzz '^FuzzResolve$$' -fuzzminimizetime 5s -fuzztime 10s ./internal/labfile
	$(GO) test -run '^$$' -fuzz '^FuzzBatch$$' -fuzzminimizetime 5s -fuzztime 10s ./internal/lab

# Regenerate docs/actions.md from the registry.
docs: build
	$(BIN)/failover$(EXT) actions --format markdown > docs/actions.md

# A tour: validate, plan, graph and apply a bundled plan.
demo: build
	@sh scripts/demo.sh

clean:
	rm -rf $(BIN)
