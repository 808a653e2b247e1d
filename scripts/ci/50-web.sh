#!/usr/bin/env bash
# CI for the browser playground (web/):
#   1. Debian's chromium (apt) when missing: the end-to-end tests drive it with
#      playwright-core; no browser is downloaded;
#   2. npm ci + npm run build in web/: the static site in web/dist/, bundling
#      the wasm build crates/migralint-wasm/pkg/web (made by 30-wasm.sh; built
#      here only when missing);
#   3. node --test web/tests/: unit tests, then end-to-end tests in headless
#      Chromium against web/dist/ served on a free loopback port (and the
#      page's output compared with the native CLI's, target/release/migralint
#      from 30-wasm.sh). Screenshots and the measured times (first load, lint
#      time per edit; reported, not asserted) land in web/test-artifacts/.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
cd "$REPO_ROOT/web"
section() { printf '\n=== 50-web: %s ===\n' "$*"; }
start=$(date +%s)

section "chromium"
if [ ! -x /usr/bin/chromium ]; then
  echo "apt-get install chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core
fi
/usr/bin/chromium --version
echo "node $(node --version), npm $(npm --version)"

section "npm ci"
npm ci --no-audit --no-fund --loglevel=error

section "npm run build (web/dist)"
# 30-wasm.sh has just built pkg/web from this checkout: use it as it is.
if [ -f "$REPO_ROOT/crates/migralint-wasm/pkg/web/migralint_wasm_bg.wasm" ]; then
  export MIGRALINT_WASM_NO_BUILD=1
fi
npm run build

section "node --test web/tests/ (unit + end-to-end in Chromium)"
# The native CLI built by 30-wasm.sh from this checkout: the page's output
# must be byte for byte what it prints.
cli="${CARGO_TARGET_DIR:-$REPO_ROOT/target}/release/migralint"
if [ -x "$cli" ]; then
  export MIGRALINT_BIN="$cli"
else
  echo "no $cli: the page-versus-CLI test will be skipped"
fi
rm -rf test-artifacts
status=0
node --test --test-concurrency=1 tests/ || status=$?

if [ -f test-artifacts/metrics.json ]; then
  section "measured (reported, not asserted): web/test-artifacts/metrics.json"
  cat test-artifacts/metrics.json
fi
section "done in $(($(date +%s) - start)) s"
exit "$status"
