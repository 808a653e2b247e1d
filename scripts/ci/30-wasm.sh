#!/usr/bin/env bash
# CI for the WebAssembly build (crates/migralint-wasm):
#   1. toolchain: apt (clang-19, llvm-19, wasi-libc, libclang), the
#      wasm32-unknown-unknown target, wasm-bindgen-cli at the Cargo.lock
#      version (skipped when already installed), binaryen from npm (pinned);
#   2. build: scripts/build-wasm.sh (pkg/node and pkg/web) and the native CLI;
#   3. tests: the crate's native unit tests, then the Node tests (smoke:
#      thousands of alternating good/bad parses, no WASI imports, API errors;
#      api: resolveConfig, walkEntries, applyFixes, duplicate paths, deeply
#      nested SQL; parity: wasm output == native CLI output on tests/fixtures,
#      the rule docs' examples, the shared corpora, applyFixes == check --fix
#      and the deep shapes).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
cd "$REPO_ROOT"
section() { printf '\n=== 30-wasm: %s ===\n' "$*"; }
start=$(date +%s)

section "toolchain"
apt_packages=(libclang-dev clang-19 llvm-19 libclang-rt-19-dev-wasm32 wasi-libc)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "apt packages present: ${apt_packages[*]}"
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen-cli must match the wasm-bindgen crate exactly, as locked in
# Cargo.lock (committed; generated here if missing).
[ -f Cargo.lock ] || cargo generate-lockfile
wb_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
[ -n "$wb_version" ] || { echo "wasm-bindgen is not in Cargo.lock" >&2; exit 1; }
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" = "$wb_version" ]; then
  echo "wasm-bindgen-cli $wb_version present"
else
  echo "cargo install wasm-bindgen-cli $wb_version (slow, once per machine)"
  # --locked first (the versions wasm-bindgen-cli was released with). When a
  # locked dependency is unavailable from the registry, resolve afresh.
  cargo install --locked --quiet wasm-bindgen-cli --version "$wb_version" \
    || cargo install --quiet wasm-bindgen-cli --version "$wb_version"
fi

(cd scripts/wasm && npm ci --no-audit --no-fund --loglevel=error)

section "build (scripts/build-wasm.sh)"
scripts/build-wasm.sh

section "build the native CLI for the parity test"
# The same code as the shipped build, linked the faster way: the parity
# tests compare output, which link-time optimisation does not change, and
# fat LTO with one codegen unit (Cargo.toml) links far more slowly.
CARGO_PROFILE_RELEASE_LTO=thin CARGO_PROFILE_RELEASE_CODEGEN_UNITS=4 \
  cargo build --release -p migralint-cli

section "cargo clippy + test -p migralint-wasm (native; the conversion layer's unit tests)"
if [ "${MIGRALINT_WORKSPACE_TESTED:-}" = 1 ]; then
  echo "already ran in scripts/test-all.sh (cargo clippy/test --workspace)"
else
  cargo clippy -p migralint-wasm --all-targets --no-deps -- -D warnings
  cargo test -p migralint-wasm
fi

section "node --test crates/migralint-wasm/tests/ (smoke + parity)"
MIGRALINT_BIN="${CARGO_TARGET_DIR:-$REPO_ROOT/target}/release/migralint" node --test crates/migralint-wasm/tests/

section "done in $(($(date +%s) - start)) s"
