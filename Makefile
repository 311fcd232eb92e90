# confpad's development commands. `make test` is what CI runs (.ci/run).

GO ?= go
# Extra flags for go test, e.g. make test GOTESTFLAGS=-race
GOTESTFLAGS ?=
# Benchmarks: pattern and time per benchmark (make bench BENCH=Transform BENCHTIME=2s)
BENCH ?= .
BENCHTIME ?= 1s
# Fuzzing: time per fuzz target
FUZZTIME ?= 10s

# Debian keeps nginx and other daemons in sbin, which a non-root PATH lacks.
export PATH := $(PATH):/usr/local/go/bin:/usr/sbin:/sbin

# Under make test, tests that need redis-server or chromium fail when it is
# missing instead of skipping.
test: export CONFPAD_REQUIRE_REDIS := 1
test: export CONFPAD_REQUIRE_CHROMIUM := 1

.PHONY: test deps vet go-test node-test browser-test build bench fuzz frontend check-bundle cfloor

## test: everything CI checks: dependencies, vet, Go tests (with fresh OT
## reference vectors), the frontend unit and browser tests, the bundle
test: deps vet go-test node-test browser-test check-bundle

## deps: install what the tests need and the machine lacks
deps:
	scripts/test-deps.sh

vet:
	$(GO) vet ./...

go-test:
	GO=$(GO) scripts/go-test.sh $(GOTESTFLAGS)

node-test:
	if [ -f frontend/package.json ]; then cd frontend && npm run --if-present test; fi

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

## fuzz: every fuzz target for FUZZTIME each
fuzz:
	GO=$(GO) scripts/fuzz.sh $(FUZZTIME)

## frontend: rebuild frontend/dist from frontend/src
frontend:
	cd frontend && npm ci --no-audit --no-fund && npm run build

## check-bundle: fail if the committed frontend/dist is not a fresh build.
## deps has made node_modules match package-lock.json (npm ci), so this
## is `npm ci && npm run build` without a second npm ci (which would also
## delete the stamp that lets the next deps skip it).
check-bundle: deps
	if [ -f frontend/package.json ]; then (cd frontend && npm run build) && scripts/check-bundle.sh; fi
