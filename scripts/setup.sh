#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks to build and run migralint
# natively: libclang (bindgen, used by the pg_query crate to bind
# libpg_query). Run as root, or with sudo available. Safe to re-run.
set -euo pipefail

need=()
for p in libclang-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ "${#need[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: apt-get install ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
command -v cargo >/dev/null || { echo "setup: cargo not found: install Rust (rustup) first" >&2; exit 1; }
echo "setup: ready"
