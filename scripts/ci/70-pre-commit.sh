#!/usr/bin/env bash
# CI for the pre-commit hooks (.pre-commit-hooks.yaml):
#   1. pre-commit (pinned) from PyPI into a throwaway virtualenv;
#   2. a throwaway git repository with a migrations directory: 000001
#      committed (with a warning of its own), 000002 staged (an error);
#   3. `pre-commit try-repo <this checkout> migralint` (the binary on PATH:
#      target/release from 30-wasm.sh, else target/debug from cargo test)
#      and `migralint-build` (cargo builds it from pre-commit's clone of the
#      checkout: with CARGO_TARGET_DIR=target and MIGRALINT_HOOK_PROFILE=dev
#      it reuses the dependencies `cargo test` built and rebuilds only the
#      workspace crates, about a minute, where release took six):
#      both fail, report the staged files only, and read the committed
#      sibling as context (no missing-down for 000002 whose down is
#      committed); a clean staged change passes.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
section() { printf '\n=== 70-pre-commit: %s ===\n' "$*"; }
start=$(date +%s)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

bin=""
for b in "$REPO_ROOT/target/release/migralint" "$REPO_ROOT/target/debug/migralint"; do
  if [ -x "$b" ]; then bin="$b"; break; fi
done
[ -n "$bin" ] || { echo "70-pre-commit: no migralint binary in target/ (cargo test or 30-wasm.sh builds one)" >&2; exit 1; }
echo "binary for the \`migralint\` hook: $bin"

section "pre-commit from PyPI"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check pre-commit==4.7.0
"$work/venv/bin/pre-commit" --version

section "a repository with a staged migration"
repo="$work/repo"
mkdir -p "$repo/db/migrations"
cd "$repo"
git init -q
g() { git -c user.email=ci@example.invalid -c user.name=ci "$@"; }
m=db/migrations
printf 'CREATE TABLE IF NOT EXISTS users (id bigint PRIMARY KEY, email text, seen timestamp);\n' > $m/000001_users.up.sql
printf 'DROP TABLE IF EXISTS users;\n' > $m/000001_users.down.sql
printf 'DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;\n' > $m/000002_idx.down.sql
g add . && g commit -qm init
printf 'CREATE INDEX IF NOT EXISTS users_email_idx ON users (email);\n' > $m/000002_idx.up.sql
g add $m/000002_idx.up.sql

export PRE_COMMIT_HOME="$work/cache"
check() {  # hook id, expected exit code
  local out code=0
  out=$(PATH="$(dirname "$bin"):$PATH" CARGO_TARGET_DIR="$REPO_ROOT/target" MIGRALINT_HOOK_PROFILE=dev \
        "$work/venv/bin/pre-commit" try-repo "$REPO_ROOT" "$1" 2>&1) || code=$?
  printf '%s\n' "$out" | sed -n '/^migralint\.\.\./,$p'
  [ "$code" = "$2" ] || { echo "70-pre-commit: FAIL: hook $1 exited $code, expected $2" >&2; exit 1; }
  if [ "$2" = 1 ]; then
    grep -q "$m/000002_idx.up.sql:1:1: error \[require-concurrent-index-creation\]" <<<"$out" \
      || { echo "70-pre-commit: FAIL: $1 did not report the staged file" >&2; exit 1; }
    ! grep -q "000001_users\|missing-down" <<<"$out" \
      || { echo "70-pre-commit: FAIL: $1 reported beyond the staged file, or without its siblings" >&2; exit 1; }
    grep -q "in 4 files" <<<"$out" \
      || { echo "70-pre-commit: FAIL: $1 did not read the directory as context" >&2; exit 1; }
  fi
}

section "hook migralint (binary on PATH): fails on the staged error"
check migralint 1
section "hook migralint-build (built from the checkout): the same"
check migralint-build 1

section "a clean staged change passes"
printf 'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);\n' > $m/000002_idx.up.sql
g add $m/000002_idx.up.sql
check migralint 0
check migralint-build 0

section "done in $(($(date +%s) - start)) s"
