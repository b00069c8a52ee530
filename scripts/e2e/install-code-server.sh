#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3, the newest whose engines.node is 20) from npm into a
# git-ignored prefix, with the workarounds this offline-ish machine needs (see CONTRIBUTING.md "End-to-end").
# Needs (apt): libkrb5-dev (kerberos compiles from source), ripgrep (stands in for the rg download),
# a C/C++ toolchain and python3 (node-pty, kerberos via node-gyp).
set -euo pipefail
cd "$(dirname "$0")/../.."
PREFIX="${CODE_SERVER_PREFIX:-$PWD/.cache/code-server}"
VERSION=4.100.3
BIN="$PREFIX/node_modules/.bin/code-server"

# Read the version from package.json: running `code-server --version` writes a config into ~.
installed() { node -p "require('$PREFIX/node_modules/code-server/package.json').version" 2>/dev/null; }
if [ -x "$BIN" ] && [ "$(installed)" = "$VERSION" ]; then
  echo "code-server $VERSION already in $PREFIX"
  exit 0
fi

command -v rg >/dev/null || { echo "missing 'rg': apt-get install -y ripgrep libkrb5-dev" >&2; exit 1; }
[ -e /usr/include/gssapi/gssapi.h ] || [ -e /usr/include/gssapi.h ] \
  || { echo "missing Kerberos headers: apt-get install -y libkrb5-dev" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# @vscode/ripgrep@1.15.11's postinstall downloads rg from GitHub unless this exact tarball is already
# in $TMPDIR/vscode-ripgrep-cache-1.15.11/; Debian's rg 13.0.0 is the same release it pins.
cache="$work/vscode-ripgrep-cache-1.15.11"
mkdir -p "$cache" "$work/rg"
cp "$(command -v rg)" "$work/rg/rg"
tar -czf "$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$work/rg" rg

rm -rf "$PREFIX"
mkdir -p "$PREFIX"
# A plain local install in its own folder: with `npm install -g --prefix` the npm run by code-server's
# postinstall inherits global mode and fails to unpack lib/vscode's dependencies.
echo '{"private":true}' > "$PREFIX/package.json"
echo "installing code-server $VERSION into $PREFIX (takes 1-2 minutes)"
# npm_config_yes: node-pty's postinstall runs `npx node-gyp`; unsafe_perm: postinstalls as root.
TMPDIR="$work" npm_config_yes=true npm_config_unsafe_perm=true \
  npm install --prefix "$PREFIX" --no-package-lock --no-audit --no-fund --loglevel=error "code-server@$VERSION"
echo "installed code-server $(installed) in $PREFIX"
