#!/usr/bin/env bash
# CI for the VS Code extension (editors/vscode/):
#   1. npm ci (vscode-languageclient; dev: typescript, esbuild, @types/*,
#      @vscode/vsce; pinned in editors/vscode/package-lock.json);
#   2. tsc --noEmit (typecheck against @types/vscode of the engine version);
#   3. npm test: esbuild bundle (dist/extension.js, only `vscode` left
#      outside), then node --test: the manifest's contributions, the server
#      command, the bundle loading against a stub `vscode`;
#   4. vsce package --no-dependencies, with every proxy pointed at a closed
#      port so that packaging provably reaches no network, then the .vsix's
#      file list checked: the bundle, the manifest, README, licence, and
#      nothing else (no sources, no node_modules).
# The language server itself is tested by cargo (crates/migralint-cli/tests/lsp.rs).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
cd "$REPO_ROOT/editors/vscode"
section() { printf '\n=== 60-vscode: %s ===\n' "$*"; }
start=$(date +%s)

for tool in node npm python3; do
  command -v "$tool" >/dev/null || { echo "60-vscode: '$tool' not found" >&2; exit 1; }
done
echo "node $(node --version), npm $(npm --version)"

section "npm ci"
npm ci --no-audit --no-fund --loglevel=error

section "typecheck"
npm run --silent typecheck

section "build + node --test"
npm test

section "vsce package (offline)"
rm -f migralint.vsix
dead=http://127.0.0.1:9
HTTP_PROXY=$dead HTTPS_PROXY=$dead http_proxy=$dead https_proxy=$dead NO_PROXY= no_proxy= \
  npx --no-install vsce package --no-dependencies --out migralint.vsix </dev/null
python3 - <<'PY'
import json, zipfile
z = zipfile.ZipFile("migralint.vsix")
names = sorted(n for n in z.namelist() if n.startswith("extension/"))
expected = sorted(["extension/package.json", "extension/readme.md", "extension/LICENSE.txt",
                   "extension/dist/extension.js"])
assert names == expected, f"unexpected .vsix contents: {names}"
manifest = json.loads(z.read("extension/package.json"))
assert manifest["main"] == "./dist/extension.js" and manifest["name"] == "migralint", manifest
print(f"migralint.vsix: {', '.join(names)}")
PY

section "done in $(($(date +%s) - start)) s"
