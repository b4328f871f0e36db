#!/usr/bin/env bash
# A/B of server settings on a journal database kept by bench/journal.sh
# (BENCH_KEEP=DIR): alternates the settings ROUNDS times, and for each run prints
# the latest-50-notes read rate (wrk -t2 -c64, after a warm-up) and the server's
# CPU time per request (utime + stime of the process / requests), which moves
# less than the rate when the machine is shared. Loopback only, bounded.
#   BENCH_REUSE=DIR bench/journal_ab.sh 'PARCOURS_SQLITE_MMAP=1' 'PARCOURS_SQLITE_MMAP=0'
# A setting PARCOURS_BIN=PATH runs that binary instead of build/release/parcours
# (e.g. one built from an earlier commit with `git worktree`).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BENCH_REUSE:?BENCH_REUSE=DIR (a database kept by BENCH_KEEP=DIR bench/journal.sh)}"
[ $# -ge 1 ] || { echo "usage: BENCH_REUSE=DIR $0 'VAR=value ...' ['VAR=value ...']" >&2; exit 2; }
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-10s}
DURATION=${DURATION:-10s}
export PATIENTS=${PATIENTS:-100000}
make -s >/dev/null
BIN=build/release/parcours
tmp=$(mktemp -d /tmp/parcours-bench-ab.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
for ((round = 1; round <= ROUNDS; round++)); do
    for setting in "$@"; do
        bin=$BIN
        for kv in $setting; do
            case $kv in PARCOURS_BIN=*) bin=${kv#PARCOURS_BIN=} ;; esac
        done
        # shellcheck disable=SC2086
        env $setting "$bin" serve --db "sqlite:$BENCH_REUSE/journal.db" --secret-file "$BENCH_REUSE/secret" \
            --http 127.0.0.1:0 --threads 2 >"$tmp/out" 2>/dev/null &
        pid=$!
        for _ in $(seq 1 100); do grep -q listening "$tmp/out" 2>/dev/null && break; sleep 0.1; done
        port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$tmp/out")
        token=$(curl -s -X POST "http://127.0.0.1:$port/api/session" -H 'Content-Type: application/json' \
            -d '{"login":"dr.martin","password":"parcours-demo"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
        auth="Authorization: Bearer $token"
        wrk -t2 -c64 -d"$WARMUP" -H "$auth" -s bench/journal_read.lua "http://127.0.0.1:$port" >/dev/null
        t0=$(ticks "$pid")
        rps=$(wrk -t2 -c64 -d"$DURATION" -H "$auth" -s bench/journal_read.lua "http://127.0.0.1:$port" |
            awk '/^Requests\/sec/ {print $2}')
        t1=$(ticks "$pid")
        kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
        secs=${DURATION%s}
        printf 'round %d  %-40s %9.0f reads/s  server CPU %6.1f us/read\n' "$round" "$setting" "$rps" \
            "$(awk -v a="$t0" -v b="$t1" -v r="$rps" -v s="$secs" -v hz="$(getconf CLK_TCK)" \
                'BEGIN {print (b - a) / hz * 1e6 / (r * s)}')"
    done
done
