#!/usr/bin/env bash
# Installs what building and testing Gatefold needs and is missing: Debian/Ubuntu packages (with
# apt, as root or through sudo) and the UI's npm packages. Safe to run again: it only installs
# what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: Tauri's WebKitGTK stack, Chromium for the UI tests, Xvfb and the WebKit
# WebDriver for the real-window tests, ffmpeg to prove that write-back leaves the decoded audio
# of every format bit-identical.
packages=(
  build-essential pkg-config file
  libwebkit2gtk-4.1-dev libxdo-dev librsvg2-dev libayatana-appindicator3-dev
  chromium xvfb xauth webkit2gtk-driver ffmpeg
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
    echo "setup: missing packages ${missing[*]}; run as root or install them with apt" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

for tool in cargo node npm; do
  command -v "$tool" >/dev/null || { echo "setup: $tool is required but not installed" >&2; exit 1; }
done

# UI packages, exactly as locked, when node_modules is missing or older than the lock. `npm ci`
# never rewrites ui/package-lock.json, so a fresh clone stays clean. (The lock lists
# @tauri-apps/cli's optional per-platform packages with their versions: an older npm wrote them
# without, and `npm ci` refused that lock; regenerate it with a current npm if that happens.)
if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "setup: installing the UI's npm packages"
  npm --prefix ui ci --no-audit --no-fund --loglevel=error
fi

# tauri-driver: the WebDriver bridge the real-window test (tests/window.rs) drives the app
# through (to WebKitWebDriver). Installed with cargo at a locked version, once.
if ! command -v tauri-driver >/dev/null && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  echo "setup: installing tauri-driver"
  cargo install tauri-driver --version 2.1.0 --locked --quiet
fi

# cargo-machete: `make lint` (part of `make test`) fails on a dependency no code uses.
if ! command -v cargo-machete >/dev/null && [ ! -x "$HOME/.cargo/bin/cargo-machete" ]; then
  echo "setup: installing cargo-machete"
  cargo install cargo-machete --version 0.9.1 --locked --quiet
fi
