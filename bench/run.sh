#!/usr/bin/env bash
# Benchmark of `migralint check` (native) on a generated corpus of 10,000
# golang-migrate files (~0.9 MB): wall time, files/s, MB/s, peak memory.
# A script, not a test: nothing here asserts a time.
#
# Usage: bench/run.sh [--runs N] [--corpus DIR] [--threads N]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=5
corpus=bench/out/corpus
threads=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --corpus) corpus="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--corpus DIR] [--threads N]" >&2; exit 2 ;;
  esac
done
[ -d "$corpus" ] || python3 bench/gen_corpus.py "$corpus"
cargo build --release -q -p migralint-cli
bin=target/release/migralint
files=$(find "$corpus" -name '*.sql' | wc -l)
bytes=$(find "$corpus" -name '*.sql' -exec cat {} + | wc -c)
[ -n "$threads" ] && export RAYON_NUM_THREADS="$threads"
echo "corpus: $corpus, $files files, $bytes bytes; $(nproc) cores; ${runs} runs"
"$bin" check --format json "$corpus" > /dev/null || true   # warm the page cache
best=""
for i in $(seq "$runs"); do
  out=$( { /usr/bin/time -f "%e %M %U %S" "$bin" check --format json "$corpus" > /dev/null || true; } 2>&1 | tail -1 )
  read -r wall kb user sys <<<"$out"
  printf 'run %d: %.3f s wall, %.3f s user, %.3f s sys, %d KB peak\n' "$i" "$wall" "$user" "$sys" "$kb"
  if [ -z "$best" ] || awk "BEGIN{exit !($wall < $best)}"; then best=$wall; best_kb=$kb; fi
done
awk -v w="$best" -v f="$files" -v b="$bytes" -v kb="$best_kb" 'BEGIN {
  printf "best: %.3f s wall, %.0f files/s, %.2f MB/s, peak memory %.1f MB\n", w, f / w, b / w / 1e6, kb / 1024 }'
