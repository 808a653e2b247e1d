#!/usr/bin/env bash
# Benchmark: lint a ~10,000-file golang-migrate corpus (~1 MB) with the wasm
# build under Node and with the native CLI; report wall time, files/s and the
# ratio. Not a test (no assertion on time); it does check that both print the
# same JSON. Target: wasm within 2x of native.
#
# Usage: bench/wasm/run.sh [--runs N] [--corpus DIR] [--no-build]
#   --corpus DIR  lint DIR instead of the generated corpus
#   --no-build    use the existing target/release/migralint and pkg/node
# The corpus is the one bench/run.sh (native) uses, bench/out/corpus from
# bench/gen_corpus.py (10,000 files, ~1 MB); without that generator,
# bench/wasm/gen_corpus.mjs makes a similar one. bench/out/ is ignored by git.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
cd "$REPO_ROOT"
runs=3
corpus=""
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --corpus) corpus="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    *) echo "usage: $0 [--runs N] [--corpus DIR] [--no-build]" >&2; exit 2 ;;
  esac
done

if [ "$build" = 1 ]; then
  cargo build --release -p migralint-cli
  scripts/build-wasm.sh --node-only
fi
bin="${MIGRALINT_BIN:-$REPO_ROOT/target/release/migralint}"
[ -x "$bin" ] || { echo "missing $bin: cargo build --release -p migralint-cli" >&2; exit 1; }

if [ -z "$corpus" ]; then
  # The lead's corpus (bench/run.sh uses the same dir) when its generator
  # exists, else ours.
  if [ -f bench/gen_corpus.py ]; then
    corpus="bench/out/corpus"
    [ -d "$corpus" ] || python3 bench/gen_corpus.py "$corpus" >&2
  else
    corpus="bench/out/wasm-corpus"
    [ -d "$corpus" ] || node bench/wasm/gen_corpus.mjs "$corpus"
  fi
fi
corpus="$(realpath --relative-to="$REPO_ROOT" "$corpus")"
mkdir -p bench/out
native_json="bench/out/wasm-bench-native.json"

now_ms() { date +%s%3N; }
native_best=""
for _ in $(seq "$runs"); do
  s=$(now_ms)
  "$bin" check --format json "$corpus" >"$native_json" || [ $? -eq 1 ]
  e=$(now_ms)
  t=$((e - s))
  if [ -z "$native_best" ] || [ "$t" -lt "$native_best" ]; then native_best=$t; fi
done

# The wasm build runs on one thread; the CLI parses on all cores (rayon).
native1_best=""
for _ in $(seq "$runs"); do
  s=$(now_ms)
  RAYON_NUM_THREADS=1 "$bin" check --format json "$corpus" >/dev/null || [ $? -eq 1 ]
  e=$(now_ms)
  t=$((e - s))
  if [ -z "$native1_best" ] || [ "$t" -lt "$native1_best" ]; then native1_best=$t; fi
done

wasm_best=""
wasm_stats=""
for _ in $(seq "$runs"); do
  s=$(now_ms)
  stats="$(node bench/wasm/lint-dir.mjs "$corpus" --runs 1 --expect "$native_json")"
  e=$(now_ms)
  t=$((e - s))
  if [ -z "$wasm_best" ] || [ "$t" -lt "$wasm_best" ]; then wasm_best=$t; wasm_stats="$stats"; fi
done
warm="$(node bench/wasm/lint-dir.mjs "$corpus" --runs "$((runs + 2))")"

RUNS="$runs" NATIVE1="$native1_best" NPROC="$(nproc)" node - "$corpus" "$native_best" "$wasm_best" "$wasm_stats" "$warm" "$((runs + 2))" <<'JS'
const [corpus, nativeMs, wasmMs, statsJson, warmJson, warmRuns] = process.argv.slice(2);
const native1Ms = Number(process.env.NATIVE1);
const s = JSON.parse(statsJson);
const w = JSON.parse(warmJson);
const fps = (ms) => Math.round((s.files / ms) * 1000).toLocaleString('en-US');
const ratio = (Number(wasmMs) / Number(nativeMs)).toFixed(2);
console.log(`corpus: ${corpus}: ${s.files} files, ${(s.bytes / 1e6).toFixed(2)} MB, ${s.diagnostics} diagnostics`);
console.log(`native CLI  (migralint check --format json, best of ${process.env.RUNS}):  wall ${nativeMs} ms  (${fps(nativeMs)} files/s)`);
console.log(`native CLI, 1 thread (RAYON_NUM_THREADS=1):  wall ${native1Ms} ms  (${fps(native1Ms)} files/s)`);
console.log(`wasm / Node (process: load + read + lint):     wall ${wasmMs} ms  (${fps(wasmMs)} files/s)  = ${ratio}x native (${process.env.NPROC} threads), ${(Number(wasmMs) / native1Ms).toFixed(2)}x native on 1 thread`);
console.log(`  of which: load module ${s.load_ms} ms, read files ${s.read_ms} ms, lint() ${s.lint_ms_min} ms`);
console.log(`wasm lint() alone, warm, best of ${warmRuns}: ${w.lint_ms_min} ms (${fps(w.lint_ms_min)} files/s), median ${w.lint_ms_median} ms = ${(w.lint_ms_min / Number(nativeMs)).toFixed(2)}x native`);
console.log(`same JSON as native: ${s.parity ? 'yes' : 'NO'}`);
console.log(`target (wasm within 2x of native wall time): ${Number(ratio) <= 2 ? 'met' : 'NOT met'}`);
if (!s.parity) process.exitCode = 1;
JS
