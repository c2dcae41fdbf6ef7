#!/usr/bin/env bash
# Runs the cargo-fuzz targets of crate/fuzz/ one after the other, RUNS executions each
# (default 1,000,000), then prints a summary: executions, exec/s, wall time, findings.
#
#   scripts/fuzz.sh [RUNS]
#   FUZZ_TARGETS="preprocess segment" scripts/fuzz.sh 100000    # some targets only
#   FUZZ_MAX_TIME=600 scripts/fuzz.sh                           # also stop each after 600 s
#
# One fuzz process at a time (the machines have 2 cores). Needs a nightly toolchain; installs
# cargo-fuzz if missing. New corpus entries go to crate/fuzz/corpus/<target>/ (not committed);
# the fuzzers are also seeded with crate/tests/fuzz-regressions/<target>/. A crasher lands in
# crate/fuzz/artifacts/<target>/: fix it, then copy it into crate/tests/fuzz-regressions/<target>/
# so `cargo test --test fuzz_regressions` keeps checking it. Not part of scripts/test.sh.
set -uo pipefail

RUNS=${1:-1000000}
TARGETS=${FUZZ_TARGETS:-model_load model_mutate preprocess segment strokes}
MAX_TIME=${FUZZ_MAX_TIME:-0}
cd "$(dirname "$0")/../crate/fuzz"

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked || exit 1

summary=()
found_any=0
for t in $TARGETS; do
    # No sanitizer and no compare tracing: 3-10x the throughput (instrumented pixel loops and
    # tract's shape inference spend most of their time in the tracing). Our crate has no unsafe
    # code; loaded models reach tract's unsafe kernels, so FUZZ_ASAN=1 runs the two model targets
    # with AddressSanitizer and compare tracing (cargo-fuzz's defaults) instead.
    build=(-O -s none --no-trace-compares --target-dir target/fast)
    case $t in
        # model_load starts from the small valid models and the committed model's first 8 KB
        # (libFuzzer cuts seeds to -max_len); model_mutate edits whole models itself.
        model_load) opts=(-max_len=8192 -dict=onnx.dict) ;;
        model_mutate) opts=(-max_len=96 -dict=onnx.dict) ;;
        preprocess) opts=(-max_len=4096) ;;
        segment) opts=(-max_len=256) ;;
        strokes) opts=(-max_len=512) ;;
        *) echo "unknown target $t" >&2; exit 2 ;;
    esac
    case $t in model_*) [ -n "${FUZZ_ASAN:-}" ] && build=(-O) ;; esac
    mkdir -p "corpus/$t"
    if [ "$t" = model_load ]; then
        cp ../../model/lenet5.onnx corpus/model_load/committed-lenet5.onnx
    fi
    before=$(ls "artifacts/$t" 2>/dev/null | wc -l)
    log=$(mktemp)
    start=$(date +%s)
    cargo +nightly fuzz run "${build[@]}" "$t" "corpus/$t" "../tests/fuzz-regressions/$t" -- \
        -runs="$RUNS" -max_total_time="$MAX_TIME" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 "${opts[@]}" 2>&1 | tee "$log" | grep --line-buffered -E -A1 '^(#[0-9]+[[:space:]]+(pulse|DONE)|stat::|==[0-9]+==|thread .* panicked)' | grep --line-buffered -v '^--$'
    wall=$(( $(date +%s) - start ))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    after=$(ls "artifacts/$t" 2>/dev/null | wc -l)
    findings=$(( after - before ))
    [ "$findings" -gt 0 ] && found_any=1
    summary+=("$(printf '%-13s %10s execs %7s exec/s %6ss wall %3s new findings' "$t" "${execs:-?}" "${rate:-?}" "$wall" "$findings")")
    rm -f "$log"
done

echo
echo "fuzz summary ($RUNS runs per target):"
printf '  %s\n' "${summary[@]}"
[ "$found_any" = 0 ] || echo "findings are in crate/fuzz/artifacts/<target>/"
exit "$found_any"
