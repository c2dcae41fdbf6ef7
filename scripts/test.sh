#!/usr/bin/env bash
# The project's single test command (README and CI call it):
#   setup -> cargo fmt --check -> clippy -> cargo deny (licences, bans, sources)
#   -> vendored tract = published crates + vendor/patches -> cargo test (the module graph
#   too: crate/tests/module_graph.rs) -> wasm build -> browser end-to-end tests.
# Stops at the first failing step, names it, and exits non-zero.
# Usage: scripts/test.sh   (from any directory)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

STEP=""
on_exit() {
  local rc=$?
  if [[ $rc -ne 0 && -n "$STEP" ]]; then
    printf '\n=== FAILED: %s (exit %d) ===\n' "$STEP" "$rc" >&2
  fi
}
trap on_exit EXIT

step() {
  STEP="$1"
  printf '\n=== %s ===\n' "$STEP"
}

step "setup"
scripts/setup.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --all-targets -- -D warnings

step "cargo deny check licenses bans sources"
cargo deny check licenses bans sources

step "vendored crates = published + vendor/patches"
scripts/check-vendor.sh

step "cargo test (native)"
cargo test --workspace

step "wasm build"
SKIP_SETUP=1 scripts/build.sh

step "browser end-to-end tests"
node --test tests/e2e/

STEP=""
printf '\n=== all steps passed ===\n'
