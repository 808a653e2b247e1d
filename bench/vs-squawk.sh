#!/usr/bin/env bash
# migralint side by side with squawk, on the same files, in one run:
# the two commands alternate (migralint, squawk, migralint, ...) so that
# both see the same machine state; the report gives the median wall time
# and the median peak memory (RSS) of each, and their ratio.
# A script, not a test: nothing here asserts a time. It installs nothing:
# squawk must be on the PATH (cargo install squawk --version 2.60.0 --locked),
# timing uses /usr/bin/time (Debian package `time`) and date(1).
#
# Sets: each application folder of ../shared/corpus/realworld, PostgreSQL's
# regression SQL (../shared/corpus/postgres-regress, less the files that
# are not UTF-8: squawk refuses the whole batch over one), and the generated
# 10,000-file corpus (bench/out/corpus, generated if missing).
#
# Usage: bench/vs-squawk.sh [--runs N] [--set NAME]...   (NAME: a realworld
# folder, `regress` or `corpus10k`; default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=11
sets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --set) sets+=("$2"); shift 2 ;;
    *) echo "usage: $0 [--runs N] [--set NAME]..." >&2; exit 2 ;;
  esac
done
command -v squawk > /dev/null || { echo "squawk is not on the PATH: cargo install squawk --version 2.60.0 --locked" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is missing (Debian: apt-get install time)" >&2; exit 2; }
shared=../shared/corpus
cargo build --release -q -p migralint-cli
bin=$PWD/target/release/migralint
echo "migralint: $("$bin" --version); squawk: $(squawk --version); $(nproc) cores; $runs runs each, alternating"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run_once OUT CMD...: appends "wall_seconds peak_kb" of one run to OUT.
run_once() {
  local out=$1; shift
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -f "%M" -o "$tmp/kb" "$@" > /dev/null 2>&1 || true
  t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000 )) $(tail -1 "$tmp/kb")" >> "$out"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# compare NAME FILELIST MIGRALINT_ARGS...: squawk gets the files of FILELIST.
compare() {
  local name=$1 list=$2; shift 2
  local files bytes
  files=$(wc -l < "$list")
  bytes=$(xargs -d '\n' cat < "$list" | wc -c)
  mapfile -t paths < "$list"
  rm -f "$tmp/m" "$tmp/s"
  "$bin" check --format json "$@" > /dev/null 2>&1 || true   # warm the page cache
  squawk "${paths[@]}" > /dev/null 2>&1 || true
  for _ in $(seq "$runs"); do
    run_once "$tmp/m" "$bin" check --format json "$@"
    run_once "$tmp/s" squawk "${paths[@]}"
  done
  local mw sw mk sk
  mw=$(cut -d' ' -f1 "$tmp/m" | median); sw=$(cut -d' ' -f1 "$tmp/s" | median)
  mk=$(cut -d' ' -f2 "$tmp/m" | median); sk=$(cut -d' ' -f2 "$tmp/s" | median)
  awk -v n="$name" -v f="$files" -v b="$bytes" -v mw="$mw" -v sw="$sw" -v mk="$mk" -v sk="$sk" 'BEGIN {
    printf "%-40s %6d files %6.2f MB | wall %7.3f s vs %7.3f s = %5.2fx | peak %6.1f MB vs %6.1f MB = %5.2fx\n",
      n, f, b / 1e6, mw / 1e6, sw / 1e6, mw / sw, mk / 1024, sk / 1024, mk / sk }'
}

want() { [ ${#sets[@]} -eq 0 ] && return 0; local s; for s in "${sets[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }

echo "set                                       files    size | wall migralint vs squawk     | peak memory migralint vs squawk"
if [ -d "$shared/realworld" ]; then
  for d in "$shared"/realworld/*/; do
    name=$(basename "$d")
    want "$name" || continue
    find "$d" -name '*.sql' | sort > "$tmp/list"
    [ -s "$tmp/list" ] || continue
    compare "$name" "$tmp/list" "$d"
  done
else
  echo "(../shared/corpus absent: realworld and regress sets skipped)"
fi
if [ -d "$shared/postgres-regress" ] && want regress; then
  : > "$tmp/list"
  for f in "$shared"/postgres-regress/*.sql; do
    iconv -f UTF-8 -t UTF-8 "$f" > /dev/null 2>&1 && echo "$f" >> "$tmp/list"
  done
  mapfile -t regress < "$tmp/list"
  compare "postgres-regress (UTF-8 files)" "$tmp/list" "${regress[@]}"
fi
if want corpus10k; then
  [ -d bench/out/corpus ] || python3 bench/gen_corpus.py bench/out/corpus > /dev/null
  find bench/out/corpus -name '*.sql' | sort > "$tmp/list"
  compare "generated corpus (bench/gen_corpus.py)" "$tmp/list" bench/out/corpus
fi
