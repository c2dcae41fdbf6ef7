#!/usr/bin/env bash
# Training-speed benchmark (not part of the tests): one epoch of LeNet-5 on the 60,000 MNIST
# training digits, batch 64, CPU, 2 threads, Adam, no augmentation, with
#   ours     target/release/export-onnx --no-augment --mnist-only (lr 2e-3, cosine schedule; without
#            --mnist-only it would also train on 30,000 generated drawings an epoch)
#   PyTorch  bench/train-stacks/pytorch_lenet5.py (venv outside the repo, lr 1e-3)
#   candle   bench/train-stacks/candle (candle-core + candle-nn 0.9, lr 1e-3)
#   burn     bench/train-stacks/burn (burn 0.22, NdArray backend + autodiff, lr 1e-3)
# Same network everywhere (1x32x32 → conv 6@5x5 → ReLU → max 2 → conv 16@5x5 → ReLU → max 2 →
# conv 120@5x5 → ReLU → dense 84 → ReLU → dense 10), data loaded before the clock starts, the
# test-set evaluation after each epoch not timed.
#
# The runs go back to back in one go (ours, PyTorch, candle, burn, ours, PyTorch), then ours vs
# PyTorch time to 99.0% test accuracy (at most 8 epochs), and a Markdown table is printed.
# Everything built or installed lives outside the repo: /tmp/venv-torch, /tmp/bench-target,
# /tmp/bench-ours (ours writes its model and metrics.json there, never to model/).
#
# Environment:
#   MNIST_DIR=/work/shared/data/mnist   the four gzip IDX files
#   SKIP_BUILD=1                        use the binaries already built
#   SKIP_99=1                           skip the time-to-99% runs
#   MAX_LOAD=1.0                        wait (at most 30 min) until the 1-minute load average is
#                                       below this before measuring: on a shared 2-core machine,
#                                       other jobs distort the results (PyTorch's OpenMP threads
#                                       suffer most)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STACKS="$ROOT/bench/train-stacks"
DATA=${MNIST_DIR:-/work/shared/data/mnist}
VENV=/tmp/venv-torch
BENCH_TARGET=/tmp/bench-target
OURS_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/export-onnx"
OUT=/tmp/bench-ours
LOGS=$(mktemp -d /tmp/bench-train.XXXXXX)
THREADS=2
export RAYON_NUM_THREADS=$THREADS OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS \
    MATMUL_NUM_THREADS=$THREADS

say() { printf '%s\n' "$*" >&2; }

for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
    [[ -f "$DATA/$f" ]] || { say "missing $DATA/$f (set MNIST_DIR)"; exit 1; }
done

# --- PyTorch venv (outside the repo; PyPI's torch wheel, CUDA libraries and all) -------------
if ! "$VENV/bin/python" -c 'import torch, numpy' 2>/dev/null; then
    say "== setting up $VENV (pip install torch numpy)"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet torch numpy
fi

# --- builds, one at a time, niced ------------------------------------------------------------
candle_ok=1 burn_ok=1
if [[ -z "${SKIP_BUILD:-}" ]]; then
    say "== building ours (cargo build --release --bin export-onnx)"
    (cd "$ROOT" && nice -n 10 cargo build --release --bin export-onnx)
    for stack in candle burn; do
        say "== building $stack (CARGO_TARGET_DIR=$BENCH_TARGET)"
        if ! (cd "$STACKS/$stack" && CARGO_TARGET_DIR=$BENCH_TARGET nice -n 10 cargo build --release \
            2>&1 | tee "$LOGS/build-$stack.log" >&2; exit "${PIPESTATUS[0]}"); then
            say "!! $stack failed to build, see $LOGS/build-$stack.log"
            eval "${stack}_ok=0"
        fi
    done
fi
CANDLE_BIN="$BENCH_TARGET/release/lenet5-bench-candle"
BURN_BIN="$BENCH_TARGET/release/lenet5-bench-burn"
[[ -x "$CANDLE_BIN" ]] || candle_ok=0
[[ -x "$BURN_BIN" ]] || burn_ok=0
[[ -x "$OURS_BIN" ]] || { say "missing $OURS_BIN"; exit 1; }
mkdir -p "$OUT"

if [[ -n "${MAX_LOAD:-}" ]]; then
    for _ in $(seq 180); do
        awk -v max="$MAX_LOAD" '{ exit !($1 < max) }' /proc/loadavg && break
        say "   load average $(cut -d' ' -f1-3 /proc/loadavg), waiting for < $MAX_LOAD"
        sleep 10
    done
fi

# --- measurements, back to back --------------------------------------------------------------
load_before=$(uptime)
say "== before: $load_before"

# Each run_* writes its log and prints "<epoch seconds> <test accuracy %>".
run_ours() { # log name, epochs
    "$OURS_BIN" --epochs "$2" --data "$DATA" --out "$OUT/lenet5.onnx" --threads $THREADS --quiet --no-augment --mnist-only \
        >"$LOGS/$1.log" 2>&1
    cp "$OUT/metrics.json" "$LOGS/$1.metrics.json"
    python3 - "$LOGS/$1.metrics.json" <<'EOF'
import json, sys
h = json.load(open(sys.argv[1]))["history"][0]
print(f"{h['seconds']:.3f} {100 * h['test_accuracy']:.2f}")
EOF
}
run_stack() { # log name, command...
    local name=$1
    shift
    "$@" >"$LOGS/$name.log" 2>&1
    local secs acc
    secs=$(grep -m1 -o 'epoch_seconds=[0-9.]*' "$LOGS/$name.log" | cut -d= -f2)
    acc=$(grep -m1 -o 'test acc [0-9.]*%' "$LOGS/$name.log" | grep -o '[0-9.]*')
    echo "$secs $acc"
}
torch_cmd=("$VENV/bin/python" "$STACKS/pytorch_lenet5.py" --data "$DATA" --threads $THREADS)

say "== ours, 1 epoch";    read -r ours1 ours1_acc < <(run_ours ours-1 1)
say "== PyTorch, 1 epoch"; read -r torch1 torch1_acc < <(run_stack torch-1 "${torch_cmd[@]}" --epochs 1)
candle="" burn=""
if ((candle_ok)); then
    say "== candle, 1 epoch"; read -r candle candle_acc < <(run_stack candle "$CANDLE_BIN" --data "$DATA" --epochs 1)
fi
if ((burn_ok)); then
    say "== burn, 1 epoch";   read -r burn burn_acc < <(run_stack burn "$BURN_BIN" --data "$DATA" --epochs 1)
fi
say "== ours, 1 epoch (again)";    read -r ours2 ours2_acc < <(run_ours ours-2 1)
say "== PyTorch, 1 epoch (again)"; read -r torch2 torch2_acc < <(run_stack torch-2 "${torch_cmd[@]}" --epochs 1)

if [[ -z "${SKIP_99:-}" ]]; then
    say "== ours, up to 8 epochs (time to 99%)"
    run_ours ours-99 8 >/dev/null
    ours99=$(python3 - "$LOGS/ours-99.metrics.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["reached_99_percent"]
print(f"{r[1]:.1f} s (epoch {r[0]})" if r else "not reached in 8 epochs")
EOF
)
    say "== PyTorch, up to 8 epochs (time to 99%)"
    "${torch_cmd[@]}" --epochs 8 --stop-at-99 >"$LOGS/torch-99.log" 2>&1
    torch99=$(awk -F'[= ]' '/^time_to_99=/ { if ($2 == "none") print "not reached in 8 epochs"; else printf "%.1f s (%s %s)\n", $2, $3, $4 }' "$LOGS/torch-99.log")
fi
load_after=$(uptime)
say "== after: $load_after"

# --- report ----------------------------------------------------------------------------------
torch_ref=$(awk -v a="$torch1" -v b="$torch2" 'BEGIN { printf "%.3f", (a + b) / 2 }')
row() { # stack, seconds, test accuracy
    if [[ -z "$2" ]]; then
        printf '| %s | failed (build or run, see the logs) | | |\n' "$1"
    else
        awk -v s="$1" -v t="$2" -v r="$torch_ref" -v a="$3" \
            'BEGIN { printf "| %s | %.1f | %.2f | %s%% |\n", s, t, t / r, a }'
    fi
}
versions=$("$VENV/bin/python" -c 'import torch; print("torch " + torch.__version__)')
for stack in candle burn; do
    lock="$STACKS/$stack/Cargo.lock"
    [[ -f "$lock" ]] && versions+=$(awk -v s="$stack" '
        /^name = / { n = $3 } /^version = / && (n == "\"" s "-core\"" || n == "\"" s "-nn\"" || n == "\"" s "\"") {
            gsub(/"/, "", n); gsub(/"/, "", $3); printf ", %s %s", n, $3 }' "$lock")
done
echo
echo "LeNet-5, one epoch of 60,000 MNIST digits, batch 64, Adam, $THREADS threads, no augmentation ($versions)."
echo "Ratio = epoch seconds / mean of the two PyTorch runs ($torch_ref s): above 1 is slower than PyTorch."
echo
echo "| stack | epoch seconds | ratio to PyTorch | test acc after the epoch |"
echo "|---|---|---|---|"
row "ours (run 1)" "$ours1" "$ours1_acc"
row "ours (run 2)" "$ours2" "$ours2_acc"
row "PyTorch (run 1)" "$torch1" "$torch1_acc"
row "PyTorch (run 2)" "$torch2" "$torch2_acc"
row "candle" "$candle" "${candle_acc:-}"
row "burn (NdArray)" "$burn" "${burn_acc:-}"
if [[ -z "${SKIP_99:-}" ]]; then
    echo
    echo "Time to 99.0% test accuracy (training time only, test evaluation excluded, at most 8 epochs):" \
        "ours $ours99 [lr 2e-3, cosine over 8 epochs]; PyTorch $torch99 [lr 1e-3 constant]."
fi
echo
echo "Load: before: $load_before; after: $load_after. Logs: $LOGS"
