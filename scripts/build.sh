#!/usr/bin/env bash
# Build the browser app into www/: the wasm module and its JS glue in www/pkg,
# the model in www/model. Usage: scripts/build.sh   (from any directory)
# Env: WASM_OPT=1 also runs binaryen's wasm-opt (from npm; ~3 min; -7% raw, gzip unchanged).
#      SKIP_SETUP=1 skips scripts/setup.sh (scripts/test.sh already ran it).
# Fails if the page's wasm grows past WASM_GZIP_BUDGET bytes gzipped, or the general module
# past GENERAL_GZIP_BUDGET (see the end of this script).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

say() { printf '[build] %s\n' "$*"; }

if [[ "${SKIP_SETUP:-0}" != 1 ]]; then
  scripts/setup.sh
fi

# Two modules of the recognizer (the release profile is size-tuned, Cargo.toml):
# - the general one (default features: tract's general ONNX path too), www/pkg/lenet5_general*,
#   loaded by the page only for a model the small one does not build; `wasm-pack build crate
#   --target web` gives this module;
# - the page's own, small one (`--features page`: the direct loader only), www/pkg/lenet5*.
# Same target dir: the dependencies are built once; the small one is built last, so
# target/wasm32-unknown-unknown/release/lenet5.wasm is the page's (scripts/profile-load.sh).
WASM="target/wasm32-unknown-unknown/release/lenet5.wasm"
# The name section (function names for stack traces) is a fifth of the module; errors reach
# users as messages, not traces, so it goes (wasm-pack keeps it: 1.49 MB gzip instead of 1.22).
BINDGEN=(wasm-bindgen --target web --remove-name-section --remove-producers-section --out-dir www/pkg)
say "cargo build --release --target wasm32-unknown-unknown -p lenet5 --lib (general module)"
cargo build --release --target wasm32-unknown-unknown -p lenet5 --lib
"${BINDGEN[@]}" --out-name lenet5_general "$WASM"
say "cargo build --release --target wasm32-unknown-unknown -p lenet5 --lib --no-default-features --features page"
cargo build --release --target wasm32-unknown-unknown -p lenet5 --lib --no-default-features --features page
"${BINDGEN[@]}" "$WASM"

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
GENERAL="www/pkg/lenet5_general_bg.wasm"
node - "$OUT" www/model/lenet5.onnx "$LEARN" www/model/mnist-replay.bin.gz "$GENERAL" > www/pkg/integrity.js <<'JS'
const { createHash } = require('node:crypto');
const { existsSync, readFileSync } = require('node:fs');
const [wasm, model, learn, replay, general] = process.argv.slice(2);
const sri = (file) => `sha384-${createHash('sha384').update(readFileSync(file)).digest('base64')}`;
const digests = {
  'pkg/lenet5_bg.wasm': sri(wasm),
  'pkg/lenet5_general_bg.wasm': sri(general),
  'pkg/lenet5_learn_bg.wasm': sri(learn),
};
if (existsSync(model)) digests['model/lenet5.onnx'] = sri(model);
if (existsSync(replay)) digests['model/mnist-replay.bin.gz'] = sri(replay);
console.log('// Written by scripts/build.sh: the SHA-384 digests www/app.js checks before using these files.');
console.log(`export default ${JSON.stringify(digests, null, 2)};`);
JS
say "wrote www/pkg/integrity.js"

# The offline worker's manifest (www/pkg/sw-manifest.js): the SHA-384 of every file in www/ it
# may cache; it caches nothing that does not match (scripts/sw-manifest.mjs, www/sw.js).
node scripts/sw-manifest.mjs www

# Size budgets: they guard the size work (direct loader, op registry, vendored tract patches,
# profile) against regressions. The page's module is what every visitor downloads.
check_budget() { # FILE BUDGET WHAT
  local raw gz
  raw="$(wc -c < "$1")"
  gz="$(gzip -9 -c "$1" | wc -c)"
  say "$1: $raw bytes raw, $gz bytes gzip -9 ($3)"
  if (( gz > $2 )); then
    echo "[build] error: $1 is $gz bytes gzipped, over its budget of $2." >&2
    echo "[build] Did a vendored tract patch or the op registry stop applying? See vendor/README.md." >&2
    exit 1
  fi
}
check_budget "$GENERAL" "${GENERAL_GZIP_BUDGET:-1300000}" "general module, loaded for other graphs only"
check_budget "$OUT" "${WASM_GZIP_BUDGET:-600000}" "the page's module"

# The <digit-input> package (packages/digit-input): the element with the page's module and the
# model in its dist/, packed by `npm pack` into target/npm/; the examples' copy of the element in
# www/examples/digit-input/ (packages/digit-input/build.mjs).
say "packages/digit-input: dist/, npm pack, www/examples/digit-input/"
node packages/digit-input/build.mjs
