#!/usr/bin/env bash
# Where the page's model load goes: the shipped wasm (release profile, +simd128) run by V8
# under Node, which compiles WebAssembly lazily like Chromium (each function on its first
# call). Prints the cold `new Recognizer(model)` time with lazy and with eager compilation, a
# second (warm) one, and how many functions and bytes of code the cold one had to compile,
# by crate. Not part of the tests. Usage: scripts/profile-load.sh [model.onnx] (after
# scripts/build.sh, whose cargo output it reuses, or WASM=path/to/lenet5.wasm; wasm-bindgen keeps the
# function names here).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
MODEL="$(realpath "${1:-model/lenet5.onnx}")"
WASM="${WASM:-target/wasm32-unknown-unknown/release/lenet5.wasm}"
[[ -f "$WASM" ]] || { echo "build first: scripts/build.sh" >&2; exit 1; }
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
wasm-bindgen --target web --out-name lenet5 --out-dir "$OUT" "$WASM"
cat > "$OUT/run.mjs" <<'JS'
import { readFileSync } from 'node:fs';
const glue = await import('./lenet5.js');
const model = readFileSync(process.argv[2]);
glue.initSync({ module: readFileSync(new URL('./lenet5_bg.wasm', import.meta.url)) });
const ms = (f) => { const t = performance.now(); f(); return performance.now() - t; };
console.log('PHASE session');
const cold = ms(() => new glue.Recognizer(model).free());
console.log('PHASE warm');
const warm = ms(() => new glue.Recognizer(model).free());
console.log(`RESULT cold ${cold.toFixed(1)} ms, warm ${warm.toFixed(1)} ms`);
JS
for flags in "" "--no-wasm-lazy-compilation"; do
  for run in 1 2 3; do
    node $flags "$OUT/run.mjs" "$MODEL" | sed -n "s/^RESULT /${flags:-lazy (default)}: /p"
  done
done
node --trace-wasm-compilation-times "$OUT/run.mjs" "$MODEL" > "$OUT/trace.txt"
python3 - "$OUT/lenet5_bg.wasm" "$OUT/trace.txt" <<'PY'
import collections, re, sys

def leb(b, i):
    r = s = 0
    while True:
        x = b[i]; i += 1; r |= (x & 0x7f) << s; s += 7
        if x < 0x80:
            return r, i

def function_names(path):
    """Function index -> name, from the wasm's name section."""
    b = open(path, 'rb').read(); i = 8; out = {}
    while i < len(b):
        sid = b[i]; i += 1; size, i = leb(b, i); end = i + size
        if sid == 0:
            n, j = leb(b, i); name = b[j:j + n].decode(); j += n
            while name == 'name' and j < end:
                sub = b[j]; j += 1; sz, j = leb(b, j); sub_end = j + sz
                if sub == 1:
                    count, k = leb(b, j)
                    for _ in range(count):
                        idx, k = leb(b, k); ln, k = leb(b, k)
                        out[idx] = b[k:k + ln].decode('utf8', 'replace'); k += ln
                j = sub_end
        i = end
    return out

names = function_names(sys.argv[1])
def crate(name):
    m = re.match(r'^<?(?:&|\*const |\*mut |dyn )*([A-Za-z_][A-Za-z0-9_]*)', name)
    return m.group(1) if m else '?'
phase, by_crate, count, total, biggest = None, collections.Counter(), 0, 0, []
for line in open(sys.argv[2]):
    if line.startswith('PHASE'):
        phase = line.split()[1]; continue
    m = re.match(r'Compiled function 0x[0-9a-f]+#(\d+) using Liftoff.*bodysize (\d+)', line)
    if m and phase == 'session':
        name, size = names.get(int(m.group(1)), '?'), int(m.group(2))
        by_crate[crate(name)] += size; count += 1; total += size; biggest.append((size, name))
print(f'cold Recognizer: {count} functions compiled on first call, {total / 1024:.0f} KB of wasm code')
for c, v in by_crate.most_common(10):
    print(f'  {c:24s} {v / 1024:7.1f} KB')
print('largest:')
for size, name in sorted(biggest, reverse=True)[:8]:
    print(f'  {size / 1024:6.1f} KB {name[:110]}')
PY
