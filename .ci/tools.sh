#!/usr/bin/env bash
# Installs what kafkascope needs to build, serve and test, skipping whatever is already right.
# Everything comes from the package registries (crates, npm, Debian): no tool may download a binary
# at run time, so versions are pinned to match Cargo.lock (see docs/toolchain.md).
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130
TRUNK_VERSION=0.21.14
WASM_PACK_VERSION=0.15.1
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m[tools]\033[0m %s\n' "$*"; }

need_browser=${NEED_BROWSER:-1}
need_trunk=${NEED_TRUNK:-1}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 min)"
  # Not --locked: its lockfile names a crate version this registry lacks (toolchain.md).
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [ "$need_trunk" = 1 ] && [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (about 6 min)"
  cargo install --locked trunk --version "$TRUNK_VERSION" --force
fi

if [ "$need_browser" = 1 ]; then
  if [ "$(wasm-pack --version 2>/dev/null | awk '{print $2}')" != "$WASM_PACK_VERSION" ]; then
    say "installing wasm-pack $WASM_PACK_VERSION (about 3 min)"
    cargo install --locked wasm-pack --version "$WASM_PACK_VERSION" --force
  fi
  if ! [ -x /usr/bin/chromium ] || ! [ -x /usr/bin/chromedriver ]; then
    say "installing Debian's chromium and chromium-driver"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
fi

# wasm-opt: binaryen from npm (Debian's is too old for current rustc output).
if ! [ -x web/node_modules/.bin/wasm-opt ]; then
  say "installing binaryen (wasm-opt) from npm"
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ "$need_browser" = 1 ] && ! [ -d tests/e2e/node_modules/playwright-core ]; then
  say "installing playwright-core (no browser download: Debian's chromium is used)"
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi
say "tools ready"
