#!/usr/bin/env bash
# Build the browser app into www/: the wasm module and its JS glue in www/pkg,
# the model in www/model. Usage: scripts/build.sh   (from any directory)
# Env: WASM_OPT=1 also runs binaryen's wasm-opt -O3 (from npm; ~3 min).
#      SKIP_SETUP=1 skips scripts/setup.sh (scripts/test.sh already ran it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

say() { printf '[build] %s\n' "$*"; }

if [[ "${SKIP_SETUP:-0}" != 1 ]]; then
  scripts/setup.sh
fi

say "cargo build --release --target wasm32-unknown-unknown -p lenet5 --lib"
cargo build --release --target wasm32-unknown-unknown -p lenet5 --lib

WASM="target/wasm32-unknown-unknown/release/lenet5.wasm"
say "wasm-bindgen --target web --out-dir www/pkg $WASM"
wasm-bindgen --target web --out-dir www/pkg "$WASM"

OUT="www/pkg/lenet5_bg.wasm"
if [[ "${WASM_OPT:-0}" == 1 ]]; then
  # Debian's wasm-opt (108) corrupts wasm-bindgen output; npm's binaryen 132 is fine.
  # The features are spelled out because a stripped module has no target_features section.
  say "wasm-opt -O3 (slow)"
  node_modules/.bin/wasm-opt -O3 --enable-simd --enable-bulk-memory --enable-bulk-memory-opt \
    --enable-nontrapping-float-to-int --enable-sign-ext --enable-reference-types \
    --enable-multivalue --enable-mutable-globals "$OUT" -o "$OUT.opt.tmp"
  mv "$OUT.opt.tmp" "$OUT"
fi

if [[ -f model/lenet5.onnx ]]; then
  mkdir -p www/model
  cp model/lenet5.onnx www/model/lenet5.onnx
  say "copied model/lenet5.onnx to www/model/ ($(wc -c < model/lenet5.onnx) bytes)"
else
  echo "[build] warning: model/lenet5.onnx is missing; the page will say it cannot load the model" >&2
fi

RAW="$(wc -c < "$OUT")"
GZ="$(gzip -9 -c "$OUT" | wc -c)"
say "$OUT: $RAW bytes raw, $GZ bytes gzip -9"
