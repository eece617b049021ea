# hvc — make targets. `make demo` and `make test` are all a newcomer needs.
GO       ?= go
FUZZTIME ?= 60s
BENCHTIME ?= 200ms
BENCHCOUNT ?= 6
BENCHSTAT ?= golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

.PHONY: all demo test vet bench fuzz generate tidy

all: test

## demo: run the end-to-end quickstart against the embedded simulator
demo:
	$(GO) run ./examples/quickstart

## test: vet, then every test (race detector on, fuzz seed corpora included)
test: vet
	$(GO) test -race -count=1 ./...

vet:
	$(GO) vet ./...

## bench: the SDK against raw net/http, resty alone, VMware's vAPI runtime and govmomi, in the
## separate module bench/ (so go.mod stays lean): checks the harness, then runs the benchmark binary
## BENCHCOUNT times (each run covers every implementation, so load drift hits them alike) into
## bench/results/latest.txt, prints the target ratios (bench/cmd/ratio) and, when
## bench/results/baseline.txt exists, benchstat baseline vs latest. About 3 minutes on 2 cores.
bench:
	cd bench && $(GO) test -count=1 ./... && $(GO) test -c -o bench.test .
	cd bench && bash -o pipefail -c '{ echo "# $$($(GO) env GOVERSION) $$(uname -sm), $$(nproc) cores, $$(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2-)"; \
	  echo "# commit $$(git rev-parse --short HEAD), $$(date -u +%FT%TZ), -benchtime $(BENCHTIME), $(BENCHCOUNT) runs, load average $$(cut -d" " -f1-3 /proc/loadavg)"; \
	  for i in $$(seq $(BENCHCOUNT)); do \
	    ./bench.test -test.run "^$$" -test.bench "^Benchmark(NoNet|Op|Burst|ReloginStorm)$$" -test.benchmem -test.benchtime $(BENCHTIME) && \
	    ./bench.test -test.run "^$$" -test.bench "^BenchmarkParallelGet$$" -test.cpu 1,2 -test.benchmem -test.benchtime $(BENCHTIME) || exit 1; \
	  done; } | tee results/latest.txt'
	cd bench && $(GO) run ./cmd/ratio results/latest.txt
	@if [ -f bench/results/baseline.txt ]; then cd bench && $(GO) run $(BENCHSTAT) results/baseline.txt results/latest.txt; fi

## fuzz: run each fuzz target for FUZZTIME (default 60s)
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

## generate: regenerate errors_types.go
generate:
	$(GO) generate ./...
