#!/usr/bin/env bash
# Installs what kafkascope needs to build, serve and test, skipping whatever is already right, so it
# costs seconds on a machine that has the tools and about 12 minutes on a new one.
# Everything comes from the package registries (crates, npm, Debian): no tool may download a binary
# at run time, so versions are pinned to match Cargo.lock (see docs/toolchain.md).
#   NEED_BROWSER=0  skip wasm-pack, Chromium and playwright-core (enough for `bash .ci/serve`)
#   NEED_TRUNK=0    skip trunk
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130
TRUNK_VERSION=0.21.14
WASM_PACK_VERSION=0.15.1
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m[tools]\033[0m %s\n' "$*"; }
version_of() { "$1" --version 2>/dev/null | head -1 | awk '{print $2}' | sed 's/^v//'; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need_browser=${NEED_BROWSER:-1}
need_trunk=${NEED_TRUNK:-1}

# Debian's Chromium and its driver (same version, installed together), fetched while cargo compiles.
apt_pid=
if [ "$need_browser" = 1 ] && { ! [ -x /usr/bin/chromium ] || ! [ -x /usr/bin/chromedriver ]; }; then
  say "installing Debian's chromium and chromium-driver (in the background)"
  ( export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq && as_root apt-get install -y -qq chromium chromium-driver >/tmp/kafkascope-apt.log 2>&1
  ) & apt_pid=$!
fi
if ! command -v npm >/dev/null; then
  say "installing node and npm from Debian"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq nodejs npm >/dev/null
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# std's source: the release wasm rebuilds std for size (.ci/size-env.sh); tests do not need it.
if ! [ -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library/std" ]; then
  say "adding rust-src (the release wasm rebuilds std for size)"
  rustup component add rust-src || say "rust-src could not be added: the release wasm will use the prebuilt std"
fi

if [ "$(version_of wasm-bindgen)" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 min)"
  # Not --locked: its lockfile names a crate version this registry lacks (toolchain.md).
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [ "$need_trunk" = 1 ] && [ "$(version_of trunk)" != "$TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (about 6 min)"
  cargo install --locked trunk --version "$TRUNK_VERSION" --force
fi

if [ "$need_browser" = 1 ] && [ "$(version_of wasm-pack)" != "$WASM_PACK_VERSION" ]; then
  say "installing wasm-pack $WASM_PACK_VERSION (about 3 min)"
  cargo install --locked wasm-pack --version "$WASM_PACK_VERSION" --force
fi

# wasm-opt: binaryen from npm (Debian's is too old for current rustc output).
if ! [ -x web/node_modules/.bin/wasm-opt ]; then
  say "installing binaryen (wasm-opt) from npm"
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ "$need_browser" = 1 ] && ! [ -d tests/e2e/node_modules/playwright-core ]; then
  say "installing playwright-core (no browser download: Debian's chromium is used)"
  (cd tests/e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi

if [ -n "$apt_pid" ]; then
  wait "$apt_pid" || { say "apt failed: see /tmp/kafkascope-apt.log"; exit 1; }
fi
if [ "$need_browser" = 1 ]; then
  c=$(/usr/bin/chromium --version 2>/dev/null | grep -o '[0-9][0-9.]*' | head -1 | cut -d. -f1)
  d=$(/usr/bin/chromedriver --version 2>/dev/null | grep -o '[0-9][0-9.]*' | head -1 | cut -d. -f1)
  [ -n "$c" ] && [ "$c" = "$d" ] || { say "chromium ($c) and chromedriver ($d) differ: reinstall both from apt"; exit 1; }
fi
say "tools ready"
