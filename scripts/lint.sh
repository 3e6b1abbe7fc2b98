#!/usr/bin/env bash
# The static checks: formatting, the architecture invariants, clippy with warnings denied, and
# unused dependencies. `make lint` runs this alone; `make test` runs it first.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
step() { printf '\n== %s\n' "$*"; }

# The app embeds ui/dist at compile time, so clippy on it needs a built UI.
if [ ! -f ui/dist/index.html ]; then
  step "UI build (the app embeds ui/dist)"
  npm --prefix ui run build --silent
fi

step "rustfmt"
cargo fmt --all --check

step "UI lint (ESLint, Prettier)"
npm --prefix ui run lint --silent

step "architecture invariants"
scripts/check-invariants.sh

step "clippy (warnings are errors)"
cargo clippy --workspace --all-targets --features gatefold/custom-protocol -- -D warnings

step "unused dependencies (cargo machete)"
cargo machete
