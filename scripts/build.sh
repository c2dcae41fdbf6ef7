#!/usr/bin/env bash
# Build the browser app into www/: the wasm module and its JS glue in www/pkg,
# the model in www/model. Usage: scripts/build.sh   (from any directory)
# Env: WASM_OPT=1 also runs binaryen's wasm-opt (from npm; ~3 min; -7% raw, gzip unchanged).
#      SKIP_SETUP=1 skips scripts/setup.sh (scripts/test.sh already ran it).
# Fails if the wasm grows past WASM_GZIP_BUDGET bytes gzipped (default 1,300,000): the budget
# guards the size work (op registry, vendored tract-nnef patch, profile) against regressions.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

say() { printf '[build] %s\n' "$*"; }

if [[ "${SKIP_SETUP:-0}" != 1 ]]; then
  scripts/setup.sh
fi

# The release profile is size-tuned (Cargo.toml); `wasm-pack build crate --target web` gives
# the same module.
say "cargo build --release --target wasm32-unknown-unknown -p lenet5 --lib"
cargo build --release --target wasm32-unknown-unknown -p lenet5 --lib

WASM="target/wasm32-unknown-unknown/release/lenet5.wasm"
# The name section (function names for stack traces) is a fifth of the module; errors reach
# users as messages, not traces, so it goes (wasm-pack keeps it: 1.49 MB gzip instead of 1.22).
say "wasm-bindgen --target web --remove-name-section --remove-producers-section --out-dir www/pkg $WASM"
wasm-bindgen --target web --remove-name-section --remove-producers-section --out-dir www/pkg "$WASM"

# The learning worker's module (www/learn-worker.js): the trainer without the inference engine,
# loaded only when someone teaches the page. Its own target dir, so the two builds of the same
# crate with different features never overwrite each other's lenet5.wasm.
say "cargo build (learner) --no-default-features --features learner --target-dir target/learn"
cargo build --release --target wasm32-unknown-unknown -p lenet5 --lib --no-default-features --features learner \
  --target-dir target/learn
wasm-bindgen --target web --remove-name-section --remove-producers-section --out-dir www/pkg \
  --out-name lenet5_learn target/learn/wasm32-unknown-unknown/release/lenet5.wasm
LEARN="www/pkg/lenet5_learn_bg.wasm"
say "$LEARN: $(wc -c < "$LEARN") bytes raw, $(gzip -9 -c "$LEARN" | wc -c) bytes gzip -9"

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
  cp model/mnist-replay.bin.gz www/model/mnist-replay.bin.gz
else
  echo "[build] warning: model/lenet5.onnx is missing; the page will say it cannot load the model" >&2
fi

# Subresource Integrity for what the page fetches itself (www/app.js checks both digests).
node - "$OUT" www/model/lenet5.onnx "$LEARN" www/model/mnist-replay.bin.gz > www/pkg/integrity.js <<'JS'
const { createHash } = require('node:crypto');
const { existsSync, readFileSync } = require('node:fs');
const [wasm, model, learn, replay] = process.argv.slice(2);
const sri = (file) => `sha384-${createHash('sha384').update(readFileSync(file)).digest('base64')}`;
const digests = { 'pkg/lenet5_bg.wasm': sri(wasm), 'pkg/lenet5_learn_bg.wasm': sri(learn) };
if (existsSync(model)) digests['model/lenet5.onnx'] = sri(model);
if (existsSync(replay)) digests['model/mnist-replay.bin.gz'] = sri(replay);
console.log('// Written by scripts/build.sh: the SHA-384 digests www/app.js checks before using these files.');
console.log(`export default ${JSON.stringify(digests, null, 2)};`);
JS
say "wrote www/pkg/integrity.js"

RAW="$(wc -c < "$OUT")"
GZ="$(gzip -9 -c "$OUT" | wc -c)"
say "$OUT: $RAW bytes raw, $GZ bytes gzip -9"
BUDGET="${WASM_GZIP_BUDGET:-1300000}"
if (( GZ > BUDGET )); then
  echo "[build] error: the wasm is $GZ bytes gzipped, over its budget of $BUDGET (WASM_GZIP_BUDGET)." >&2
  echo "[build] Did the vendored tract-nnef patch or the op registry stop applying? See vendor/README.md." >&2
  exit 1
fi
