#!/usr/bin/env bash
# Frame-budget benchmark (issue 17; not part of the tests): the page's whole reading (one digit +
# number + feature maps) while a 6-digit number is written with real pointer input, in headless
# Chromium on a desktop viewport at device pixel ratio 1 and 2 and a phone-sized one at 3.
#
#   scripts/bench-frame.sh              # takes /tmp/www.lock itself: do not wrap it in flock
#
# What it does:
#   1. if www/pkg (or www/model) is missing, builds it: flock $WWW_LOCK env SKIP_SETUP=1 scripts/build.sh;
#   2. MAX_LOAD: waits (at most 30 min) until the 1-minute load average is below it;
#   3. flock $WWW_LOCK node bench/frame/run.mjs: serves www/ (scripts/serve.mjs, a free port on
#      127.0.0.1, plus COEP require-corp so performance.now() has fine steps), runs each viewport
#      FRAME_REPEATS times alternating, prints Markdown tables and the goals, writes
#      target/bench-frame.json.
#
# Environment:
#   MAX_LOAD=1.0        first wait until the 1-minute load average is below this
#   WWW_LOCK=/tmp/www.lock   the lock shared with builds and browser runs; WWW_LOCK= (empty) when
#                       the caller already holds it
#   FRAME_WWW=www       the directory served (e.g. a copy of an older page next to the same pkg/)
#   FRAME_REPEATS=3 FRAME_NUMBER=205193 FRAME_STEP=6 FRAME_TAIL_MS=1000 FRAME_MOVE_MS=8 FRAME_TAIL_STEP=… FRAME_ISOLATE=1
#   FRAME_GOAL_MS=0.5 FRAME_GOAL_RATIO=1.2 FRAME_VIEWPORTS=desktop-dpr1,desktop-dpr2,phone-dpr3
#   FRAME_OUT=target/bench-frame.json CHROMIUM_PATH=…
#   FRAME_PROFILE=FILE  also a CPU profile of the page while the last digit is written (CDP
#                       Profiler, FRAME_PROFILE_US=20 µs sampling), saved to FILE, and the readings'
#                       self time by function printed; serve a page whose pkg keeps the wasm's
#                       function names (wasm-bindgen without wasm-opt) to see them
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
say() { printf '[bench-frame] %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

LOCK="${WWW_LOCK-/tmp/www.lock}"
locked() { if [[ -n "$LOCK" ]]; then flock "$LOCK" "$@"; else "$@"; fi; }

# --- 1. the app, built only when missing -------------------------------------------------------
if [[ ! -f www/pkg/lenet5.js || ! -f www/pkg/lenet5_bg.wasm || ! -f www/model/lenet5.onnx ]]; then
  say "www/pkg or www/model is missing: building (scripts/build.sh, under ${LOCK:-no lock})"
  locked env SKIP_SETUP=1 scripts/build.sh
fi
[[ -d node_modules/playwright-core ]] || die "node_modules/playwright-core is missing: run scripts/setup.sh (or npm ci)"
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
[[ -x "$CHROMIUM" ]] || die "$CHROMIUM is missing: run scripts/setup.sh (apt-get install chromium)"

# --- 2. a quiet machine ------------------------------------------------------------------------
if [[ -n "${MAX_LOAD:-}" ]]; then
  for _ in $(seq 180); do
    load=$(cut -d' ' -f1 /proc/loadavg)
    awk -v l="$load" -v m="$MAX_LOAD" 'BEGIN { exit !(l < m) }' && break
    say "load average $load >= $MAX_LOAD: waiting 10 s"
    sleep 10
  done
fi

# --- 3. run ------------------------------------------------------------------------------------
WWW="${FRAME_WWW:-www}"
say "page: $WWW/app.js $(grep -q readingMs "$WWW/app.js" && echo 'sets data-reading-ms' || echo 'has no data-reading-ms (pixel reading)'); $WWW/pkg/lenet5.js built $(date -r "$WWW/pkg/lenet5.js" '+%F %T')"
locked node bench/frame/run.mjs "$@"
