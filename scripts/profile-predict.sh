#!/usr/bin/env bash
# Where `predict`'s time goes, per tract node: natively, and as wasm (+simd128, the shipped
# release profile) under Node's WASI, which runs it in V8 like the browser but with a fine timer.
# Not part of the tests. Usage: scripts/profile-predict.sh [model.onnx]
# Env (the "before" of crate/src/rewrite.rs): TRACT_POOL=1 keeps tract's own MaxPool,
#      TRACT_CONV=1 the group-1 C1.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
MODEL="${1:-model/lenet5.onnx}"

echo "== native (release profile)"
cargo run --quiet --release --example profile_predict -- "$MODEL"

rustup target add wasm32-wasip1 >/dev/null 2>&1 || true
echo "== wasm32-wasip1 + simd128 under Node (V8)"
RUSTFLAGS="-C target-feature=+simd128" cargo build --quiet --release --example profile_predict \
  --target wasm32-wasip1 --target-dir target/wasi
node --no-warnings --input-type=module - "$MODEL" <<'JS'
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
const wasi = new WASI({ version: 'preview1', args: ['profile_predict', process.argv[2]], env: process.env, preopens: { '.': '.' } });
const wasm = await WebAssembly.compile(await readFile('target/wasi/wasm32-wasip1/release/examples/profile_predict.wasm'));
wasi.start(await WebAssembly.instantiate(wasm, wasi.getImportObject()));
JS
