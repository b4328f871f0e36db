#!/bin/sh
# The black-box suite (tests/e2e, node:test) against the real binary, on SQLite
# and on PostgreSQL. PARCOURS_TEST_PG names a PostgreSQL server to use (a URL of
# a role that may create databases); without it a throw-away cluster is started
# here and stopped at the end.
set -eu
bin=$(realpath "${1:-build/release/parcours}")
export PARCOURS_BIN="$bin"
[ -d node_modules ] || [ ! -f package-lock.json ] || npm ci --no-audit --no-fund --silent
tmp=$(mktemp -d /tmp/parcours-test.XXXXXX)
chmod 755 "$tmp"
cleanup() {
    [ -n "${started_pg:-}" ] && sh scripts/pg-cluster.sh stop "$tmp/pg"
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
if [ -z "${PARCOURS_TEST_PG:-}" ]; then
    PARCOURS_TEST_PG=$(sh scripts/pg-cluster.sh start "$tmp/pg")
    started_pg=1
fi
export PARCOURS_TEST_PG
status=0
# every suite under tests/e2e but the browser tests (tests/e2e/web), run below
api_tests=$(find tests/e2e -name '*.test.mjs' ! -path 'tests/e2e/web/*' | sort)
for backend in sqlite postgres; do
    echo "== black-box suite on $backend"
    # shellcheck disable=SC2086
    PARCOURS_TEST_BACKEND=$backend node --test --test-concurrency=2 $api_tests || status=1
done
# The browser tests (Chromium) run once, on SQLite: they drive the web
# application, whose behaviour does not depend on the backend that the suite
# above covers twice. One file at a time: two Chromiums and two servers on two
# cores would make first-load.test.mjs measure the machine, not the page.
echo "== browser suite on sqlite"
PARCOURS_TEST_BACKEND=sqlite node --test --test-concurrency=1 tests/e2e/web/ || status=1
exit $status
