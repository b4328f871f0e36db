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
for backend in sqlite postgres; do
    echo "== black-box suite on $backend"
    PARCOURS_TEST_BACKEND=$backend node --test --test-concurrency=2 tests/e2e/ || status=1
done
exit $status
