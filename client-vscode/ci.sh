#!/usr/bin/env bash
# Build, check and package the VS Code extension: npm ci, compile, lint, typecheck, test, package.
# Non-interactive; stops at the first failure. Run from anywhere: `client-vscode/ci.sh`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export CI=true
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

step() { printf '\n== client-vscode: %s\n' "$*"; }

step "npm ci"
npm ci </dev/null
step "compile"
npm run compile </dev/null
step "lint"
npm run lint </dev/null
step "typecheck"
npm run typecheck </dev/null
step "test"
npm test </dev/null
step "package"
rm -f speedlens-*.vsix
npm run package </dev/null
version="$(node -p 'require("./package.json").version')"
vsix="speedlens-${version}.vsix"
test -s "$vsix" || { echo "client-vscode: $vsix was not produced" >&2; exit 1; }
step "ok: $(pwd)/$vsix ($(wc -c <"$vsix") bytes)"
