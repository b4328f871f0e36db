#!/usr/bin/env bash
# Journal benchmark (issue: care coordination). Loopback only, bounded.
#   PATIENTS=100000 MEMBERS=10 NOTES=10000000 DURATION=15s bash bench/journal.sh
# Builds a synthetic SQLite database (N patients, M circle members each, K notes),
# serves it, and measures with wrk -c64 in the same run:
#   - authenticated GET /api/me (baseline),
#   - GET a random patient's latest 50 notes (circle check + audited read),
#   - POST a note (audit event + notifications to the circle, committed before the
#     answer: WAL, synchronous=NORMAL survives kill -9 of the server).
# PARCOURS_BENCH_PG=postgres://... runs the same on PostgreSQL (an empty database).
# BENCH_KEEP=DIR keeps the SQLite database (and secret) in DIR; BENCH_REUSE=DIR
# measures again on a database kept that way, without generating it;
# BENCH_PG_REUSE=1 measures again on the PostgreSQL database of an earlier run;
# BENCH_SQLITE=0 skips SQLite (PostgreSQL alone).
# Each measured run follows a warm-up of the same requests (WARMUP, 5s).
# ROUNDS=N alternates the baseline and the reads N times (ratio per round, and
# their median): on a shared machine a lone pair of runs moves by 20-30%.
# Then, below saturation, RATES="1000 2000 4000" (requests/s; "" skips it): the
# baseline and the reads at each offered rate over 64 connections with
# bench/loadgen (open loop: requests arrive at random at that rate, latency
# counted from each arrival), OPEN_SECONDS (6) each, 1 s of warm-up included.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/open_loop.sh
. bench/open_loop.sh
# shellcheck source=bench/journal_data.sh
. bench/journal_data.sh
PATIENTS=${PATIENTS:-100000}
MEMBERS=${MEMBERS:-10}
NOTES=${NOTES:-10000000}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-5s}
ROUNDS=${ROUNDS:-1}
RATES=${RATES-1000 2000 4000}
OPEN_SECONDS=${OPEN_SECONDS:-6}
export PATIENTS
make -s >/dev/null
open_loop_build
journal_gen_build
BIN=build/release/parcours
tmp=$(mktemp -d /tmp/parcours-bench-journal.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

# server_times LOG FROM: p50 and p99 of the server's own time for the journal
# reads logged after line FROM (access log `us=`); what wrk sees beyond it is
# waiting: for a worker, for a core, in the sockets
server_times() {
    awk -v from="$2" 'NR > from && /msg="http"/ && /method=GET/ && /\/notes" / {
        for (i = 1; i <= NF; i++) if (index($i, "us=") == 1) print substr($i, 4) / 1000 }' "$1" |
        sort -g | awk '{v[NR] = $1} END {
            if (!NR) { print "-"; exit }
            printf "p50 %.3f ms, p99 %.3f ms (%d reads)", v[int(NR * 0.5 + 0.5)], v[int(NR * 0.99 + 0.5)], NR }'
}

run_backend() {
    local url=$1 label=$2 secret=${3:-$tmp/secret} reuse=${4:-}
    local common=(--db "$url" --secret-file "$secret")
    if [ -n "$reuse" ]; then
        echo "== $label: reusing $url"
        $BIN init "${common[@]}" >/dev/null
    else
        echo "== $label: generating $PATIENTS patients x $MEMBERS members, $NOTES notes"
        journal_make "$url" "$secret" "$PATIENTS" "$MEMBERS" "$NOTES"
    fi
    $BIN serve "${common[@]}" --http 127.0.0.1:0 --threads 2 >"$tmp/out" 2>"$tmp/err" &
    pids+=($!)
    for _ in $(seq 1 100); do grep -q listening "$tmp/out" 2>/dev/null && break; sleep 0.1; done
    local port
    port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$tmp/out")
    local token
    token=$(curl -s -X POST "http://127.0.0.1:$port/api/session" -H 'Content-Type: application/json' \
        -d '{"login":"dr.martin","password":"parcours-demo"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
    local auth="Authorization: Bearer $token"
    wrk -t2 -c64 -d"$WARMUP" -H "$auth" "http://127.0.0.1:$port/api/me" >/dev/null
    wrk -t2 -c64 -d"$WARMUP" -H "$auth" -s bench/journal_read.lua "http://127.0.0.1:$port" >/dev/null
    # ROUNDS alternations of the baseline and the reads, each ratio within its
    # round: the machine's load moves both together
    local me reads posts ratios=() round
    for ((round = 1; round <= ROUNDS; round++)); do
        me=$(wrk -t2 -c64 -d"$DURATION" --latency -H "$auth" "http://127.0.0.1:$port/api/me")
        local from
        from=$(wc -l <"$tmp/err")
        reads=$(wrk -t2 -c64 -d"$DURATION" --latency -H "$auth" -s bench/journal_read.lua "http://127.0.0.1:$port")
        sleep 0.2 # the access log line is written when the response completes
        local me_rps read_rps
        me_rps=$(echo "$me" | awk '/Requests\/sec/ {print $2}')
        read_rps=$(echo "$reads" | awk '/Requests\/sec/ {print $2}')
        ratios+=("$(echo "$read_rps $me_rps" | awk '{printf "%.3f", $1/$2}')")
        printf '%-24s %10s req/s  p50 %-9s p99 %s\n' "GET /api/me (baseline)" "$me_rps" \
            "$(echo "$me" | awk '$1 == "50%" {print $2}')" "$(echo "$me" | awk '$1 == "99%" {print $2}')"
        printf '%-24s %10s req/s  p50 %-9s p99 %-9s ratio %s (target >= 0.20, p99 < 10ms)  non-2xx: %s\n' \
            "GET latest 50 notes" "$read_rps" "$(echo "$reads" | awk '$1 == "50%" {print $2}')" \
            "$(echo "$reads" | awk '$1 == "99%" {print $2}')" "${ratios[-1]}" \
            "$(echo "$reads" | awk '/Non-2xx/ {print $5}')"
        printf '%-24s server side (access log: request received to response sent): %s\n' "" \
            "$(server_times "$tmp/err" "$from")"
    done
    [ "$ROUNDS" -gt 1 ] && printf '%-24s median ratio of %d rounds: %s\n' "" "$ROUNDS" \
        "$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')"
    # below saturation: the same reads (random patients, seeded) at fixed offered rates
    awk -v n="$PATIENTS" 'BEGIN { srand(7); for (i = 0; i < 100000; i++)
        printf "/api/patients/%d/notes?limit=50\n", 1 + int(rand() * n) }' >"$tmp/read.paths"
    local rate f
    for rate in $RATES; do
        for what in me reads; do
            f="$tmp/open.$what.$rate"
            if [ "$what" = me ]; then
                open_loop "$f" "$rate" 64 "$OPEN_SECONDS" "$auth" "http://127.0.0.1:$port/api/me"
            else
                open_loop "$f" "$rate" 64 "$OPEN_SECONDS" "$auth" "http://127.0.0.1:$port/" "$tmp/read.paths"
            fi
            printf '%-24s %6s/s offered, %6s/s answered  p50 %7s ms  p99 %7s ms  p99.9 %7s ms  failed+incomplete+non-2xx %s\n' \
                "$([ "$what" = me ] && echo "GET /api/me" || echo "GET latest 50 notes")" "$rate" \
                "$(lg "$f" achieved)" "$(lg "$f" p50_ms)" "$(lg "$f" p99_ms)" "$(lg "$f" p999_ms)" \
                "$(lg_bad "$f")"
        done
    done
    local audit
    audit=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^parcours_audit_(commits|events)_total/ {print $2}' | tr '\n' ' ')
    local before after
    before=$(curl -s -H "$auth" "http://127.0.0.1:$port/metrics" | sed -n 's/^parcours_http_requests_total{route="POST \/api\/patients\/:id\/notes",status="201"} //p')
    posts=$(wrk -t2 -c64 -d"$DURATION" --latency -H "$auth" -s bench/journal_post.lua "http://127.0.0.1:$port")
    after=$(curl -s -H "$auth" "http://127.0.0.1:$port/metrics" | sed -n 's/^parcours_http_requests_total{route="POST \/api\/patients\/:id\/notes",status="201"} //p')
    kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
    local post_rps
    post_rps=$(echo "$posts" | awk '/Requests\/sec/ {print $2}')
    printf '%-24s audit writer after the reads: commits, events = %s\n' "" "$audit"
    printf '%-24s %10s req/s  p50 %-9s p99 %-9s notes created: %s (target >= 2000/s)  non-2xx: %s\n' \
        "POST a note" "$post_rps" "$(echo "$posts" | awk '$1 == "50%" {print $2}')" \
        "$(echo "$posts" | awk '$1 == "99%" {print $2}')" "$(( ${after:-0} - ${before:-0} ))" \
        "$(echo "$posts" | awk '/Non-2xx/ {print $5}')"
}

if [ "${BENCH_SQLITE:-1}" = 0 ]; then
    :
elif [ -n "${BENCH_REUSE:-}" ]; then
    run_backend "sqlite:$BENCH_REUSE/journal.db" "SQLite" "$BENCH_REUSE/secret" reuse
else
    run_backend "sqlite:$tmp/journal.db" "SQLite"
    if [ -n "${BENCH_KEEP:-}" ]; then
        mkdir -p "$BENCH_KEEP"
        mv "$tmp"/journal.db* "$tmp/secret" "$BENCH_KEEP/"
        echo "kept in $BENCH_KEEP (BENCH_REUSE=$BENCH_KEEP to measure again)"
    fi
fi
if [ -n "${PARCOURS_BENCH_PG:-}" ]; then
    run_backend "$PARCOURS_BENCH_PG" "PostgreSQL" "$tmp/secret" "${BENCH_PG_REUSE:+reuse}"
fi
