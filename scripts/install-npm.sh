#!/usr/bin/env bash
# install-npm.sh: the npm packages gomailcgi's tests need, at pinned
# versions, into tmp/npm of this checkout (git ignores tmp/):
#
#   axe-core   the accessibility audit the browser tests inject
#
# Node.js and npm come from Debian's nodejs and npm packages when the
# machine has no npm at all (as root; otherwise it says what to run).
# Quiet and quick when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

AXE_VERSION=4.10.3 # keep in step with axeVersion in internal/web/a11y_axe_test.go
DIR=tmp/npm

if ! command -v npm > /dev/null; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-npm: npm is missing; as root run: apt-get install -y --no-install-recommends nodejs npm" >&2
    [ "${CI:-}" = true ] && exit 1
    exit 0
  fi
  echo "install-npm: installing nodejs npm"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q > /dev/null && apt-get install -y -q --no-install-recommends nodejs npm > /dev/null
fi

have="$(node -p "require('./$DIR/node_modules/axe-core/package.json').version" 2>/dev/null || true)"
[ "$have" = "$AXE_VERSION" ] && exit 0
echo "install-npm: installing axe-core@$AXE_VERSION into $DIR"
mkdir -p "$DIR"
npm install --prefix "$DIR" --no-audit --no-fund --no-save "axe-core@$AXE_VERSION" > "$DIR/install.log" 2>&1 ||
  { tail -20 "$DIR/install.log" >&2; echo "install-npm: npm install failed" >&2; exit 1; }
