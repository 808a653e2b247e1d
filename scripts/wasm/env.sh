# shellcheck shell=bash
# Environment for building migralint-wasm (and libpg_query's C code) for
# wasm32-unknown-unknown with clang-19 + Debian's wasi-libc.
#
# Sourced by scripts/build-wasm.sh. Every variable is specific to the wasm32
# target (cc and bindgen read *_wasm32_unknown_unknown variables, cargo reads
# CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS), so native builds in the same
# shell or target dir are untouched.
#
# Inputs: REPO_ROOT (absolute path of the checkout). Optional overrides:
#   MIGRALINT_CLANG (clang-19), MIGRALINT_LLVM_AR (llvm-ar-19),
#   MIGRALINT_CLANG_RESOURCE_INCLUDE (/usr/lib/llvm-19/lib/clang/19/include),
#   MIGRALINT_WASI_INCLUDE (/usr/include/wasm32-wasi),
#   MIGRALINT_WASI_LIBDIR (/usr/lib/wasm32-wasi).

: "${REPO_ROOT:?REPO_ROOT must be set}"

case "$REPO_ROOT" in
  *[[:space:]]*)
    echo "build-wasm: the checkout path must not contain whitespace: '$REPO_ROOT'" >&2
    return 1 2>/dev/null || exit 1 ;;
esac

MLW_CSRC="$REPO_ROOT/crates/migralint-wasm/csrc"
MLW_CLANG="${MIGRALINT_CLANG:-clang-19}"
MLW_AR="${MIGRALINT_LLVM_AR:-llvm-ar-19}"
MLW_RESOURCE_INC="${MIGRALINT_CLANG_RESOURCE_INCLUDE:-/usr/lib/llvm-19/lib/clang/19/include}"
MLW_WASI_INC="${MIGRALINT_WASI_INCLUDE:-/usr/include/wasm32-wasi}"
export MIGRALINT_WASI_LIBDIR="${MIGRALINT_WASI_LIBDIR:-/usr/lib/wasm32-wasi}"

MLW_CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
MLW_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO_ROOT/target}"
case "$MLW_TARGET_DIR" in /*) ;; *) MLW_TARGET_DIR="$REPO_ROOT/$MLW_TARGET_DIR" ;; esac
MLW_RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"

# Paths that would otherwise end up in the .wasm (panic locations, __FILE__ in
# PostgreSQL's ereport): map them to fixed names so a rebuild in another
# folder (or with another CARGO_TARGET_DIR) gives the same bytes. clang
# applies the longest matching prefix, rustc the last matching flag: the
# target dir (possibly inside the checkout) comes last.
MLW_REMAP_C="-ffile-prefix-map=$MLW_CARGO_HOME=/cargo -ffile-prefix-map=$MLW_RUSTUP_HOME=/rustup -ffile-prefix-map=$REPO_ROOT=/migralint -ffile-prefix-map=$MLW_TARGET_DIR=/migralint/target"
# With the rust-src component installed (rust-analyzer users have it), rustc
# writes std's panic locations as paths into that local copy instead of
# /rustc/<commit>/library: map the copy back, so the bytes do not depend on
# whether rust-src is installed.
MLW_RUSTC="${RUSTC:-rustc}"
MLW_RUST_SRC="$("$MLW_RUSTC" --print sysroot)/lib/rustlib/src/rust"
MLW_RUSTC_COMMIT="$("$MLW_RUSTC" -vV | sed -n 's/^commit-hash: //p')"
MLW_REMAP_RS="--remap-path-prefix=$MLW_CARGO_HOME=/cargo --remap-path-prefix=$MLW_RUSTUP_HOME=/rustup"
if [ -n "$MLW_RUSTC_COMMIT" ]; then
  MLW_REMAP_RS="$MLW_REMAP_RS --remap-path-prefix=$MLW_RUST_SRC=/rustc/$MLW_RUSTC_COMMIT"
fi
MLW_REMAP_RS="$MLW_REMAP_RS --remap-path-prefix=$REPO_ROOT=/migralint --remap-path-prefix=$MLW_TARGET_DIR=/migralint/target"

# The force-included prelude and the header stubs change what libpg_query's
# C code compiles to, but cargo only sees the flags: a digest of them in the
# flags makes a change rebuild libpg_query (cc reruns when CFLAGS change).
MLW_CSRC_SUM="$(cat "$MLW_CSRC/prelude.h" "$MLW_CSRC"/include/*.h | sha256sum | cut -c1-16)"

export CC_wasm32_unknown_unknown="$MLW_CLANG"
export AR_wasm32_unknown_unknown="$MLW_AR"
# -nostdinc keeps the host's /usr/include out; wasi headers insist on a wasi
# target; -mexception-handling + -wasm-enable-sjlj turn PostgreSQL's
# sigsetjmp/siglongjmp (PG_TRY, ereport) into Wasm exceptions handled by
# csrc/sjlj_rt.c.
export CFLAGS_wasm32_unknown_unknown="--target=wasm32-wasi -nostdinc \
-isystem $MLW_CSRC/include -isystem $MLW_RESOURCE_INC -isystem $MLW_WASI_INC \
-include $MLW_CSRC/prelude.h \
-D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS -D_WASI_EMULATED_GETPID -D_WASI_EMULATED_MMAN \
-mexception-handling -mllvm -wasm-enable-sjlj \
-DMLW_CSRC_SUM=$MLW_CSRC_SUM \
$MLW_REMAP_C"
# Without -fvisibility=default bindgen emits no functions for the wasm target.
export BINDGEN_EXTRA_CLANG_ARGS_wasm32_unknown_unknown="-isystem $MLW_CSRC/include -isystem $MLW_WASI_INC -D__wasi__ -fvisibility=default"
# The module's stack (Rust's and libpg_query's C code share it; Rust's
# default for wasm32 is 1 MiB). Parse trees as deep as libpg_query accepts
# are decoded, walked and dropped recursively: the deepest of
# crates/migralint-cli/tests/bad_input.rs overflowed 1 MiB and trapped. The
# stack is part of the initial linear memory (MLW_STACK_SIZE bytes, touched
# only as deep as a file's nesting goes); libpg_query sizes its own depth
# limit to it (csrc/include/pthread.h), as the native build does.
MLW_STACK_SIZE="${MIGRALINT_WASM_STACK_SIZE:-67108864}"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$MLW_REMAP_RS -C link-arg=-zstack-size=$MLW_STACK_SIZE ${MIGRALINT_WASM_EXTRA_RUSTFLAGS:-}"
