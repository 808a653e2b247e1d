#!/usr/bin/env bash
# CI for the GitHub Action (action/):
#   1. needs crates/migralint-wasm/pkg/node, built by scripts/ci/30-wasm.sh
#      (scripts/build-wasm.sh), and fails clearly without it;
#   2. npm ci in action/ (esbuild, ajv and the SARIF 2.1.0 schema, pinned in
#      action/package-lock.json; all dev-only: the bundle has no dependency);
#   3. rebuilds action/dist from its sources (copies the fresh
#      migralint_wasm_bg.wasm, bundles action/src and the wasm-bindgen glue
#      with esbuild) and fails if that differs from the committed action/dist;
#   4. node --test action/tests/*.test.js: the bundle's entry point in a simulated
#      GitHub Actions step on git fixture repositories, unit tests, and
#      parity with the native CLI (target/release/migralint, built by 30-wasm).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
cd "$REPO_ROOT"
section() { printf '\n=== 40-action: %s ===\n' "$*"; }
start=$(date +%s)

pkg=crates/migralint-wasm/pkg/node
for f in migralint_wasm.js migralint_wasm_bg.wasm; do
  if [ ! -f "$pkg/$f" ]; then
    echo "40-action: $pkg/$f is missing: scripts/ci/30-wasm.sh (scripts/build-wasm.sh) must run first" >&2
    exit 1
  fi
done
for tool in node npm git; do
  command -v "$tool" >/dev/null || { echo "40-action: '$tool' not found" >&2; exit 1; }
done
echo "node $(node --version), npm $(npm --version), $(git --version)"

section "npm ci (action/)"
(cd action && npm ci --no-audit --no-fund --loglevel=error)

section "rebuild action/dist and compare it with the committed files"
stale=0
if ! cmp -s "$pkg/migralint_wasm_bg.wasm" action/dist/migralint_wasm_bg.wasm; then
  echo "action/dist/migralint_wasm_bg.wasm differs from the fresh build $pkg/migralint_wasm_bg.wasm ($(wc -c <"$pkg/migralint_wasm_bg.wasm") bytes)"
fi
(cd action && node scripts/bundle.mjs)
if ! git diff --quiet -- action/dist || [ -n "$(git status --porcelain -- action/dist)" ]; then
  git status --short -- action/dist
  git diff --stat -- action/dist
  echo "40-action: FAIL: action/dist does not match its sources (action/src, the wasm-bindgen glue and a fresh" >&2
  echo "40-action: scripts/build-wasm.sh build of the current core). Run action/build.sh and commit action/dist." >&2
  stale=1
else
  echo "action/dist matches its sources ($(wc -c <action/dist/index.js) bytes of JavaScript, $(wc -c <action/dist/migralint_wasm_bg.wasm) bytes of wasm)"
fi

section "node --test action/tests/*.test.js (on the freshly rebuilt bundle)"
if [ -z "${MIGRALINT_BIN:-}" ] && [ -x target/release/migralint ]; then
  export MIGRALINT_BIN="$REPO_ROOT/target/release/migralint"
fi
echo "CLI for the parity test: ${MIGRALINT_BIN:-none (the parity test is skipped)}"
node --test action/tests/*.test.js

section "done in $(($(date +%s) - start)) s"
if [ "$stale" = 1 ]; then
  echo "40-action: failing because action/dist is stale (see above)" >&2
  exit 1
fi
