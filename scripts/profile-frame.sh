#!/usr/bin/env bash
# Where a live reading's time goes under V8: the page's module (release profile, +simd128) with
# its function names kept, the frames of `node bench/frame/replay.mjs` (a 6-digit number, the
# last digit point by point, one readStrokes per frame) under Node's sampling profiler, and the
# functions that took the most samples. Not part of the tests.
# Usage: scripts/profile-frame.sh [top N]   (after scripts/build.sh, whose cargo output it
# reuses, or WASM=path/to/lenet5.wasm). Env: REPLAY_ROUNDS (default 40).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
TOP="${1:-25}"
WASM="${WASM:-target/wasm32-unknown-unknown/release/lenet5.wasm}"
[[ -f "$WASM" ]] || { echo "build first: scripts/build.sh" >&2; exit 1; }
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
wasm-bindgen --target web --out-name lenet5 --out-dir "$OUT/pkg" "$WASM"
(cd "$OUT" && REPLAY_ROUNDS="${REPLAY_ROUNDS:-40}" node --cpu-prof --cpu-prof-interval 50 \
  --cpu-prof-dir "$OUT/prof" "$ROOT/bench/frame/replay.mjs" "$OUT/pkg")
node - "$OUT/prof" "$TOP" <<'JS'
const { readdirSync, readFileSync } = await import('node:fs');
const [dir, top] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(`${dir}/${readdirSync(dir)[0]}`, 'utf8'));
const name = new Map(prof.nodes.map((n) => [n.id, n.callFrame.functionName || '(anonymous)']));
const self = new Map();
prof.samples.forEach((id, i) => self.set(name.get(id), (self.get(name.get(id)) ?? 0) + prof.timeDeltas[i]));
const total = [...self.values()].reduce((a, b) => a + b, 0);
console.log(`self time by function (whole run, module load included), top ${top}:`);
for (const [f, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
  console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${f.slice(0, 110)}`);
}
JS
