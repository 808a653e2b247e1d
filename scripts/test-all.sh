#!/usr/bin/env bash
# Sets up and runs every test of the project, as CI does:
#   1. native build dependencies (scripts/setup.sh);
#   2. cargo fmt --check and clippy (-D warnings) on the native crates;
#   3. every crate's Rust tests in one `cargo test --workspace` (core and CLI:
#      unit, rule pages' examples, snapshots, end-to-end fixtures, the
#      ../shared corpus when present; migrate against a throwaway PostgreSQL;
#      the wasm crate's conversion layer, natively);
#   4. every part's own CI script, in order (scripts/ci/NN-*.sh), each
#      skipping the cargo tests step 3 ran: migrate (nothing left), wasm
#      (build + parity with native), GitHub
#      Action (bundle check + simulated runs), playground (headless Chromium),
#      VS Code extension (typecheck, tests, .vsix), pre-commit hooks (pre-commit
#      from PyPI against a throwaway repository).
# Run as root on a fresh Debian machine (apt-get installs what is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
export CI="${CI:-true}" INSTA_UPDATE=no CARGO_TERM_COLOR=never
start=$(date +%s)
section() { printf '\n=== %s (%ss) ===\n' "$*" "$(($(date +%s) - start))"; }

section "setup"
bash scripts/setup.sh
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt

section "cargo fmt --check"
cargo fmt --all -- --check

section "PostgreSQL 15 (the migrate tests start their own server)"
bash scripts/ci/postgres.sh

# One package selection for clippy and the tests, so cargo resolves the same
# features for both and builds each dependency (libpg_query's C above all)
# once, rather than once per `cargo test -p` of each part's script.
section "cargo clippy --workspace"
cargo clippy --workspace --all-targets -- -D warnings

section "cargo test --workspace (core, CLI, migrate against PostgreSQL, the wasm crate natively)"
cargo test --workspace
export MIGRALINT_WORKSPACE_TESTED=1

for script in scripts/ci/[0-9][0-9]-*.sh; do
  section "$script"
  bash "$script"
done

section "all tests passed"
