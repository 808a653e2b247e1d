#!/usr/bin/env bash
# Runs the fuzz targets for a given time: fuzz/run.sh SECONDS [TARGET...]
# (default: both targets, SECONDS each, one after the other, at nice 10).
#
# cargo fuzz needs a nightly compiler (-Zsanitizer, -Cpasses=sancov). When
# rustup has a nightly toolchain it is used; otherwise the stable compiler
# is told to accept nightly flags with RUSTC_BOOTSTRAP=1 (the sanitizer and
# coverage instrumentation ship with every channel's standard library on
# x86_64 Linux). Install the runner once with `cargo install cargo-fuzz`.
#
# Corpora live in fuzz/corpus/TARGET (seeded from tests/fixtures and, when
# present, ../shared/corpus), crashes in fuzz/artifacts/TARGET. Keep each
# crash as a regression test: copy the input to
# tests/fuzz-regressions/ (see the README there).
set -euo pipefail

secs=${1:?usage: fuzz/run.sh SECONDS [TARGET...]}
shift
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(lint_file lint_dir)

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cd "$here"

command -v cargo-fuzz >/dev/null || {
    echo "fuzz/run.sh: cargo-fuzz is not installed: cargo install cargo-fuzz" >&2
    exit 2
}
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    toolchain=(+nightly)
else
    toolchain=()
    export RUSTC_BOOTSTRAP=1
fi

# Seeds: the fixture migrations, and the shared corpus cut to 8 KiB pieces
# (libFuzzer's inputs stay small and fast).
seed() {
    local dir=corpus/lint_file
    [ -d "$dir" ] && return
    mkdir -p "$dir"
    local n=0 f
    while IFS= read -r -d '' f; do
        n=$((n + 1))
        head -c 8192 "$f" >"$dir/seed-$n"
    done < <(find "$root/tests/fixtures" "$root/../shared/corpus" -name '*.sql' -print0 2>/dev/null)
}
seed
mkdir -p corpus/lint_dir

for t in "${targets[@]}"; do
    extra=()
    [ "$t" = lint_file ] && extra=(-dict="$here/sql.dict")
    echo "== $t for ${secs}s"
    nice -n 10 cargo "${toolchain[@]}" fuzz run "$t" "corpus/$t" -- \
        -max_total_time="$secs" -max_len=16384 -timeout=20 -rss_limit_mb=4096 \
        -print_final_stats=1 "${extra[@]}"
done
