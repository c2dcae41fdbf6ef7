#!/usr/bin/env bash
# Where `predict`'s time goes, per tract node: natively, and as wasm (+simd128, the shipped
# release profile) under Node's WASI, which runs it in V8 like the browser but with a fine timer.
# Not part of the tests. Usage: scripts/profile-predict.sh [model.onnx]
# Env (the "before" of crate/src/infer/general/rewrite.rs): TRACT_POOL=1 keeps tract's own MaxPool,
#      TRACT_DIRECT=1 tract's own convolutions. DIRECT=1 profiles the graph the page runs instead
#      (built by crate/src/infer/direct.rs, not optimised by tract). RELAXED=1 builds the wasm with +relaxed-simd too (the
#      page's second module) and runs it with Node 20's --experimental-wasm-relaxed-simd.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
MODEL="${1:-model/lenet5.onnx}"

echo "== native (release profile)"
cargo run --quiet --release --example profile_predict -- "$MODEL"

rustup target add wasm32-wasip1 >/dev/null 2>&1 || true
FEATURES=+simd128 DIR=target/wasi NODE_FLAGS=()
if [[ -n "${RELAXED:-}" ]]; then
  FEATURES=+simd128,+relaxed-simd DIR=target/wasi-relaxed NODE_FLAGS=(--experimental-wasm-relaxed-simd)
fi
echo "== wasm32-wasip1 $FEATURES under Node (V8)"
RUSTFLAGS="-C target-feature=$FEATURES" cargo build --quiet --release --example profile_predict \
  --target wasm32-wasip1 --target-dir "$DIR"
node --no-warnings "${NODE_FLAGS[@]}" --input-type=module - "$MODEL" "$DIR" <<'JS'
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
const wasi = new WASI({ version: 'preview1', args: ['profile_predict', process.argv[2]], env: process.env, preopens: { '.': '.' } });
const wasm = await WebAssembly.compile(await readFile(`${process.argv[3]}/wasm32-wasip1/release/examples/profile_predict.wasm`));
wasi.start(await WebAssembly.instantiate(wasm, wasi.getImportObject()));
JS
