#!/usr/bin/env bash
# Checks the architecture invariants of ARCHITECTURE.md that a machine can check.
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
bad() { echo "invariant broken: $*" >&2; fail=1; }

# 1. Only the app package depends on tauri: the engine, the CLI and the testkit build without it.
# (cargo tree must succeed and list the crate itself, or the check would pass vacuously.)
for crate in gatefold-engine gatefold-cli gatefold-testkit gatefold-bench; do
  if ! tree=$(cargo tree -q -p "$crate" -e normal,build --prefix none); then
    bad "cargo tree failed for $crate"
  elif ! grep -q "^$crate " <<<"$tree"; then
    bad "cargo tree did not list $crate"
  elif grep -iE '^(tauri|wry|webkit2gtk)' <<<"$tree"; then
    bad "$crate depends on tauri or a webview (lines above)"
  fi
done

# 2. SQL lives only in the engine's db module.
if grep -rnE 'sqlx::(query|query_as|query_scalar|raw_sql)|"(SELECT|INSERT|UPDATE|DELETE|CREATE|PRAGMA) ' \
     --include='*.rs' crates/*/src src-tauri/src | grep -v '^crates/engine/src/db/'; then
  bad "SQL outside crates/engine/src/db (lines above)"
fi

# 3. All timing in the engine goes through tokio::time (so tests can pause the clock). The one
#    exception is clock.rs, which reads the wall clock once and advances it with tokio's.
if grep -rnE 'std::thread::sleep|std::time::Instant|Instant::now\(\)|SystemTime::now' \
     --include='*.rs' crates/engine/src | grep -v 'tokio::time::Instant' | grep -v '^crates/engine/src/clock.rs:'; then
  bad "engine timing outside tokio::time (lines above)"
fi

# 4. The engine takes explicit paths: it never resolves platform folders itself.
if grep -rnE '\b(directories|dirs|home_dir|data_dir)\b' --include='*.rs' crates/engine/src; then
  bad "the engine resolves platform paths (lines above); the shell and the CLI do that"
fi

# 5. Providers never touch the database.
if [ -d crates/engine/src/providers ] && grep -rnE 'crate::db|sqlx' --include='*.rs' crates/engine/src/providers; then
  bad "a provider uses the database (lines above)"
fi

# 6. Layers point down. The ground floor (plain data, settings, the database, HTTP, the artwork
#    store, events) imports nothing from the services above it (scan, enrichment, write-back,
#    providers) or from the Library facade on top; so no import cycle can form through it.
engine=crates/engine/src
ground=("$engine/db" "$engine/model" "$engine/config" "$engine/http" "$engine/events.rs"
        "$engine/store.rs" "$engine/clock.rs" "$engine/error.rs" "$engine/normalize.rs" "$engine/process.rs" "$engine/files.rs" "$engine/pictures.rs" "$engine/decode.rs"
        "$engine/matching.rs" "$engine/repository.rs")
for path in "${ground[@]}"; do
  [ -e "$path" ] || bad "ground-floor module $path is missing (update this list and ARCHITECTURE.md)"
done
if grep -rnE '(crate|gatefold_engine)::(scan|enrich|writeback|providers|library)\b|super::super' \
     --include='*.rs' "${ground[@]}" | grep -vE '^[^:]+:[0-9]+:\s*//'; then
  bad "a ground-floor module imports from a layer above it (lines above)"
fi

exit $fail
