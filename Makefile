# Parley: `make run` starts the server, `make test` runs every test. Both install what is
# missing first (scripts/setup, Debian packages; npm ci for the web client).

BUILD_DIR  ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= $(shell nproc)
ARGS       ?=

.PHONY: all setup build native web run test fuzz bench clean

# New build trees use Ninja (scripts/setup installs it); a tree made before keeps its own.
generator = $(if $(wildcard $(1)/CMakeCache.txt),,-G Ninja)

all: build

setup:
	@scripts/setup

native: setup
	@cmake -S . -B $(BUILD_DIR) $(call generator,$(BUILD_DIR)) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

web: setup web/node_modules/.package-lock.json
	cd web && npm run --silent build

build: native web

run: build
	$(BUILD_DIR)/parley serve $(ARGS)

test: build
	@scripts/test

# Benchmarks with their figures (docs/performance.md); never pass/fail.
bench: build
	$(BUILD_DIR)/bench/srtp_benchmark --benchmark_min_time=0.2
	scripts/bench-load --short
	scripts/bench-load --span --seconds 4
	@if [ "$$(id -u)" = 0 ] && command -v janus >/dev/null; then scripts/bench-vs-janus.sh --subscribers 50 --seconds 5; \
	  else echo "bench: the Janus comparison needs root and janus (scripts/bench-vs-janus.sh)"; fi

# Every parser under libFuzzer for FUZZ_SECONDS each (default 120).
FUZZ_SECONDS ?= 120
fuzz: setup
	CC=clang CXX=clang++ cmake -S . -B build-fuzz $(call generator,build-fuzz) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPARLEY_FUZZ=ON \
	  -DPARLEY_BUILD_SERVER=OFF -DPARLEY_BUILD_TESTS=OFF >/dev/null
	cmake --build build-fuzz -j $(JOBS)
	scripts/fuzz $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD_DIR) build-asan build-fuzz web/dist
