# hvc — make targets. `make demo` and `make test` are all a newcomer needs.
GO       ?= go
FUZZTIME ?= 60s
BENCHTIME ?= 1s

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

## bench: benchmarks of the SDK against raw net/http (benchstat-compatible output)
bench:
	$(GO) test -run '^$$' -bench 'Op|ReloginStorm' -benchmem -benchtime $(BENCHTIME) -count 6 ./bench/... | tee bench.txt
	$(GO) test -run '^$$' -bench 'ParallelGet' -cpu 1,2 -benchmem -benchtime $(BENCHTIME) -count 6 ./bench/... | tee -a bench.txt

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
