# Gatefold. On a fresh Debian or Ubuntu machine: `make run` or `make test`.
SHELL := /bin/bash
# Outside the checkout, so CI's fresh clones still build incrementally.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/gatefold/target

.PHONY: setup run test bench package check-invariants

setup:
	@scripts/setup.sh

## Installs what is missing, builds, starts the desktop app.
run: setup
	npm --prefix ui run build --silent
	cargo build -p gatefold --features custom-protocol
	"$(CARGO_TARGET_DIR)/debug/gatefold"

## Installs what is missing, then runs every test.
test: setup
	@scripts/test.sh

## Benchmarks (release builds); figures go in README's Performance section.
bench: setup
	cargo build --release -p gatefold-cli -p gatefold-bench
	"$(CARGO_TARGET_DIR)/release/gatefold-bench" import --cli "$(CARGO_TARGET_DIR)/release/gatefold-cli"
	"$(CARGO_TARGET_DIR)/release/gatefold-bench" job
	"$(CARGO_TARGET_DIR)/release/gatefold-bench" providers

check-invariants:
	@scripts/check-invariants.sh
