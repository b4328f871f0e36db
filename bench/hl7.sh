#!/usr/bin/env bash
# bench/hl7.sh: throughput of the HL7 v2 (MLLP) listener of `parcours serve`,
# ACKs sent only after a durable commit, against node-hl7-server receiving and
# acknowledging the same stream in the same run. Loopback only, bounded.
#
#   bench/hl7.sh                                   (from the repository root)
#   BENCH_HL7_MESSAGES=4000 bench/hl7.sh           a quick run
#
# Stream: pairs of ADT^A28 (a new identity: duplicate search, record, IPP,
# audit) and ADT^A01 (an admission of that patient: lookup by IPP, movement),
# built by bench/hl7_load.c, which keeps WINDOW messages unacknowledged per
# connection and checks that every ACK is an AA for the expected MSH-10.
#
# Environment (defaults in brackets):
#   BENCH_HL7_MESSAGES  messages per SQLite measurement [20000]
#   BENCH_HL7_PG_MESSAGES  messages per PostgreSQL measurement [3000]
#   BENCH_HL7_NODE_MESSAGES  messages per connection-per-message measurement [4000]
#   BENCH_HL7_WINDOW    unacknowledged messages per connection [256]
#   PARCOURS_BENCH_PG   URL of a PostgreSQL server whose role may create databases
#                       (default: a throw-away cluster from scripts/pg-cluster.sh,
#                       skipped when PostgreSQL is not installed)
#   BENCH_STRICT=1      exit 1 when the SQLite target (>= 5000 messages/s) fails
#
# Each configuration gets a fresh database and a fresh server (port 0), a
# warm-up of 1000 messages, then the measurement; the server's CPU time during
# the measurement is reported per message (robust to a busy machine, unlike
# messages/s). Every process started here is stopped by the EXIT trap.

if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

MESSAGES=${BENCH_HL7_MESSAGES:-20000}
PG_MESSAGES=${BENCH_HL7_PG_MESSAGES:-3000}
NODE_MESSAGES=${BENCH_HL7_NODE_MESSAGES:-4000}
WINDOW=${BENCH_HL7_WINDOW:-256}
TARGET=5000
LOAD=build/bench/hl7_load

die() { echo "bench/hl7.sh: $*" >&2; exit 1; }
command -v node >/dev/null || die "node not found"
[ -d node_modules/node-hl7-server ] || die "node-hl7-server missing: run 'npm ci'"

PIDS=()
TMP=
STARTED_PG=
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    [ -n "$STARTED_PG" ] && sh scripts/pg-cluster.sh stop "$TMP/pg" >/dev/null 2>&1
    [ -n "$TMP" ] && rm -rf "$TMP"
    return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== building $LOAD and build/release/parcours"
mkdir -p build/bench
cc -O2 -std=c17 -D_GNU_SOURCE -Wall -Wextra bench/hl7_load.c -o "$LOAD"
make --no-print-directory -s all >/dev/null || die "make failed"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/parcours-hl7bench.XXXXXX")
chmod 755 "$TMP"
cp build/release/parcours "$TMP/parcours" # a concurrent make cannot swap it under us
PARCOURS="$TMP/parcours"
SECRET="$TMP/secret"

PG_URL=${PARCOURS_BENCH_PG:-}
if [ -z "$PG_URL" ] && ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
    PG_URL=$(sh scripts/pg-cluster.sh start "$TMP/pg") && STARTED_PG=1 || PG_URL=
fi

cpu_ticks() { awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$1/stat"; }
CLK_TCK=$(getconf CLK_TCK)
field() { sed -n "s/.*[[:space:]]$1=\\([^[:space:]]*\\).*/\\1/p" <<<" $2"; }

SERVER_PID=
MLLP_PORT=
# start_parcours DB_URL [ENV=VALUE...]: fresh schema, serve with --mllp on a free port
start_parcours() {
    local db=$1
    shift
    "$PARCOURS" init --db "$db" --secret-file "$SECRET" >/dev/null
    local out="$TMP/serve.$RANDOM.out"
    env "$@" "$PARCOURS" serve --db "$db" --secret-file "$SECRET" --http 127.0.0.1:0 \
        --threads 2 --mllp 127.0.0.1:0 >"$out" 2>"$out.err" &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    MLLP_PORT=
    for ((i = 0; i < 200; i++)); do
        MLLP_PORT=$(sed -n 's/.*MLLP listening on [0-9.]*:\([0-9]*\).*/\1/p' "$out" | head -n1)
        [ -n "$MLLP_PORT" ] && grep -q 'listening on http' "$out" && break
        kill -0 "$SERVER_PID" 2>/dev/null || die "parcours exited at start-up: $(cat "$out.err")"
        sleep 0.05
    done
    [ -n "$MLLP_PORT" ] || die "parcours did not start its MLLP listener"
}
stop_server() {
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
}

RESULTS=()
# measure NAME PORT PID N CONNS WINDOW [reconnect]: one run of hl7_load
measure() {
    local name=$1 port=$2 pid=$3 n=$4 conns=$5 window=$6 mode=${7:-}
    local t0 t1 line
    t0=$(cpu_ticks "$pid")
    line=$("$LOAD" "$port" "$n" "$conns" "$window" "R$RANDOM" $mode) || die "$name: load failed"
    t1=$(cpu_ticks "$pid")
    local aa mism rate
    aa=$(field aa "$line")
    mism=$(field mismatched "$line")
    rate=$(field rate "$line")
    [ "$aa" = "$n" ] && [ "$mism" = 0 ] || echo "bench/hl7.sh: $name: not every ACK was the expected AA: $line" >&2
    local us_per_msg
    us_per_msg=$(awk -v t=$((t1 - t0)) -v hz="$CLK_TCK" -v n="$n" 'BEGIN {printf "%.0f", t / hz * 1e6 / n}')
    RESULTS+=("$(printf '%-44s %9s %8s %9s %9s %12s' "$name" "$rate" "$(field p50_ms "$line")" \
        "$(field p99_ms "$line")" "$us_per_msg" "$aa/$n")")
    LAST_RATE=$rate
}

echo "== parcours, SQLite (WAL, synchronous=NORMAL: an AA survives kill -9)"
start_parcours "sqlite:$TMP/normal.db"
"$LOAD" "$MLLP_PORT" 1000 1 "$WINDOW" W1 >/dev/null
measure "sqlite NORMAL, 1 connection, window $WINDOW" "$MLLP_PORT" "$SERVER_PID" "$MESSAGES" 1 "$WINDOW"
SQLITE_RATE=$LAST_RATE
measure "sqlite NORMAL, 8 connections, window $WINDOW" "$MLLP_PORT" "$SERVER_PID" "$MESSAGES" 8 "$WINDOW"
measure "sqlite NORMAL, 1 connection, window 1" "$MLLP_PORT" "$SERVER_PID" 3000 1 1
measure "sqlite NORMAL, 8 conns, 1 connection/message" "$MLLP_PORT" "$SERVER_PID" "$NODE_MESSAGES" 8 1 reconnect
PARCOURS_RECONNECT=$LAST_RATE
stop_server
DURABLE=$(sqlite3 "$TMP/normal.db" "SELECT count(*) FROM hl7_message WHERE status = 'processed'" 2>/dev/null || echo "?")

echo "== parcours, SQLite synchronous=FULL (an AA survives a power loss)"
start_parcours "sqlite:$TMP/full.db" PARCOURS_SQLITE_SYNC=FULL
"$LOAD" "$MLLP_PORT" 1000 1 "$WINDOW" W2 >/dev/null
measure "sqlite FULL, 1 connection, window $WINDOW" "$MLLP_PORT" "$SERVER_PID" "$MESSAGES" 1 "$WINDOW"
stop_server

if [ -n "$PG_URL" ]; then
    echo "== parcours, PostgreSQL (synchronous_commit on)"
    name="parcours_hl7bench_$RANDOM"
    psql "$PG_URL" -qc "CREATE DATABASE $name" >/dev/null
    pg_db=$(node -e 'const u = new URL(process.argv[1]); u.pathname = "/" + process.argv[2]; console.log(u.toString())' "$PG_URL" "$name")
    start_parcours "$pg_db"
    "$LOAD" "$MLLP_PORT" 500 1 "$WINDOW" W3 >/dev/null
    measure "postgres, 1 connection, window $WINDOW" "$MLLP_PORT" "$SERVER_PID" "$PG_MESSAGES" 1 "$WINDOW"
    measure "postgres, 8 connections, window $WINDOW" "$MLLP_PORT" "$SERVER_PID" "$PG_MESSAGES" 8 "$WINDOW"
    stop_server
    psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true
else
    echo "== PostgreSQL not available: skipped"
fi

echo "== node-hl7-server $(node -p 'require("./node_modules/node-hl7-server/package.json").version') (answers AA, stores nothing)"
NODE_OUT="$TMP/node.out"
node bench/hl7_node_server.mjs 0 >"$NODE_OUT" 2>&1 &
NODE_PID=$!
PIDS+=("$NODE_PID")
NODE_PORT=
for ((i = 0; i < 200; i++)); do
    NODE_PORT=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$NODE_OUT" | head -n1)
    [ -n "$NODE_PORT" ] && break
    sleep 0.05
done
[ -n "$NODE_PORT" ] || die "node-hl7-server did not start: $(cat "$NODE_OUT")"
"$LOAD" "$NODE_PORT" 500 8 1 W4 reconnect >/dev/null
measure "node-hl7-server, 8 conns, 1 connection/message" "$NODE_PORT" "$NODE_PID" "$NODE_MESSAGES" 8 1 reconnect
NODE_RATE=$LAST_RATE
# the same stream on one persistent connection: node-hl7-server 2.5.0 never
# resets its input buffer, so message k is answered with k ACKs (1..k)
PERSIST=$("$LOAD" "$NODE_PORT" 200 1 1 W5 2>&1 || true)

echo
printf '%-44s %9s %8s %9s %9s %12s\n' "configuration" "msg/s" "p50 ms" "p99 ms" "CPU us/msg" "AA"
for r in "${RESULTS[@]}"; do echo "$r"; done
echo
echo "durable after SIGTERM (SQLite NORMAL database): $DURABLE messages stored as processed"
echo "node-hl7-server, 200 messages on one persistent connection (window 1): $PERSIST"
awk -v p="$PARCOURS_RECONNECT" -v n="$NODE_RATE" -v s="$SQLITE_RATE" 'BEGIN {
    printf "ratio parcours / node-hl7-server, same stream, 1 connection per message: %.2f\n", p / n
    printf "ratio parcours pipelined (1 connection) / node-hl7-server: %.2f\n", s / n }'
if awk -v r="$SQLITE_RATE" -v t="$TARGET" 'BEGIN {exit !(r >= t)}'; then
    echo "PASS sqlite NORMAL, 1 connection: $SQLITE_RATE >= $TARGET messages/s"
else
    echo "FAIL sqlite NORMAL, 1 connection: $SQLITE_RATE < $TARGET messages/s (machine load: $(cut -d' ' -f1-3 /proc/loadavg))"
    [ "${BENCH_STRICT:-0}" = 1 ] && exit 1
fi
exit 0
