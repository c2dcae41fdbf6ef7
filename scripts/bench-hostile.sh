#!/usr/bin/env bash
# Hostile-model benchmark (#19; not part of the tests): for each hostile model of
# tests/e2e/onnx-models.mjs (absurd pads, strides, kernels, maps; NaN weights; the heaviest
# model accepted) and for the built-in LeNet-5, the longest main-thread stall while the page
# handles it, the time until the page says what it did, and the wasm memory held afterwards, in
# headless Chromium with the e2e tests' flags. Goals: at most 1 s of stall for a hostile model,
# none above 100 ms for the built-in one.
#
#   scripts/bench-hostile.sh                 # the page in www/
#   scripts/bench-hostile.sh www /tmp/old    # and an older page (its own www/, same pkg/ and model/)
#
# Takes $WWW_LOCK (default /tmp/www.lock, shared with builds and browser runs) itself: do not
# wrap it in flock; WWW_LOCK= (empty) when the caller already holds it. Prints Markdown tables,
# writes target/bench-hostile.json.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
LOCK="${WWW_LOCK-/tmp/www.lock}"
if [[ ! -f www/pkg/lenet5.js || ! -f www/model/lenet5.onnx ]]; then
  echo "[bench-hostile] www/pkg or www/model is missing: run scripts/build.sh first" >&2
  exit 1
fi
[[ -d node_modules/playwright-core ]] || { echo "[bench-hostile] node_modules/playwright-core is missing: run scripts/setup.sh" >&2; exit 1; }
if [[ -n "$LOCK" ]]; then
  exec flock "$LOCK" node bench/hostile/run.mjs "$@"
fi
exec node bench/hostile/run.mjs "$@"
