#!/usr/bin/env bash
# The README's two commands on a stock Debian 12, as far as Node.js goes: scripts/setup
# installs Debian's own nodejs (18) when no other is present, so the locked web tools and
# test drivers must accept it and work with it.
#   debian_node.sh engines BUILD_DIR   every locked package's engines.node accepts that version
#   debian_node.sh run BUILD_DIR       Debian's node binary itself (from the archive, unpacked
#                                      into BUILD_DIR, never installed) type-checks, builds and
#                                      unit-tests the web client, loads the browser drivers and
#                                      runs the REST end-to-end tests against build/parley
# Exit 77 (skipped, with the reason) where the machine cannot say: no Debian archive in
# apt's lists, or no root to give the unpacked node its /usr/share/nodejs.
set -euo pipefail
mode=$1
build=$(cd "$2" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

debian=$(apt-cache madison nodejs 2>/dev/null | awk -F' *\\| *' '/deb\.debian\.org/ {print $2; exit}')
if [[ -z $debian ]]; then
  echo "skipped: apt knows no nodejs from deb.debian.org (apt-get update has not run with Debian's archive)"
  exit 77
fi
version=${debian%%+*}  # 18.20.4+dfsg-1~deb12u3 -> 18.20.4
echo "Debian's nodejs: $debian"

if [[ $mode == engines ]]; then
  exec scripts/check-node-engines "$version" web/package-lock.json tests/e2e/package-lock.json
fi

if [[ $(id -u) -ne 0 ]] || ! command -v unshare >/dev/null; then
  echo "skipped: needs root and unshare to lay Debian's /usr/share/nodejs over this machine's in a private mount"
  exit 77
fi
cache="$build/debian-node/$debian"
if [[ ! -x $cache/root/usr/bin/node ]]; then
  rm -rf "$cache" && mkdir -p "$cache/debs"
  # Debian's node loads parts of itself (acorn, cjs-module-lexer, undici) from /usr/share/nodejs.
  if ! (cd "$cache/debs" && apt-get download -q "nodejs=$debian" "libnode108=$debian" node-acorn \
    node-cjs-module-lexer node-undici >/dev/null 2>&1); then
    echo "skipped: could not download Debian's nodejs $debian from the archive"
    exit 77
  fi
  for deb in "$cache"/debs/*.deb; do dpkg -x "$deb" "$cache/root"; done
fi
# The test drivers' packages, as `make test` installs them for the end-to-end step (this
# test may run first, on a fresh clone).
if [[ ! tests/e2e/node_modules/.package-lock.json -nt tests/e2e/package-lock.json ]]; then
  (cd tests/e2e && npm ci --no-audit --no-fund >/dev/null)
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
unshare --mount bash -euo pipefail -c '
  cache=$1; out=$2; build=$3
  mount -t overlay overlay -o lowerdir="$cache/root/usr/share:/usr/share" /usr/share
  export LD_LIBRARY_PATH="$cache/root/usr/lib/x86_64-linux-gnu" PATH="$cache/root/usr/bin:$PATH"
  node --version
  [[ $(node --version) == v18.* ]]
  cd web
  node node_modules/typescript/bin/tsc --noEmit
  node node_modules/vite/bin/vite.js build --outDir "$out/dist" --logLevel warn
  test -s "$out/dist/index.html"
  node node_modules/vitest/vitest.mjs run --reporter=dot
  cd ../tests/e2e
  node --input-type=module -e "await import(\"playwright-core\"); await import(\"puppeteer-core\"); await import(\"ws\"); console.log(\"drivers load\")"
  PARLEY_BIN="$build/parley" node --test rest.test.mjs
' debian-node "$cache" "$out" "$build"
echo "Debian 12's node $version builds and tests the web client and runs the test drivers"
