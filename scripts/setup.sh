#!/usr/bin/env bash
# Install what the project needs on a fresh machine that has rustup/cargo,
# Node 20 + npm, Python 3 and apt. Idempotent and fast when all is in place:
#   - the wasm32-unknown-unknown Rust target,
#   - wasm-bindgen-cli at exactly the wasm-bindgen version locked in Cargo.lock
#     (it must match the library or the generated JS glue is rejected),
#   - cargo-deny (the supply-chain check in scripts/test.sh),
#   - Debian's chromium (the browser the end-to-end tests drive),
#   - Debian's fonts-dejavu-core (the trainer's printed digits and letters; crate/src/train/fonts.rs),
#   - the npm devDependencies (playwright-core, binaryen's wasm-opt).
# Usage: scripts/setup.sh            (from any directory)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

say() { printf '[setup] %s\n' "$*"; }

# Debian packages, with sudo when not root.
apt_install() {
  say "installing $* with apt-get"
  local sudo=""
  if [[ "$(id -u)" != 0 ]]; then sudo="sudo"; fi
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "$@"
}

# --- Rust target -------------------------------------------------------------
if ! rustup target list --installed | grep -qx 'wasm32-unknown-unknown'; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# --- wasm-bindgen-cli, same version as the wasm-bindgen crate in Cargo.lock ---
WB_VERSION="$(awk '
  $0 == "[[package]]" { name = "" }
  $1 == "name" && $3 == "\"wasm-bindgen\"" { name = "wasm-bindgen" }
  name == "wasm-bindgen" && $1 == "version" { gsub(/"/, "", $3); print $3; exit }
' Cargo.lock)"
if [[ -z "$WB_VERSION" ]]; then
  echo "[setup] error: no wasm-bindgen package in Cargo.lock" >&2
  exit 1
fi
HAVE_WB="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [[ "$HAVE_WB" != "$WB_VERSION" ]]; then
  say "installing wasm-bindgen-cli $WB_VERSION (found: ${HAVE_WB:-none}); this takes a few minutes"
  cargo install wasm-bindgen-cli --version "$WB_VERSION"
fi

# --- cargo-deny (licences, bans and sources of every dependency; scripts/test.sh) -------
DENY_VERSION="0.20.2"
if [[ "$(cargo deny --version 2>/dev/null | awk '{print $2}')" != "$DENY_VERSION" ]]; then
  say "installing cargo-deny $DENY_VERSION (about 3 minutes)"
  cargo install cargo-deny --version "$DENY_VERSION" --locked
fi

# --- Chromium (Debian package; nothing downloads a browser at run time) -------
# CHROMIUM_PATH points the tests at another Chromium build (e.g. Chrome on GitHub's runners).
if [[ -n "${CHROMIUM_PATH:-}" && -x "${CHROMIUM_PATH}" ]]; then
  say "using the browser at CHROMIUM_PATH=$CHROMIUM_PATH"
elif [[ ! -x /usr/bin/chromium ]]; then
  apt_install chromium
fi

# --- Fonts the trainer draws printed digits and letters from ------------------
# Chromium usually brings them (through fontconfig); without them `export-onnx` says what to do.
if [[ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]]; then
  if command -v apt-get > /dev/null; then
    apt_install fonts-dejavu-core
  else
    say "no apt-get: install the DejaVu fonts and pass export-onnx --fonts DIR (or --no-fonts)"
  fi
fi

# --- npm devDependencies ------------------------------------------------------
# A stamp in node_modules records the hash of package.json + package-lock.json
# that was installed; reinstall when it is missing or differs.
STAMP="node_modules/.lenet5-setup-stamp"
if [[ -f package-lock.json ]]; then
  WANT="$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)"
else
  WANT="$(sha256sum package.json | cut -d' ' -f1)"
fi
if [[ ! -d node_modules || ! -f "$STAMP" || "$(cat "$STAMP")" != "$WANT" ]]; then
  if [[ -f package-lock.json ]]; then
    say "npm ci"
    npm ci --no-audit --no-fund
  else
    say "npm install (no package-lock.json)"
    npm install --no-audit --no-fund
    WANT="$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)"
  fi
  echo "$WANT" > "$STAMP"
fi

say "ok: wasm32 target, wasm-bindgen $WB_VERSION, cargo-deny $DENY_VERSION, $(/usr/bin/chromium --version 2>/dev/null | head -n1), node $(node --version), npm packages"
