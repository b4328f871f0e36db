#!/usr/bin/env bash
# bench/identity.sh: patient identities at scale, on loopback only.
#   (a) bulk load rate of `parcours synth` (secondary indexes dropped and rebuilt,
#       and, for comparison, kept during the load);
#   (b) through the HTTP API with wrk (-c16 -t2, Lua scripts varying the queries
#       over real values sampled from the loaded data): search by birth date +
#       3-letter name prefix, INS lookup, and the authenticated GET /api/me as the
#       same-run baseline;
#   (c) duplicate detection quality against the ground truth (build/bench/dupeval);
#   (d) POST /api/patients (duplicate check + insert + audit event) at that size;
#   (e) the latency of /api/me, the search and the INS lookup at fixed offered
#       rates (bench/loadgen, open loop: requests arrive at random at a given
#       rate, latency counted from each arrival), below the saturation wrk
#       measures in (b).
#
#   bench/identity.sh                                  N = 1,000,000 (several minutes)
#   BENCH_N=100000 BENCH_DURATION=3s BENCH_RUNS=1 bench/identity.sh      a quick run
#
# Environment (defaults in brackets):
#   BENCH_N              patients loaded [1000000]
#   BENCH_DUPLICATES     fraction of corrupted duplicates [0.05]
#   BENCH_SEED           generator seed [1]
#   BENCH_KEEP_INDEXES=0 skip the comparison load that keeps the indexes [1: run it]
#   BENCH_DUPEVAL=0      skip the duplicate-detection quality run [1]
#   BENCH_DUPEVAL_SAMPLE non-duplicates sampled by dupeval [= number of duplicates]
#   BENCH_DURATION       wrk duration of each measurement [10s]
#   BENCH_WARMUP         wrk warm-up before each measurement, discarded [2s]
#   BENCH_RUNS           interleaved repetitions; the median is reported [3]
#   BENCH_CONNECTIONS    wrk connections [16]
#   BENCH_WRK_THREADS    wrk threads [2]
#   BENCH_SERVER_THREADS parcours --threads [2]
#   BENCH_POST_BODIES    request bodies generated per POST run [60000]
#   BENCH_RATES          offered rates of (e), requests/s ["1000 5000 10000"; "" skips (e)]
#   BENCH_OPEN_SECONDS   length of each run of (e), 1 s of warm-up included [6]
#   BENCH_PERF=FILE      also record `perf record -g` on parcours during one extra search run
#   BENCH_KEEP=DIR       keep the database, truth file and wrk outputs in DIR
#   PARCOURS_BENCH_PG    URL of an EMPTY PostgreSQL database: also measure the load there
#   WRK                  the wrk binary [/usr/bin/wrk, else wrk from PATH]
#
# Targets: load >= 50,000 patients/s (SQLite); search p99 < 5 ms; INS lookup
# p99 < 2 ms; POST /api/patients p99 < 10 ms; duplicate detection at the review
# threshold: precision >= 0.98 and recall >= 0.95. The p99 targets are judged
# both at saturation (wrk) and at each offered rate of (e).

if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/open_loop.sh
. bench/open_loop.sh

N=${BENCH_N:-1000000}
DUPS=${BENCH_DUPLICATES:-0.05}
SEED=${BENCH_SEED:-1}
DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-2s}
RUNS=${BENCH_RUNS:-3}
CONNS=${BENCH_CONNECTIONS:-16}
WRK_THREADS=${BENCH_WRK_THREADS:-2}
SERVER_THREADS=${BENCH_SERVER_THREADS:-2}
POST_BODIES=${BENCH_POST_BODIES:-60000}
RATES=${BENCH_RATES-1000 5000 10000}
OPEN_SECONDS=${BENCH_OPEN_SECONDS:-6}
WRK=${WRK:-$(command -v /usr/bin/wrk || command -v wrk || true)}
PARCOURS=build/release/parcours
DUPEVAL=build/bench/dupeval

die() { echo "bench/identity.sh: $*" >&2; exit 1; }
[ -n "$WRK" ] || die "wrk not found (apt-get install -y wrk)"
for tool in curl sqlite3 pkg-config; do
    command -v "$tool" >/dev/null || die "$tool not found"
done
[[ $N =~ ^[1-9][0-9]*$ ]] || die "BENCH_N must be a positive integer"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"

SERVER_PID=
WRK_PID=
TMP=
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    if [ -n "$WRK_PID" ]; then kill "$WRK_PID" 2>/dev/null || true; fi
    if [ -n "$SERVER_PID" ]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ -n "$TMP" ] && [ -z "${BENCH_KEEP:-}" ]; then rm -rf "$TMP"; fi
    return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- build ---------------------------------------------------------------------
echo "== building $PARCOURS and $DUPEVAL"
make --no-print-directory -s all >/dev/null || die "make failed"
mkdir -p build/bench
# shellcheck disable=SC2046  # pkg-config output is meant to be split
cc -O2 -g -std=c17 -D_GNU_SOURCE -Wall -Wextra -Isrc bench/dupeval.c build/release/libparcours.a \
    $(pkg-config --cflags --libs libmicrohttpd sqlite3 libpq libsodium libcjson) -lpthread -lm \
    -o "$DUPEVAL" || die "cannot build $DUPEVAL"
open_loop_build || die "cannot build $LOADGEN"

if [ -n "${BENCH_KEEP:-}" ]; then
    TMP=$BENCH_KEEP
    mkdir -p "$TMP"
else
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/parcours-identity.XXXXXX")
fi
# a private copy: a concurrent `make` cannot swap the binary under the bench
cp "$PARCOURS" "$TMP/parcours"
PARCOURS="$TMP/parcours"
DB="sqlite:$TMP/p.db"
SECRET="$TMP/secret"
rm -f "$TMP"/p.db* "$TMP"/k.db*

echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
echo "   SQLite $(sqlite3 --version | cut -d' ' -f1), load average $(cut -d' ' -f1-3 /proc/loadavg)"

# --- (a) load rate ----------------------------------------------------------------
# rate_of FILE: the patients/s figure of a synth report
rate_of() { sed -n 's/.*: \([0-9]*\) patients\/s$/\1/p' "$1" | head -n1; }

"$PARCOURS" init --db "$DB" --secret-file "$SECRET" >/dev/null
"$PARCOURS" demo --db "$DB" --secret-file "$SECRET" >/dev/null
echo "== (a) parcours synth --patients $N --duplicates $DUPS --seed $SEED (indexes dropped, rebuilt at the end)"
"$PARCOURS" synth --patients "$N" --duplicates "$DUPS" --seed "$SEED" --truth "$TMP/truth.csv" \
    --db "$DB" --secret-file "$SECRET" | tee "$TMP/load.txt"
LOAD_RATE=$(rate_of "$TMP/load.txt")
[ -n "$LOAD_RATE" ] || die "cannot read the load rate"
echo "   database: $(du -h "$TMP/p.db" | cut -f1)"

KEEP_RATE=
if [ "${BENCH_KEEP_INDEXES:-1}" = 1 ]; then
    echo "== (a') the same load keeping the secondary indexes (maintained row by row)"
    "$PARCOURS" init --db "sqlite:$TMP/k.db" --secret-file "$SECRET" >/dev/null
    "$PARCOURS" synth --patients "$N" --duplicates "$DUPS" --seed "$SEED" --keep-indexes \
        --db "sqlite:$TMP/k.db" --secret-file "$SECRET" | tee "$TMP/load-keep.txt"
    KEEP_RATE=$(rate_of "$TMP/load-keep.txt")
    rm -f "$TMP"/k.db*
fi

PG_RATE=
if [ -n "${PARCOURS_BENCH_PG:-}" ]; then
    echo "== (a'') the same load on PostgreSQL (one INSERT ... unnest() per 2048 rows)"
    "$PARCOURS" init --db "$PARCOURS_BENCH_PG" --secret-file "$SECRET" >/dev/null
    "$PARCOURS" synth --patients "$N" --duplicates "$DUPS" --seed "$SEED" \
        --db "$PARCOURS_BENCH_PG" --secret-file "$SECRET" | tee "$TMP/load-pg.txt"
    PG_RATE=$(rate_of "$TMP/load-pg.txt")
fi

# --- (c) duplicate detection quality ------------------------------------------------
RECALL=
PRECISION=
if [ "${BENCH_DUPEVAL:-1}" = 1 ]; then
    echo "== (c) duplicate detection against the ground truth (threshold IDMATCH_POTENTIAL)"
    sample_args=()
    [ -n "${BENCH_DUPEVAL_SAMPLE:-}" ] && sample_args=(--sample "$BENCH_DUPEVAL_SAMPLE")
    "$DUPEVAL" --db "$DB" --truth "$TMP/truth.csv" "${sample_args[@]}" | tee "$TMP/dupeval.txt"
    RECALL=$(sed -n 's/^dupeval: .* recall=\([0-9.]*\).*/\1/p' "$TMP/dupeval.txt")
    PRECISION=$(sed -n 's/^dupeval: .* precision=\([0-9.]*\).*/\1/p' "$TMP/dupeval.txt")
    PRECISION_SET=$(sed -n 's/^dupeval: .* precision_set=\([0-9.]*\).*/\1/p' "$TMP/dupeval.txt")
fi

# --- query lists sampled from the loaded data ----------------------------------------
echo "== sampling queries from the data"
sqlite3 -batch "$TMP/p.db" "SELECT '/api/patients?birth_date=' || birth_date || '&name=' || substr(norm_birth_name, 1, 3) FROM patient ORDER BY random() LIMIT 2000" >"$TMP/search.paths"
sqlite3 -batch "$TMP/p.db" "SELECT '/api/patients?ins=' || ins_value FROM patient WHERE ins_value IS NOT NULL ORDER BY random() LIMIT 2000" >"$TMP/ins.paths"
echo "   $(wc -l <"$TMP/search.paths") searches (e.g. $(head -n1 "$TMP/search.paths")), $(wc -l <"$TMP/ins.paths") INS"

# --- server --------------------------------------------------------------------------
"$PARCOURS" serve --db "$DB" --secret-file "$SECRET" --http 127.0.0.1:0 \
    --threads "$SERVER_THREADS" --web-root web >"$TMP/server.out" 2>"$TMP/server.err" &
SERVER_PID=$!
PORT=
for ((i = 0; i < 400; i++)); do
    PORT=$(sed -n 's|.*listening on http://[0-9.]*:\([0-9]*\)/.*|\1|p' "$TMP/server.out" | head -n1)
    [ -n "$PORT" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || die "parcours serve exited at start-up: $(cat "$TMP/server.err")"
    sleep 0.05
done
[ -n "$PORT" ] || die "parcours serve did not start listening"
BASE="http://127.0.0.1:$PORT"
# a professional: search and creation are theirs (administrators never read identities)
TOKEN=$(curl -sS --max-time 10 -H 'Content-Type: application/json' \
    -d '{"login":"dr.martin","password":"parcours-demo"}' "$BASE/api/session" |
    sed -n 's/.*"token"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p')
[ -n "$TOKEN" ] || die "login failed"
for path in /api/me "$(head -n1 "$TMP/search.paths")" "$(head -n1 "$TMP/ins.paths")"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $TOKEN" "$BASE$path")
    [ "$code" = 200 ] || die "GET $path answered $code"
done

# run_wrk OUT DURATION URL [LUA]: wrk in the background so that the EXIT trap can stop it
run_wrk() {
    local out=$1 d=$2 url=$3 lua=${4:-}
    local args=(-t"$WRK_THREADS" -c"$CONNS" -d"$d" --latency -H "Authorization: Bearer $TOKEN")
    [ -n "$lua" ] && args+=(-s "$lua")
    "$WRK" "${args[@]}" "$url" >"$out" 2>&1 &
    WRK_PID=$!
    if ! wait "$WRK_PID"; then
        WRK_PID=
        die "wrk failed on $url: $(cat "$out")"
    fi
    WRK_PID=
}
rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
pct_ms() {
    awk -v p="$2" '$1 == p {
        v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
        f = (u == "us") ? 0.001 : (u == "s") ? 1000 : (u == "m") ? 60000 : 1
        printf "%.3f", v * f }' "$1"
}
non2xx() { awk '/Non-2xx or 3xx responses:/ {print $NF; f = 1} END {if (!f) print 0}' "$1"; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
# ms since midnight UTC, the clock of the access log (runs crossing midnight are not handled)
now_ms() { date -u +%H:%M:%S.%3N | awk -F'[:.]' '{print (($1 * 60 + $2) * 60 + $3) * 1000 + $4}'; }
# server_pct FROM TO METHOD PATH PCT [FIELD]: percentile (ms) of the server-side time
# (access log `us=`: request received to response queued; or FIELD, e.g. dup_check_us=,
# the duplicate check inside a creation) of the requests in the window; the client's
# view (wrk) adds the time wrk itself waits for a core
server_pct() {
    awk -v from="$1" -v to="$2" -v m="method=$3" -v p="path=\"$4\"" -v f="${6:-us}=" '
        /msg="http"/ && index($0, m " ") && index($0, p " ") {
            t = substr($1, 15, 12); split(t, a, /[:.]/)
            ms = ((a[1] * 60 + a[2]) * 60 + a[3]) * 1000 + a[4]
            if (ms < from || ms > to) next
            for (i = 1; i <= NF; i++) if (index($i, f) == 1) print substr($i, length(f) + 1) / 1000
        }' "$TMP/server.err" | sort -g | awk -v pct="$5" '
        {v[NR] = $1}
        END {
            if (!NR) { print "-"; exit }
            k = int(NR * pct / 100 + 0.5); if (k < 1) k = 1; if (k > NR) k = NR
            printf "%.3f", v[k]
        }'
}

NAMES=("GET /api/me (auth, baseline)" "search birth date + 3 letters" "search by INS" "POST /api/patients")
declare -A RPS P50 P99 BAD SP50 SP99
DUP50= DUP99=
METHODS=(GET GET GET POST)
ROUTES=(/api/me /api/patients /api/patients /api/patients)

# --- (e) latency at fixed offered rates --------------------------------------------------
declare -A OP50 OP99 OP999 OACH OBAD
if [ -n "$RATES" ]; then
    # first: the POST runs of (d) leave checkpoints behind them
    echo "== (e) loadgen at fixed offered rates ($RATES req/s), -c$CONNS, ${OPEN_SECONDS}s each, $RUNS interleaved runs"
    OPEN_PATHS=("" "$TMP/search.paths" "$TMP/ins.paths")
    OPEN_URLS=("$BASE/api/me" "$BASE/" "$BASE/")
    for ((run = 1; run <= RUNS; run++)); do
        for rate in $RATES; do
            for ((i = 0; i < 3; i++)); do
                f="$TMP/open$run.$rate.$i.txt"
                open_loop "$f" "$rate" "$CONNS" "$OPEN_SECONDS" "Authorization: Bearer $TOKEN" \
                    "${OPEN_URLS[$i]}" "${OPEN_PATHS[$i]}" || die "loadgen failed: $(cat "$f")"
                [ -n "$(lg "$f" p99_ms)" ] || die "cannot read loadgen's output: $(cat "$f")"
                OP50[$i,$rate]+=" $(lg "$f" p50_ms)"
                OP99[$i,$rate]+=" $(lg "$f" p99_ms)"
                OP999[$i,$rate]+=" $(lg "$f" p999_ms)"
                OACH[$i,$rate]+=" $(lg "$f" achieved)"
                OBAD[$i,$rate]+=" $(lg_bad "$f")"
                printf '   %-32s %6s/s offered  p50 %7.3f ms  p99 %7.3f ms  p99.9 %7.3f ms  failed+incomplete+non-2xx %s\n' \
                    "${NAMES[$i]}" "$rate" "$(lg "$f" p50_ms)" "$(lg "$f" p99_ms)" "$(lg "$f" p999_ms)" "${OBAD[$i,$rate]##* }"
            done
        done
    done
fi

echo "== (b, d) wrk -t$WRK_THREADS -c$CONNS -d$DURATION --latency (warm-up $WARMUP), $RUNS interleaved runs, server --threads $SERVER_THREADS"
for ((run = 1; run <= RUNS; run++)); do
    echo "   run $run, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    for ((i = 0; i < 4; i++)); do
        f="$TMP/run$run.$i.txt"
        t0=
        case $i in
        0) run_wrk "$TMP/warm.txt" "$WARMUP" "$BASE/api/me"
           t0=$(now_ms)
           run_wrk "$f" "$DURATION" "$BASE/api/me" ;;
        1) BENCH_PATHS="$TMP/search.paths" run_wrk "$TMP/warm.txt" "$WARMUP" "$BASE/" bench/identity_get.lua
           t0=$(now_ms)
           BENCH_PATHS="$TMP/search.paths" run_wrk "$f" "$DURATION" "$BASE/" bench/identity_get.lua ;;
        2) BENCH_PATHS="$TMP/ins.paths" run_wrk "$TMP/warm.txt" "$WARMUP" "$BASE/" bench/identity_get.lua
           t0=$(now_ms)
           BENCH_PATHS="$TMP/ins.paths" run_wrk "$f" "$DURATION" "$BASE/" bench/identity_get.lua ;;
        3) # fresh identities for each run (another seed, no duplicates): each body is sent once
           "$PARCOURS" synth --patients "$POST_BODIES" --duplicates 0 --seed $((SEED * 1000 + run)) \
               --jsonl "$TMP/posts.jsonl"
           "$PARCOURS" synth --patients 2000 --duplicates 0 --seed $((SEED * 1000 + 500 + run)) \
               --jsonl "$TMP/warm.jsonl"
           BENCH_BODIES="$TMP/warm.jsonl" BENCH_WRK_THREADS=$WRK_THREADS \
               run_wrk "$TMP/warm.txt" "$WARMUP" "$BASE/" bench/identity_post.lua
           t0=$(now_ms)
           BENCH_BODIES="$TMP/posts.jsonl" BENCH_WRK_THREADS=$WRK_THREADS \
               run_wrk "$f" "$DURATION" "$BASE/" bench/identity_post.lua ;;
        esac
        t1=$(now_ms)
        sleep 0.2 # the access log line is written when the response completes
        sp50=$(server_pct "$t0" "$t1" "${METHODS[$i]}" "${ROUTES[$i]}" 50)
        sp99=$(server_pct "$t0" "$t1" "${METHODS[$i]}" "${ROUTES[$i]}" 99)
        SP50[$i]+=" $sp50"
        SP99[$i]+=" $sp99"
        if [ "$i" = 3 ]; then
            DUP50+=" $(server_pct "$t0" "$t1" POST /api/patients 50 dup_check_us)"
            DUP99+=" $(server_pct "$t0" "$t1" POST /api/patients 99 dup_check_us)"
        fi
        r=$(rps "$f")
        p50=$(pct_ms "$f" 50%)
        p99=$(pct_ms "$f" 99%)
        [ -n "$r" ] && [ -n "$p99" ] || die "cannot read wrk's output: $(cat "$f")"
        RPS[$i]+=" $r"
        P50[$i]+=" $p50"
        P99[$i]+=" $p99"
        BAD[$i]+=" $(non2xx "$f")"
        printf '   %-32s %9.0f req/s  p50 %7.3f ms  p99 %7.3f ms  non-2xx %s  (server side: p50 %s ms, p99 %s ms)\n' \
            "${NAMES[$i]}" "$r" "$p50" "$p99" "$(non2xx "$f")" "$sp50" "$sp99"
    done
done

if [ -n "${BENCH_PERF:-}" ]; then
    command -v perf >/dev/null || die "perf not found"
    echo "== perf record on parcours (pid $SERVER_PID) during a search run -> $BENCH_PERF"
    perf record -F 499 --call-graph dwarf,16384 -p "$SERVER_PID" -o "$BENCH_PERF" >"$TMP/perf.log" 2>&1 &
    perf_pid=$!
    sleep 0.5
    BENCH_PATHS="$TMP/search.paths" run_wrk "$TMP/perf-wrk.txt" "$DURATION" "$BASE/" bench/identity_get.lua
    kill -INT "$perf_pid" 2>/dev/null || true
    wait "$perf_pid" 2>/dev/null || true
    echo "   $(rps "$TMP/perf-wrk.txt") req/s under perf; read it with: perf report -i $BENCH_PERF --no-children"
fi
echo "   patients after the POST runs: $(sqlite3 -batch "$TMP/p.db" 'SELECT count(*) FROM patient')"

# --- report ------------------------------------------------------------------------------
echo
echo "== results: N=$N, medians of $RUNS runs (wrk -t$WRK_THREADS -c$CONNS -d$DURATION; $(nproc) cores shared by wrk and the server)"
me_rps=$(median <<<"${RPS[0]}")
printf '| %-30s | %9s | %9s | %9s | %11s | %11s | %14s | %7s |\n' "what" "req/s" "p50 (ms)" "p99 (ms)" \
    "server p50" "server p99" "vs /api/me req/s" "non-2xx"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' "--------------------------------" "----------:" "----------:" \
    "----------:" "------------:" "------------:" "-----------------:" "--------:"
for ((i = 0; i < 4; i++)); do
    r=$(median <<<"${RPS[$i]}")
    printf '| %-30s | %9.0f | %9.3f | %9.3f | %11s | %11s | %15.1f%% | %7s |\n' "${NAMES[$i]}" "$r" \
        "$(median <<<"${P50[$i]}")" "$(median <<<"${P99[$i]}")" "$(median <<<"${SP50[$i]}")" \
        "$(median <<<"${SP99[$i]}")" "$(awk -v a="$r" -v b="$me_rps" 'BEGIN {print a / b * 100}')" \
        "$(tr ' ' '+' <<<"${BAD[$i]# }")"
done
echo "(p50/p99: wrk, the client's view; server p50/p99: the access log's time per request)"
echo "duplicate check inside POST /api/patients (access log dup_check_us): p50 $(median <<<"$DUP50") ms, p99 $(median <<<"$DUP99") ms"
if [ -n "$RATES" ]; then
    echo
    echo "== (e) at fixed offered rates, medians of $RUNS runs (bench/loadgen -c$CONNS, Poisson arrivals, latency from arrival)"
    printf '| %-30s | %9s | %9s | %10s | %9s | %9s | %9s | %9s |\n' "what" "offered/s" "achieved/s" \
        "of its max" "p50 (ms)" "p99 (ms)" "p99.9 (ms)" "bad"
    printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' "--------------------------------" "----------:" "-----------:" \
        "-----------:" "----------:" "----------:" "-----------:" "----------:"
    for rate in $RATES; do
        for ((i = 0; i < 3; i++)); do
            printf '| %-30s | %9s | %10.0f | %9.0f%% | %9.3f | %9.3f | %10.3f | %9s |\n' "${NAMES[$i]}" "$rate" \
                "$(median <<<"${OACH[$i,$rate]}")" "$(awk -v r="$rate" -v m="$(median <<<"${RPS[$i]}")" 'BEGIN {print r / m * 100}')" \
                "$(median <<<"${OP50[$i,$rate]}")" "$(median <<<"${OP99[$i,$rate]}")" \
                "$(median <<<"${OP999[$i,$rate]}")" "$(tr ' ' '+' <<<"${OBAD[$i,$rate]# }")"
        done
    done
    echo "(of its max: the offered rate over the same request's saturated rate, wrk, in (b); bad: failed + incomplete + non-2xx)"
fi
echo
verdict() { if awk "BEGIN {exit !($1)}"; then echo PASS; else echo FAIL; fi; }
printf '%s  load >= 50,000 patients/s on SQLite (%s/s%s%s)\n' \
    "$(verdict "$LOAD_RATE >= 50000")" "$LOAD_RATE" "${KEEP_RATE:+; keeping the indexes: $KEEP_RATE/s}" \
    "${PG_RATE:+; PostgreSQL: $PG_RATE/s}"
printf '%s  search birth date + 3 letters p99 < 5 ms (%s ms)\n' \
    "$(verdict "$(median <<<"${P99[1]}") < 5")" "$(median <<<"${P99[1]}")"
printf '%s  INS lookup p99 < 2 ms (%s ms)\n' "$(verdict "$(median <<<"${P99[2]}") < 2")" "$(median <<<"${P99[2]}")"
for rate in $RATES; do
    printf '%s  search p99 < 5 ms at %s req/s offered (%s ms; /api/me at that rate: %s ms)\n' \
        "$(verdict "$(median <<<"${OP99[1,$rate]}") < 5")" "$rate" "$(median <<<"${OP99[1,$rate]}")" "$(median <<<"${OP99[0,$rate]}")"
    printf '%s  INS lookup p99 < 2 ms at %s req/s offered (%s ms; /api/me at that rate: %s ms)\n' \
        "$(verdict "$(median <<<"${OP99[2,$rate]}") < 2")" "$rate" "$(median <<<"${OP99[2,$rate]}")" "$(median <<<"${OP99[0,$rate]}")"
done
printf '%s  POST /api/patients p99 < 10 ms, end to end (%s ms)\n' "$(verdict "$(median <<<"${P99[3]}") < 10")" "$(median <<<"${P99[3]}")"
printf '%s  duplicate check on creation p99 < 10 ms, inside the server (%s ms)\n' \
    "$(verdict "$(median <<<"$DUP99") < 10")" "$(median <<<"$DUP99")"
if [ -n "$RECALL" ]; then
    printf '%s  duplicate detection recall >= 0.95 (%s)\n' "$(verdict "$RECALL >= 0.95")" "$RECALL"
    printf '%s  duplicate detection precision >= 0.98 (%s over the query set; %s estimated over the whole set)\n' \
        "$(verdict "$PRECISION >= 0.98")" "$PRECISION" "$PRECISION_SET"
fi
exit 0
