#!/usr/bin/env bash
# Installs the .deb `make package` built and checks that it starts: headless (a CLI subcommand)
# and as a window under Xvfb (still running after 5 s, and its log says it started).
set -euo pipefail
cd "$(dirname "$0")/.."
deb=$(ls -1t "${CARGO_TARGET_DIR:-$HOME/.cache/gatefold/target}"/release/bundle/deb/*.deb | head -1)
echo "check-package: installing $deb"
if [ "$(id -u)" = 0 ]; then sudo=(); else sudo=(sudo); fi
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$(realpath "$deb")" >/dev/null
command -v gatefold >/dev/null || { echo "check-package: gatefold is not on PATH after installing" >&2; exit 1; }

work=$(mktemp -d)
trap 'kill "${app:-0}" "${xvfb:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
gatefold --db "$work/library.db" status --json >"$work/status.json"
grep -q '"tracks":0' "$work/status.json" || { echo "check-package: headless status failed" >&2; cat "$work/status.json" >&2; exit 1; }

display=:$((90 + RANDOM % 50))
Xvfb "$display" -screen 0 1280x900x24 -nolisten tcp >/dev/null 2>&1 & xvfb=$!
sleep 1
DISPLAY=$display GATEFOLD_DB="$work/library.db" XDG_DATA_HOME="$work/data" gatefold >/dev/null 2>&1 & app=$!
sleep 5
kill -0 "$app" || { echo "check-package: the installed app exited at start" >&2; exit 1; }
grep -rqs "starting Gatefold" "$work/data/app.gatefold/logs" || { echo "check-package: no start in the app's log" >&2; ls -R "$work/data" >&2 || true; exit 1; }
echo "check-package: $(basename "$deb") installs, runs headless, and opens its window"
