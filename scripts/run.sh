#!/usr/bin/env bash
# Build the app and serve www/ at http://127.0.0.1:${PORT:-8080}/ (Ctrl-C stops).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/build.sh"
exec node "$ROOT/scripts/serve.mjs"
