#!/usr/bin/env bash
# Builds migralint for WebAssembly (crates/migralint-wasm):
#   crates/migralint-wasm/pkg/node/  wasm-bindgen --target nodejs (GitHub Action)
#   crates/migralint-wasm/pkg/web/   wasm-bindgen --target web    (playground)
#
# Usage: scripts/build-wasm.sh [--node-only|--web-only] [--no-opt]
#
# Needs (scripts/ci/30-wasm.sh installs them on a fresh machine):
#   apt: libclang-dev clang-19 llvm-19 libclang-rt-19-dev-wasm32 wasi-libc
#   rustup target add wasm32-unknown-unknown
#   wasm-bindgen-cli at the exact version of the wasm-bindgen crate in Cargo.lock
#   node + npm (wasm-opt comes from the binaryen npm package pinned in
#   scripts/wasm/package-lock.json, installed on first use)
#
# Environment: CARGO_TARGET_DIR is honoured; MIGRALINT_CLANG, MIGRALINT_LLVM_AR,
# MIGRALINT_WASI_INCLUDE, MIGRALINT_WASI_LIBDIR override the toolchain paths
# (see scripts/wasm/env.sh).
set -euo pipefail

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }

want_node=1
want_web=1
optimize=1
for arg in "$@"; do
  case "$arg" in
    --node-only) want_web=0 ;;
    --web-only) want_node=0 ;;
    --no-opt) optimize=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "build-wasm: unknown argument '$arg'" >&2; usage >&2; exit 2 ;;
  esac
done
if [ "$want_node$want_web" = "00" ]; then
  echo "build-wasm: --node-only and --web-only exclude each other" >&2
  exit 2
fi

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
export REPO_ROOT
CRATE_DIR="$REPO_ROOT/crates/migralint-wasm"
PKG_DIR="$CRATE_DIR/pkg"
TOOLS_DIR="$REPO_ROOT/scripts/wasm"
cd "$REPO_ROOT"

step() { printf '\n==> %s\n' "$*" >&2; }
die() { echo "build-wasm: $*" >&2; exit 1; }

for tool in cargo node "${MIGRALINT_CLANG:-clang-19}" "${MIGRALINT_LLVM_AR:-llvm-ar-19}"; do
  command -v "$tool" >/dev/null || die "'$tool' not found (see the requirements at the top of $0)"
done
rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
  || die "the wasm32-unknown-unknown target is missing: rustup target add wasm32-unknown-unknown"

# shellcheck source=scripts/wasm/env.sh
. "$TOOLS_DIR/env.sh"

# One build at a time per target dir: several people (the Action, the
# playground) call this script in the same tree, and a concurrent run would
# overwrite pkg/ or the .wasm between our cargo and wasm-bindgen steps.
mkdir -p "$MLW_TARGET_DIR"
exec 9>"$MLW_TARGET_DIR/.build-wasm.lock"
if ! flock -n 9; then
  echo "build-wasm: waiting for another scripts/build-wasm.sh run to finish..." >&2
  flock 9
fi

step "cargo build -p migralint-wasm (wasm32-unknown-unknown, profile release-wasm)"
cargo build -p migralint-wasm --target wasm32-unknown-unknown --profile release-wasm ${MIGRALINT_CARGO_FLAGS:-}
RAW_WASM="$MLW_TARGET_DIR/wasm32-unknown-unknown/release-wasm/migralint_wasm.wasm"
[ -f "$RAW_WASM" ] || die "cargo did not produce $RAW_WASM"

# The module must import nothing but wasm-bindgen's glue: no WASI, no env.
node "$TOOLS_DIR/check-imports.mjs" "$RAW_WASM"

# wasm-bindgen-cli must be exactly the version of the wasm-bindgen crate.
lock_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$REPO_ROOT/Cargo.lock")"
[ -n "$lock_version" ] || die "wasm-bindgen not found in Cargo.lock"
command -v wasm-bindgen >/dev/null \
  || die "wasm-bindgen not found: cargo install --locked wasm-bindgen-cli --version $lock_version"
cli_version="$(wasm-bindgen --version | awk '{print $2}')"
[ "$cli_version" = "$lock_version" ] \
  || die "wasm-bindgen-cli is $cli_version but Cargo.lock has wasm-bindgen $lock_version: cargo install --locked wasm-bindgen-cli --version $lock_version"

if [ "$optimize" = 1 ]; then
  if [ ! -x "$TOOLS_DIR/node_modules/.bin/wasm-opt" ]; then
    step "npm ci (binaryen for wasm-opt) in scripts/wasm"
    (cd "$TOOLS_DIR" && npm ci --no-audit --no-fund --loglevel=error)
  fi
  WASM_OPT="$TOOLS_DIR/node_modules/.bin/wasm-opt"
fi

crate_version="$(awk -F'"' '/^version = / { print $2; exit }' "$REPO_ROOT/Cargo.toml")"

bindgen_target() { # $1 = nodejs|web, $2 = output dir name
  local target="$1" out="$PKG_DIR/$2"
  step "wasm-bindgen --target $target -> ${out#"$REPO_ROOT"/}"
  rm -rf "$out"
  wasm-bindgen --target "$target" --out-dir "$out" --out-name migralint_wasm "$RAW_WASM"
  node "$TOOLS_DIR/write-package-json.mjs" "$out" "$target" "$crate_version"
}

optimize_wasm() { # $1 = .wasm to optimize in place
  step "wasm-opt -O3 ${1#"$REPO_ROOT"/}"
  # libpg_query's error handling uses Wasm exception handling (legacy
  # try/catch encoding): the feature must stay enabled. The other features
  # are the ones rustc and clang 19 emit by default.
  # --one-caller-inline-max-function-size 0: binaryen otherwise inlines every
  # function that has a single caller, however large, into that caller; the
  # resulting giant functions tier up late in V8, and the first lint() of
  # 10,000 files took 1.6 s instead of 1.15 s. The size is within 1%.
  "$WASM_OPT" -O3 --one-caller-inline-max-function-size 0 \
    --enable-exception-handling --enable-bulk-memory --enable-sign-ext \
    --enable-mutable-globals --enable-nontrapping-float-to-int \
    --enable-reference-types --enable-multivalue \
    -o "$1.opt" "$1"
  mv "$1.opt" "$1"
}

dirs=()
[ "$want_node" = 1 ] && { bindgen_target nodejs node; dirs+=(node); }
[ "$want_web" = 1 ] && { bindgen_target web web; dirs+=(web); }

if [ "$optimize" = 1 ]; then
  first="$PKG_DIR/${dirs[0]}/migralint_wasm_bg.wasm"
  first_sum="$(sha256sum <"$first")"
  optimize_wasm "$first"
  for dir in "${dirs[@]:1}"; do
    wasm="$PKG_DIR/$dir/migralint_wasm_bg.wasm"
    # wasm-bindgen emits the same module for both targets (only the JS glue
    # differs): optimize once.
    if [ "$(sha256sum <"$wasm")" = "$first_sum" ]; then
      cp "$first" "$wasm"
    else
      optimize_wasm "$wasm"
    fi
  done
fi

step "sizes"
for dir in "${dirs[@]}"; do
  wasm="$PKG_DIR/$dir/migralint_wasm_bg.wasm"
  raw=$(wc -c <"$wasm")
  gz=$(gzip -9 -n -c "$wasm" | wc -c)
  awk -v d="$dir" -v r="$raw" -v g="$gz" 'BEGIN {
    printf "pkg/%s/migralint_wasm_bg.wasm: %d bytes raw (%.2f MiB), %d bytes gzip -9 (%.2f MiB)\n", d, r, r / 1048576, g, g / 1048576 }'
done
