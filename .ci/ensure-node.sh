# Sourceable (`. .ci/ensure-node.sh`): makes sure `node` is >= 22.19 (the project's `engines`) and
# that pnpm comes from package.json's `packageManager` through corepack. Where the machine's Node is
# older, it installs Node 24 LTS from the npm registry (the `node-linux-<arch>` package ships the
# official binary and headers) into ~/.cache, without root, and puts it first on PATH.
# Idempotent: the second run in a shell, or with the cache warm, takes well under a second.
NODE_PIN="${NODE_PIN:-24.22.3}"
NODE_CACHE="${NODE_CACHE:-$HOME/.cache/distributed-insert-node}"
_di_node_ok() { command -v node >/dev/null 2>&1 && node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=19)?0:1)'; }
if ! _di_node_ok; then
  case "$(uname -m)" in x86_64) _di_arch=x64 ;; aarch64) _di_arch=arm64 ;; *) echo "ensure-node: unsupported machine $(uname -m); install Node >= 22.19 yourself" >&2; return 1 ;; esac
  _di_dir="$NODE_CACHE/$NODE_PIN-$_di_arch"; _di_pkg="$_di_dir/node_modules/node-linux-$_di_arch"
  if ! "$_di_pkg/bin/node" --version >/dev/null 2>&1; then
    rm -rf "$_di_dir" && mkdir -p "$_di_dir"
    npm install --prefix "$_di_dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node-linux-$_di_arch@$NODE_PIN" || return 1
  fi
  export PATH="$_di_pkg/bin:$PATH"
  # node-gyp (better-sqlite3 in the benchmark) must build against this Node's headers, not the
  # machine's (an npmrc `nodedir=/usr` would point at the older Node's).
  export npm_config_nodedir="$_di_pkg"
fi
_di_node_ok || { echo "ensure-node: need Node >= 22.19, have $(node --version 2>&1)" >&2; return 1; }
# Corepack ships with the machine's Node, not with the registry package: keep its pnpm shims in the
# cache folder so nothing outside it changes.
if command -v corepack >/dev/null 2>&1; then
  mkdir -p "$NODE_CACHE/shims" && corepack enable --install-directory "$NODE_CACHE/shims" pnpm && export PATH="$NODE_CACHE/shims:$PATH"
fi
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
