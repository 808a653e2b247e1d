#!/usr/bin/env bash
# The `migralint-build` pre-commit hook (.pre-commit-hooks.yaml): builds
# migralint from this checkout (once; later runs find it up to date), then
# runs `migralint check` on the files pre-commit passes. CARGO_TARGET_DIR
# is honoured (default: target/ of this checkout).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
target="${CARGO_TARGET_DIR:-$here/target}"
command -v cargo >/dev/null || {
  echo "migralint hook: cargo not found: install Rust, or use the \`migralint\` hook with migralint on PATH" >&2
  exit 2
}
cargo build --release --quiet --locked --manifest-path "$here/Cargo.toml" --target-dir "$target" -p migralint-cli >&2 || {
  echo "migralint hook: building migralint failed (it needs libclang: see README.md, Install)" >&2
  exit 2
}
exec "$target/release/migralint" check "$@"
