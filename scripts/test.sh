#!/usr/bin/env bash
# Every test of the project: formatting, lints, invariants, Rust tests, type bindings, UI tests.
# Run it through `make test` (which installs what is missing first).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
step() { printf '\n== %s\n' "$*"; }

# The shared target dir outlives checkouts and keeps every old test binary; when the disk runs
# low, start its debug build over rather than fail half-way with "no space left on device".
target="${CARGO_TARGET_DIR:-$HOME/.cache/gatefold/target}"
# Test binaries (executables in deps/, hashed per build) untouched for a day were replaced by
# newer builds: drop them first (cargo rebuilds any it still needs).
if [ -d "$target/debug/deps" ]; then
  find "$target/debug/deps" -maxdepth 1 -type f -perm -u+x ! -name '*.so' -mtime +0 -delete || true
fi
free_kb=$(df -Pk "$(dirname "$target")" 2>/dev/null | awk 'NR == 2 {print $4}')
if [ -n "$free_kb" ] && [ "$free_kb" -lt $((15 * 1024 * 1024)) ] && [ -d "$target/debug" ]; then
  echo "test: under 15 GB free; removing $target/debug (it is rebuilt)"
  rm -rf "$target/debug"
fi

step "UI build (the app embeds ui/dist)"
npm --prefix ui run build --silent

scripts/lint.sh

step "Rust tests"
if command -v cargo-nextest >/dev/null; then
  cargo nextest run --workspace --features gatefold/custom-protocol --no-fail-fast
else
  cargo test --workspace --features gatefold/custom-protocol --no-fail-fast
fi

step "TypeScript bindings are current"
if ! git diff --exit-code --stat -- ui/src/bindings || [ -n "$(git ls-files --others --exclude-standard ui/src/bindings)" ]; then
  echo "ui/src/bindings differs from the Rust types: commit the regenerated files" >&2
  git status --short ui/src/bindings >&2
  exit 1
fi

step "UI type check, component tests, browser end-to-end tests"
npm --prefix ui run check --silent
npm --prefix ui test --silent
npm --prefix ui run e2e --silent
