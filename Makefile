# The two commands of the README: `make run` and `make test` (plus `make build`).
# Each does the whole set-up on a fresh Debian 12 machine (as root) and is fast when all is there.
SHELL := /bin/bash
BUILD_DIR := build
DEV_DIR := var/dev

.PHONY: all setup build run test bench bench-inventory format clean

all: build

setup:
	@scripts/setup.sh

build: setup
	@cmake --preset default >/dev/null
	@cmake --build --preset default

$(DEV_DIR)/mijncert.toml:
	$(BUILD_DIR)/mijncert init-dev --dir $(DEV_DIR)

# An existing demo from an older checkout is migrated first, so `make run` keeps working.
run: build $(DEV_DIR)/mijncert.toml
	$(BUILD_DIR)/mijncert migrate --config $(DEV_DIR)/mijncert.toml
	$(BUILD_DIR)/mijncert serve --config $(DEV_DIR)/mijncert.toml

test: build
	@scripts/test-all.sh

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)

# Benchmarks (bench/README.md): not part of `make test`. `make bench` measures the performance
# targets against nginx on this machine and prints one table; `make bench-inventory` runs the
# storage benchmark of the certificate overview alone.
# Built for it besides the default targets (mijncert, load); bench/micro.sh names what it needs.
BENCH_TARGETS := fill_inventory issuance_bench csr_check_bench

bench: build
	@cmake --build --preset default --target $(BENCH_TARGETS)
	@node bench/suite.mjs

bench-inventory: build
	@cmake --build --preset default --target inventory_bench
	$(BUILD_DIR)/bench/inventory_bench
