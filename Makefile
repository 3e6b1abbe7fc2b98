# Gatefold. On a fresh Debian or Ubuntu machine: `make run` or `make test`.
SHELL := /bin/bash
# Outside the checkout, so CI's fresh clones still build incrementally.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/gatefold/target

.PHONY: setup run test lint bench package check-invariants

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
	npm --prefix ui run build --silent
	cargo build --release -p gatefold-cli -p gatefold-bench
	cargo build --release -p gatefold --features custom-protocol
	"$(CARGO_TARGET_DIR)/release/gatefold-bench" import --cli "$(CARGO_TARGET_DIR)/release/gatefold-cli"
	"$(CARGO_TARGET_DIR)/release/gatefold-bench" job
	"$(CARGO_TARGET_DIR)/release/gatefold-bench" providers
	"$(CARGO_TARGET_DIR)/release/gatefold-bench" watch --cli "$(CARGO_TARGET_DIR)/release/gatefold-cli"
	"$(CARGO_TARGET_DIR)/release/gatefold-bench" soak --cli "$(CARGO_TARGET_DIR)/release/gatefold-cli"
	"$(CARGO_TARGET_DIR)/release/gatefold-bench" window --app "$(CARGO_TARGET_DIR)/release/gatefold"
	npm --prefix ui run bench --silent

## A .deb of the desktop app (release build), then installed and started to check it.
package: setup
	ui/node_modules/.bin/tauri build --bundles deb
	scripts/check-package.sh

## Formatting, clippy (warnings denied), the architecture invariants, unused dependencies.
## Part of `make test`; runnable alone.
lint: setup
	@scripts/lint.sh

check-invariants:
	@scripts/check-invariants.sh
