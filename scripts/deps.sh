#!/bin/sh
# Installs the Debian packages parcours needs when some are missing.
#   scripts/deps.sh          build and run (make run)
#   scripts/deps.sh test     also what the test suite needs (make test, CI)
# As root it runs apt-get; otherwise sudo when available, else it prints the
# one command to run.
set -eu
pkgs="gcc make pkg-config libmicrohttpd-dev libsqlite3-dev libpq-dev libsodium-dev libcjson-dev"
if [ "${1:-}" = test ]; then
    # chromium: Debian's browser, driven by playwright-core in tests/e2e/web
    pkgs="$pkgs libcmocka-dev postgresql wrk sqlite3 chromium"
    command -v node >/dev/null 2>&1 || pkgs="$pkgs nodejs"
    command -v npm >/dev/null 2>&1 || pkgs="$pkgs npm"
fi
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "parcours: installing missing Debian packages:$missing"
if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "parcours: please run, as root: apt-get update && apt-get install -y$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null || true
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
