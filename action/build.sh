#!/usr/bin/env bash
# Builds the action's committed files in action/dist/:
#   1. scripts/build-wasm.sh --node-only -> crates/migralint-wasm/pkg/node/
#      (skipped with --skip-wasm: the existing pkg/node is used);
#   2. npm ci in action/ (esbuild, pinned in package-lock.json) if needed;
#   3. node scripts/bundle.mjs: copies migralint_wasm_bg.wasm to dist/ and
#      bundles src/ and the wasm-bindgen glue into dist/index.js.
# Commit action/dist afterwards: CI (scripts/ci/40-action.sh) fails when
# dist/ differs from what its sources build.
#
# Usage: action/build.sh [--skip-wasm]
set -euo pipefail

ACTION_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$ACTION_DIR/.." && pwd -P)"
skip_wasm=0
for arg in "$@"; do
  case "$arg" in
    --skip-wasm) skip_wasm=1 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "action/build.sh: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done

if [ "$skip_wasm" = 0 ]; then
  "$REPO_ROOT/scripts/build-wasm.sh" --node-only
fi
cd "$ACTION_DIR"
if [ ! -x node_modules/.bin/esbuild ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
node scripts/bundle.mjs
ls -l dist/
