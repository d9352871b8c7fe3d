# Parley: `make run` starts the server, `make test` runs every test. Both install what is
# missing first (scripts/setup, Debian packages; npm ci for the web client).

BUILD_DIR  ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= $(shell nproc)
ARGS       ?=

.PHONY: all setup build native web run test clean

all: build

setup:
	@scripts/setup

native: setup
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null
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

clean:
	rm -rf $(BUILD_DIR) build-asan web/dist
