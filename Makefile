# confpad's development commands. `make` alone is `make check`, the quick
# check before a commit; `make test` is what CI runs (.ci/run). `make help`
# lists the targets.

GO ?= go
# Extra flags for go test, e.g. make test GOTESTFLAGS=-race
GOTESTFLAGS ?=
# Benchmarks: pattern and time per benchmark (make bench BENCH=Transform BENCHTIME=2s)
BENCH ?= .
BENCHTIME ?= 1s
# Fuzzing: time per fuzz target under make fuzz, and under make test
FUZZTIME ?= 1m
FUZZTIME_TEST ?= 5000x

# Debian keeps nginx and other daemons in sbin, which a non-root PATH lacks.
export PATH := $(PATH):/usr/local/go/bin:/usr/sbin:/sbin

.DEFAULT_GOAL := check

# Under make test, tests that need redis-server or chromium fail when it is
# missing instead of skipping.
test: export CONFPAD_REQUIRE_REDIS := 1
test: export CONFPAD_REQUIRE_CHROMIUM := 1

.PHONY: help check test deps fmt-check vet staticcheck quick-test go-test fuzz-brief node-test browser-test build bench fuzz frontend check-bundle cfloor wakefloor

## help: list the targets
help:
	@awk '/^## [a-z-]+: / { sub(/^## /, ""); i = index($$0, ": "); printf "  %-13s %s\n", substr($$0, 1, i - 1), substr($$0, i + 2); next } /^## / { sub(/^## /, ""); printf "  %-13s %s\n", "", $$0 }' $(MAKEFILE_LIST)

## check: the quick check (the default): gofmt, go vet, staticcheck and
## go test -short ./... (which skips the tests that start redis-server or
## nginx); installs no system packages
check: fmt-check vet staticcheck quick-test

## test: everything CI checks: dependencies, gofmt, vet, staticcheck, Go
## tests (with fresh OT reference vectors), each fuzz target briefly, the
## frontend unit and browser tests, the bundle
test: deps fmt-check vet staticcheck go-test fuzz-brief node-test browser-test check-bundle

## deps: install what the tests need and the machine lacks (apt-get as root)
deps:
	scripts/test-deps.sh

## fmt-check: fail if gofmt would change a Go file
fmt-check:
	@files="$$(gofmt -l $$(git ls-files '*.go'))"; if [ -n "$$files" ]; then echo "gofmt -w these files:"; echo "$$files"; exit 1; fi

## vet: go vet ./...
vet:
	$(GO) vet ./...

## staticcheck: staticcheck ./... (installs its pinned version into .tools/bin)
staticcheck:
	GO=$(GO) scripts/staticcheck.sh

## quick-test: go test -short ./...: no services, the checked-in OT vectors
quick-test:
	$(GO) test -short $(GOTESTFLAGS) ./...

## go-test: go test ./... with fresh OT reference vectors from the npm package
go-test:
	GO=$(GO) scripts/go-test.sh $(GOTESTFLAGS)

## fuzz-brief: every fuzz target for FUZZTIME_TEST (5000 inputs) each
fuzz-brief:
	GO=$(GO) scripts/fuzz.sh $(FUZZTIME_TEST)

## node-test: the frontend's Node unit tests
node-test:
	if [ -f frontend/package.json ]; then cd frontend && npm run --if-present test; fi

## browser-test: the frontend's browser tests in Chromium
browser-test:
	if [ -f frontend/package.json ]; then cd frontend && npm run --if-present e2e; fi

## build: the confpad binaries in bin/
build:
	$(GO) build -o bin/ ./cmd/...

## bench: the Go benchmarks (BENCH, BENCHTIME)
bench:
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchtime $(BENCHTIME) -benchmem ./...

## cfloor: the kernel's cost of the server issue's sends, without Go
## (tools/cfloor/floor.c; docs/load.md)
cfloor:
	mkdir -p bin && cc -O2 -Wall -o bin/cfloor tools/cfloor/floor.c && bin/cfloor 30

## wakefloor: how long this machine takes to run a thread woken on an
## idle CPU, and how long it takes a busy one away, without Go
## (tools/wakefloor/wake.c; docs/PERFORMANCE.md)
wakefloor:
	mkdir -p bin && cc -O2 -Wall -pthread -o bin/wakefloor tools/wakefloor/wake.c && bin/wakefloor

## fuzz: every fuzz target for FUZZTIME (1m) each
fuzz:
	GO=$(GO) scripts/fuzz.sh $(FUZZTIME)

## frontend: rebuild frontend/dist from frontend/src
frontend:
	cd frontend && npm ci --no-audit --no-fund && npm run build

## check-bundle: fail if the committed frontend/dist is not a fresh build
# deps has made node_modules match package-lock.json (npm ci), so this
# is `npm ci && npm run build` without a second npm ci (which would also
# delete the stamp that lets the next deps skip it).
check-bundle: deps
	if [ -f frontend/package.json ]; then (cd frontend && npm run build) && scripts/check-bundle.sh; fi
