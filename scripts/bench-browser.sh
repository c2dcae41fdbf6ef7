#!/usr/bin/env bash
# Browser benchmark (not part of the tests): our wasm vs onnxruntime-web vs rten on
# model/lenet5.onnx in one headless Chromium, plus sizes and the main page's cold start.
#
#   scripts/bench-browser.sh            # after scripts/build.sh (it benchmarks www/pkg as built)
#
# What it does (every step idempotent):
#   1. checks www/pkg and www/model (scripts/build.sh makes them; WASM_OPT=1 for wasm-opt),
#      playwright-core (scripts/setup.sh) and Chromium;
#   2. npm ci in bench/browser (onnxruntime-web, pinned in its package-lock.json) if needed;
#   3. builds bench/rten-wasm (rten + wasm-bindgen, own workspace) for wasm32 with +simd128, in
#      release (opt-level "s", fat LTO, 1 codegen unit, panic=abort: our `wasm` profile), into
#      target/bench-rten, then wasm-bindgen --target web into bench/browser/rten-pkg;
#   4. node bench/browser/run.mjs: prints Markdown tables, writes target/bench-browser.json.
#
# Environment:
#   SKIP_BUILD=1        use the rten wasm already in bench/browser/rten-pkg
#   RTEN_ALL_OPS=1      build rten with every operator registered (default: the 7 LeNet-5 uses, Cast included for the float16 weights)
#   MAX_LOAD=1.0        first wait (at most 30 min) until the 1-minute load average is below this
#   BENCH_BATCH=200 BENCH_BATCHES=15 BENCH_RECOGNIZE_BATCH=50 BENCH_WARMUP_MS=1000
#   LOAD_RUNS=3 COLD_RUNS=7 COLD_RTT_MS=100 DIGITS=50 BENCH_OUT=target/bench-browser.json CHROMIUM_PATH=…
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
say() { printf '[bench-browser] %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# --- 1. what must already be there -----------------------------------------------------------
for f in www/pkg/lenet5.js www/pkg/lenet5_bg.wasm www/model/lenet5.onnx; do
  [[ -f "$f" ]] || die "$f is missing: run scripts/build.sh first (it builds www/pkg and copies the model)"
done
if ! cmp -s model/lenet5.onnx www/model/lenet5.onnx; then
  say "warning: www/model/lenet5.onnx differs from model/lenet5.onnx (scripts/build.sh copies it)"
fi
say "benchmarking www/pkg/lenet5_bg.wasm built $(date -r www/pkg/lenet5_bg.wasm '+%F %T') ($(wc -c < www/pkg/lenet5_bg.wasm) bytes)"
[[ -d node_modules/playwright-core ]] || die "node_modules/playwright-core is missing: run scripts/setup.sh (or npm ci)"
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
[[ -x "$CHROMIUM" ]] || die "$CHROMIUM is missing: run scripts/setup.sh (apt-get install chromium)"

# --- 2. onnxruntime-web ----------------------------------------------------------------------
want=$(node -p "require('./bench/browser/package.json').dependencies['onnxruntime-web']")
have=$(node -p "try { require('./bench/browser/node_modules/onnxruntime-web/package.json').version } catch { '' }")
if [[ "$have" != "$want" ]]; then
  say "npm ci in bench/browser (onnxruntime-web $want)"
  (cd bench/browser && npm ci --no-audit --no-fund)
fi

# --- 3. rten wasm ----------------------------------------------------------------------------
RTEN_WASM="$ROOT/target/bench-rten/wasm32-unknown-unknown/release/lenet5_bench_rten.wasm"
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  features=()
  [[ "${RTEN_ALL_OPS:-0}" == 1 ]] && features=(--features all-ops)
  want_wb=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p;q}' bench/rten-wasm/Cargo.lock)
  have_wb=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  [[ "$have_wb" == "$want_wb" ]] ||
    die "wasm-bindgen-cli $want_wb needed (have '${have_wb:-none}'): scripts/setup.sh installs it"
  say "cargo build rten-wasm (release, wasm32, +simd128${features:+, all ops}) — a few minutes the first time"
  (cd bench/rten-wasm && CARGO_TARGET_DIR="$ROOT/target/bench-rten" RUSTFLAGS="-C target-feature=+simd128" \
    nice -n 10 cargo build --release --locked --target wasm32-unknown-unknown "${features[@]}")
  wasm-bindgen --target web --out-dir bench/browser/rten-pkg "$RTEN_WASM"
fi
[[ -f bench/browser/rten-pkg/lenet5_bench_rten.js ]] || die "bench/browser/rten-pkg is missing: run without SKIP_BUILD"

# --- 4. run ----------------------------------------------------------------------------------
if [[ -n "${MAX_LOAD:-}" ]]; then
  for _ in $(seq 180); do
    load=$(cut -d' ' -f1 /proc/loadavg)
    awk -v l="$load" -v m="$MAX_LOAD" 'BEGIN { exit !(l < m) }' && break
    say "load average $load >= $MAX_LOAD: waiting 10 s"
    sleep 10
  done
fi
exec node bench/browser/run.mjs "$@"
