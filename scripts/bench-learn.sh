#!/usr/bin/env bash
# How long one fine-tune takes in headless Chromium (the page's learning worker's wasm), and
# what the learning costs in bytes. Not part of the tests. After scripts/build.sh:
#   scripts/bench-learn.sh          # RUNS=5 per row (median and max)
# The accuracy side (a simulated writer, 1/5/20/50 corrections, MNIST before/after) is native:
#   cargo run --release --example personalise
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
for f in www/pkg/lenet5_learn_bg.wasm www/pkg/lenet5_learn.js www/learn-worker.js www/model/mnist-replay.bin.gz www/teach.js www/store.js www/trusted.js; do
  [[ -f "$f" ]] || { echo "[bench-learn] $f is missing: run scripts/build.sh" >&2; exit 1; }
  printf '%-34s %8d bytes raw %8d gzip -9\n' "$f" "$(wc -c < "$f")" "$(gzip -9 -c "$f" | wc -c)"
done
echo
node bench/learn/run.mjs
