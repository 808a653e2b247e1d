#!/usr/bin/env bash
# The `migralint-build` pre-commit hook (.pre-commit-hooks.yaml): builds
# migralint from this checkout (once; later runs find it up to date), then
# runs `migralint check` on the files pre-commit passes. CARGO_TARGET_DIR
# is honoured (default: target/ of this checkout), and
# MIGRALINT_HOOK_PROFILE=dev builds the dev profile instead of release
# (CI uses it: quicker to build, slower to lint).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
target="${CARGO_TARGET_DIR:-$here/target}"
profile="${MIGRALINT_HOOK_PROFILE:-release}"
case "$profile" in
  release) out=release ;;
  dev) out=debug ;;
  *) echo "migralint hook: MIGRALINT_HOOK_PROFILE must be release or dev, not '$profile'" >&2; exit 2 ;;
esac
command -v cargo >/dev/null || {
  echo "migralint hook: cargo not found: install Rust, or use the \`migralint\` hook with migralint on PATH" >&2
  exit 2
}
cargo build --profile "$profile" --quiet --locked --manifest-path "$here/Cargo.toml" --target-dir "$target" -p migralint-cli >&2 || {
  echo "migralint hook: building migralint failed (it needs libclang: see README.md, Install)" >&2
  exit 2
}
exec "$target/$out/migralint" check "$@"
