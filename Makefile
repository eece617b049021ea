# hvc — make targets. `make demo` and `make test` are all a newcomer needs;
# `make check` is the gate CI runs before the tests (see .ci/run).
GO       ?= go
FUZZTIME ?= 60s
BENCHTIME ?= 200ms
BENCHCOUNT ?= 6
BENCHSTAT ?= golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

# Tools are pinned here and installed on first use into ./bin, so a clean
# machine needs nothing but Go.
GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT := $(CURDIR)/bin/golangci-lint-$(GOLANGCI_LINT_VERSION)

# The modules `make check` and `make test` cover, each with its own go.mod:
# the SDK (.) and the CLI (cmd/hvcctl, so the SDK's go.mod carries none of
# the CLI's libraries), and interop (VMware's Go vAPI runtime against the
# simulator's JSON-RPC endpoint). bench/ has targets of its own (bench, bench-check).
MODULES := . cmd/hvcctl interop

.PHONY: all demo check fmt-check vet lint generate-check tidy-check docs-check bench-check \
	test bench fuzz generate docs readme tidy hvcctl help

all: test

## help: list the targets with what they do (from the ## target: comments)
help:
	@awk '/^## [a-z-]+:/ { sub(/^## /, ""); t = $$0; sub(/:.*/, "", t); d = $$0; sub(/^[^:]*: */, "", d); \
	  printf "%s  %-10s %s", (n++ ? "\n" : ""), t, d; next } \
	  /^## / { sub(/^## /, ""); printf " %s", $$0; next } \
	  END { if (n) print "" }' $(firstword $(MAKEFILE_LIST))

## demo: run the end-to-end quickstart against the embedded simulator
demo:
	$(GO) run ./examples/quickstart

## check: the gate: formatting, vet, lint, generated code, go.mod and the
## documentation's operation and version tables. It changes no file.
check: fmt-check vet lint generate-check tidy-check docs-check bench-check

fmt-check:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then \
	  echo "gofmt: not formatted (run gofmt -w): $$(echo $$out)"; exit 1; fi

vet:
	@set -e; for m in $(MODULES); do echo "(cd $$m && $(GO) vet ./...)"; (cd $$m && $(GO) vet ./...); done

lint: $(GOLANGCI_LINT)
	@set -e; for m in $(MODULES); do echo "(cd $$m && golangci-lint run ./...)"; (cd $$m && $(GOLANGCI_LINT) run ./...); done

$(GOLANGCI_LINT):
	GOBIN=$(CURDIR)/bin $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv $(CURDIR)/bin/golangci-lint $@

# Regenerates into a scratch copy of each generated file (those marked "Code
# generated ... DO NOT EDIT."), compares, and puts the originals back.
generate-check:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	files=$$(git ls-files -z -- '*.go' | xargs -0 grep -l '^// Code generated .* DO NOT EDIT\.$$' || true); \
	for f in $$files; do mkdir -p "$$tmp/$$(dirname $$f)"; cp -p "$$f" "$$tmp/$$f"; done; \
	$(GO) generate ./...; stale=""; \
	for f in $$files; do cmp -s "$$f" "$$tmp/$$f" || stale="$$stale $$f"; cp -p "$$tmp/$$f" "$$f"; done; \
	new=$$(git ls-files -z --others --exclude-standard -- '*.go' | xargs -0 -r grep -l '^// Code generated .* DO NOT EDIT\.$$' || true); \
	if [ -n "$$stale$$new" ]; then echo "generated code is stale (run make generate and commit):" $$stale $$new; exit 1; fi

tidy-check:
	@set -e; for m in $(MODULES); do \
	  (cd $$m && $(GO) mod tidy -diff >/dev/null) || { echo "$$m: go.mod/go.sum are not tidy (run make tidy):"; (cd $$m && $(GO) mod tidy -diff); exit 1; }; \
	done

docs-check:
	$(GO) run ./internal/cmd/gendocs -check

# The bench module is outside ./...: vet it, keep its go.mod tidy and run
# its harness tests (every client performs every operation correctly).
bench-check:
	cd bench && $(GO) vet ./... && $(GO) mod tidy -diff && $(GO) test -count=1 ./...

## test: every test, with the race detector when cgo and a C compiler are
## available (fuzz seed corpora included)
test:
	@set -e; set -- $$($(GO) env CC); \
	if [ "$$($(GO) env CGO_ENABLED)" = 1 ] && command -v "$$1" >/dev/null 2>&1; then \
	  race=-race; \
	else \
	  echo "make test: no C compiler for cgo; running without the race detector"; \
	  race=; export CGO_ENABLED=0; \
	fi; \
	for m in $(MODULES); do echo "(cd $$m && $(GO) test $$race -count=1 ./...)"; (cd $$m && $(GO) test $$race -count=1 ./...); done

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

## generate: regenerate errors_types.go and internal/stderr, and the
## documentation's tables
generate: docs
	$(GO) generate ./...

## docs: rewrite the operation and version tables of README.md, docs/wire.md and
## docs/simulator.md from internal/ops
docs:
	$(GO) run ./internal/cmd/gendocs

readme: docs

## tidy: tidy go.mod and go.sum
tidy:
	@set -e; for m in $(MODULES) bench; do (cd $$m && $(GO) mod tidy); done

## hvcctl: build the operator CLI into ./bin/hvcctl
hvcctl:
	cd cmd/hvcctl && $(GO) build -o $(CURDIR)/bin/hvcctl .
