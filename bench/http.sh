#!/usr/bin/env bash
# bench/http.sh: parcours' HTTP throughput against a bare libmicrohttpd
# hello-world (bench/hello.c) measured in the same run, on loopback only.
#
#   bench/http.sh            (from the repository root; also `make bench`)
#   BENCH_DURATION=3s BENCH_WARMUP=1s bench/http.sh     a quick run
#
# Environment (defaults in brackets):
#   BENCH_DURATION     wrk duration of each measurement [10s]
#   BENCH_WARMUP       wrk warm-up before each measurement, discarded [2s]
#   BENCH_RUNS         interleaved repetitions; the median is reported [3]
#   BENCH_CONNECTIONS  wrk connections [64]
#   BENCH_WRK_THREADS  wrk threads [2]
#   BENCH_SERVER_THREADS  parcours --threads (hello always uses a pool of 2) [2]
#   BENCH_STRICT=1     exit with status 1 when a target fails (default: report only)
#   BENCH_PERF=FILE    also `perf record --call-graph dwarf` on parcours during one
#                      extra GET /api/me run, into FILE (perf.data format)
#   PARCOURS_BENCH_PG  URL of an EMPTY PostgreSQL database: also measure parcours on it
#   WRK                the wrk binary [/usr/bin/wrk, else wrk from PATH]
#
# Prints, as medians: req/s, p99, the ratio to the hello-world's req/s in the
# same run, the CPU time per request of the server and of wrk (from /proc; far
# less sensitive to other jobs than req/s), and the "CPU-bound ratio": hello's
# (server + wrk) CPU per request over this one's, i.e. the req/s ratio to expect
# when the cores are the limit. Then parcours' VmRSS and the targets:
# authenticated GET /api/me >= 50% of the hello-world's req/s (measured ratio);
# parcours' idle RSS after start-up < 20 MiB.

# `make bench` runs this file with sh: re-run it with bash.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-2s}
RUNS=${BENCH_RUNS:-3}
CONNS=${BENCH_CONNECTIONS:-64}
WRK_THREADS=${BENCH_WRK_THREADS:-2}
SERVER_THREADS=${BENCH_SERVER_THREADS:-2}
WRK=${WRK:-$(command -v /usr/bin/wrk || command -v wrk || true)}
PARCOURS=build/release/parcours
HELLO=build/bench/hello

die() { echo "bench/http.sh: $*" >&2; exit 1; }
[ -n "$WRK" ] || die "wrk not found (apt-get install -y wrk)"
command -v curl >/dev/null || die "curl not found"
command -v pkg-config >/dev/null || die "pkg-config not found"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"

PIDS=()
WRK_PID=
TMP=
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    local p
    if [ -n "$WRK_PID" ]; then kill "$WRK_PID" 2>/dev/null || true; fi
    for p in "${PIDS[@]}"; do
        kill -TERM "$p" 2>/dev/null || true
    done
    for p in "${PIDS[@]}"; do
        wait "$p" 2>/dev/null || true
    done
    [ -n "$TMP" ] && rm -rf "$TMP"
    return 0
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

# --- build --------------------------------------------------------------------
mkdir -p build/bench
echo "== building build/bench/hello and build/release/parcours"
# shellcheck disable=SC2046  # pkg-config output is meant to be split
cc -O2 -std=c17 -D_GNU_SOURCE -Wall -Wextra bench/hello.c -o "$HELLO" \
    $(pkg-config --cflags --libs libmicrohttpd)
# (retried: another `make` or `make clean` may be running in the same tree)
for attempt in 1 2 3; do
    if make --no-print-directory -s all >/dev/null && [ -x "$PARCOURS" ]; then break; fi
    [ "$attempt" = 3 ] && die "make failed or $PARCOURS missing"
    sleep 5
done

# --- database and servers -----------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/parcours-bench.XXXXXX")
# run a private copy: a concurrent `make` cannot swap the binary under the bench
cp "$PARCOURS" "$TMP/parcours"
PARCOURS="$TMP/parcours"
DB="sqlite:$TMP/p.db"
SECRET="$TMP/secret"
"$PARCOURS" init --db "$DB" --secret-file "$SECRET" >/dev/null
"$PARCOURS" demo --db "$DB" --secret-file "$SECRET" >/dev/null

# start_server NAME CMD...: starts CMD (which prints "listening on http://H:PORT/"
# on stdout), records its pid in PIDS and in PID[NAME], its port in PORT[NAME].
declare -A PORT PID
start_server() {
    local name=$1
    shift
    local out="$TMP/$name.out"
    "$@" >"$out" 2>/dev/null &
    local pid=$!
    PIDS+=("$pid")
    local i port=
    for ((i = 0; i < 200; i++)); do
        port=$(sed -n 's|.*listening on http://[0-9.]*:\([0-9]*\)/.*|\1|p' "$out" | head -n1)
        [ -n "$port" ] && break
        kill -0 "$pid" 2>/dev/null || die "$name exited at start-up"
        sleep 0.05
    done
    [ -n "$port" ] || die "$name did not start listening"
    PORT[$name]=$port
    PID[$name]=$pid
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# cpu_ticks PID: user + system CPU time of the process, in clock ticks
cpu_ticks() { awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$1/stat"; }
# child_ticks: CPU time of this shell's reaped children (wrk, once waited for)
child_ticks() { awk '{sub(/^.*\) /, ""); print $14 + $15}' "/proc/$$/stat"; }
CLK_TCK=$(getconf CLK_TCK)
# per_req TICKS FILE: microseconds per request of TICKS over wrk's request count
per_req() {
    awk -v t="$1" -v hz="$CLK_TCK" -v n="$(nreq "$2")" \
        'BEGIN {printf "%.2f", (n > 0 ? t * 1e6 / hz / n : 0)}'
}
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

# port 0: each server takes a free loopback port and prints it
start_server hello "$HELLO" 0
start_server sqlite "$PARCOURS" serve --db "$DB" --secret-file "$SECRET" \
    --http 127.0.0.1:0 --threads "$SERVER_THREADS" --web-root web
if [ -n "${PARCOURS_BENCH_PG:-}" ]; then
    "$PARCOURS" init --db "$PARCOURS_BENCH_PG" --secret-file "$SECRET" >/dev/null
    "$PARCOURS" demo --db "$PARCOURS_BENCH_PG" --secret-file "$SECRET" >/dev/null
    start_server pg "$PARCOURS" serve --db "$PARCOURS_BENCH_PG" --secret-file "$SECRET" \
        --http 127.0.0.1:0 --threads "$SERVER_THREADS" --web-root web
fi
sleep 0.5
RSS_START=$(rss_kb "${PID[sqlite]}")

# login: POST /api/session -> {"token": "..."}
login() {
    local body
    body=$(curl -sS --max-time 10 -H 'Content-Type: application/json' \
        -d '{"login":"admin","password":"parcours-admin"}' "http://127.0.0.1:$1/api/session")
    sed -n 's/.*"token"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' <<<"$body"
}
TOKEN_sqlite=$(login "${PORT[sqlite]}")
[ -n "$TOKEN_sqlite" ] || die "login failed on the SQLite server"
if [ -n "${PARCOURS_BENCH_PG:-}" ]; then
    TOKEN_pg=$(login "${PORT[pg]}")
    [ -n "$TOKEN_pg" ] || die "login failed on the PostgreSQL server"
fi
sleep 0.5
RSS_LOGIN=$(rss_kb "${PID[sqlite]}")

# --- what is measured -----------------------------------------------------------
# NAMES[i] label, URLS[i], AUTH[i] token or empty
NAMES=("libmicrohttpd hello-world" "parcours GET /healthz" "parcours GET /api/me (auth)")
URLS=("http://127.0.0.1:${PORT[hello]}/" "http://127.0.0.1:${PORT[sqlite]}/healthz"
    "http://127.0.0.1:${PORT[sqlite]}/api/me")
AUTH=("" "" "$TOKEN_sqlite")
SRV=("${PID[hello]}" "${PID[sqlite]}" "${PID[sqlite]}")
if [ -n "${PARCOURS_BENCH_PG:-}" ]; then
    NAMES+=("parcours/PG GET /healthz" "parcours/PG GET /api/me (auth)")
    URLS+=("http://127.0.0.1:${PORT[pg]}/healthz" "http://127.0.0.1:${PORT[pg]}/api/me")
    AUTH+=("" "$TOKEN_pg")
    SRV+=("${PID[pg]}" "${PID[pg]}")
fi
N=${#NAMES[@]}

for ((i = 0; i < N; i++)); do
    args=(-s -o /dev/null -w '%{http_code}' --max-time 10)
    [ -n "${AUTH[$i]}" ] && args+=(-H "Authorization: Bearer ${AUTH[$i]}")
    code=$(curl "${args[@]}" "${URLS[$i]}")
    [ "$code" = 200 ] || die "${NAMES[$i]}: ${URLS[$i]} answered $code, not 200"
done

# servers_alive: reports (on stderr) every server that is no longer running
servers_alive() {
    local name rc
    for name in "${!PID[@]}"; do
        if ! kill -0 "${PID[$name]}" 2>/dev/null; then
            rc=0
            wait "${PID[$name]}" 2>/dev/null || rc=$?
            echo "bench/http.sh: server '$name' (pid ${PID[$name]}) is gone, exit status $rc" \
                "(>128: killed by signal status-128)" >&2
        fi
    done
}

# run_wrk DURATION OUTFILE URL [TOKEN]: wrk in the background so that the EXIT
# trap can stop it
run_wrk() {
    local d=$1 out=$2 url=$3 token=${4:-}
    local args=(-t"$WRK_THREADS" -c"$CONNS" -d"$d" --latency)
    [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
    "$WRK" "${args[@]}" "$url" >"$out" 2>&1 &
    WRK_PID=$!
    if ! wait "$WRK_PID"; then
        WRK_PID=
        servers_alive
        die "wrk failed on $url: $(cat "$out")"
    fi
    WRK_PID=
}

# rps FILE, nreq FILE, p99_ms FILE, non2xx FILE, sockerr FILE
rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
nreq() { awk '/ requests in / {print $1}' "$1"; }
p99_ms() {
    awk '$1 == "99%" {
        v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
        f = (u == "us") ? 0.001 : (u == "s") ? 1000 : (u == "m") ? 60000 : 1
        printf "%.3f", v * f }' "$1"
}
non2xx() { awk '/Non-2xx or 3xx responses:/ {print $NF; f = 1} END {if (!f) print 0}' "$1"; }
sockerr() { grep -o 'Socket errors:.*' "$1" || true; }
median() { tr ' ' '\n' | awk 'NF' | sort -g | awk '{a[NR] = $1} END {print (NR ? a[int((NR + 1) / 2)] : 0)}'; }

echo "== wrk -t$WRK_THREADS -c$CONNS -d$DURATION --latency (warm-up $WARMUP), $RUNS interleaved runs"
echo "   $(nproc) cores, load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   hello pid ${PID[hello]} port ${PORT[hello]}; parcours (SQLite) pid ${PID[sqlite]} port ${PORT[sqlite]}"
declare -A RPS P99 RATIO CPU WCPU CRATIO
BAD=0
for ((run = 1; run <= RUNS; run++)); do
    for ((i = 0; i < N; i++)); do
        f="$TMP/run$run.$i.txt"
        run_wrk "$WARMUP" "$TMP/warmup.txt" "${URLS[$i]}" "${AUTH[$i]}"
        c0=$(cpu_ticks "${SRV[$i]}")
        w0=$(child_ticks)
        run_wrk "$DURATION" "$f" "${URLS[$i]}" "${AUTH[$i]}"
        w1=$(child_ticks)
        c1=$(cpu_ticks "${SRV[$i]}")
        r=$(rps "$f")
        # CPU time per request of the server and of wrk: much less sensitive
        # than req/s to other jobs on the machine
        cpu=$(per_req $((c1 - c0)) "$f")
        wcpu=$(per_req $((w1 - w0)) "$f")
        CPU[$i]+=" $cpu"
        WCPU[$i]+=" $wcpu"
        p=$(p99_ms "$f")
        if [ -z "$r" ] || [ -z "$p" ]; then die "cannot read wrk's output: $(cat "$f")"; fi
        RPS[$i]+=" $r"
        P99[$i]+=" $p"
        bad=$(non2xx "$f")
        err=$(sockerr "$f")
        if [ "$bad" != 0 ] || [ -n "$err" ]; then
            BAD=1
            echo "   WARNING ${NAMES[$i]}: non-2xx=$bad ${err}"
        fi
        printf '   run %d  %-32s %8.0f req/s  p99 %8.3f ms  CPU/req: server %6.2f us, wrk %6.2f us\n' \
            "$run" "${NAMES[$i]}" "$r" "$p" "$cpu" "$wcpu"
    done
    hello=$(rps "$TMP/run$run.0.txt")
    hello_cost=$(awk -v a="${CPU[0]##* }" -v b="${WCPU[0]##* }" 'BEGIN {print a + b}')
    for ((i = 0; i < N; i++)); do
        RATIO[$i]+=" $(awk -v a="$(rps "$TMP/run$run.$i.txt")" -v b="$hello" 'BEGIN {printf "%.4f", a / b}')"
        # the req/s ratio expected when the cores are the limit: hello's CPU
        # cost per request (server + wrk) over this one's
        CRATIO[$i]+=" $(awk -v h="$hello_cost" -v a="${CPU[$i]##* }" -v b="${WCPU[$i]##* }" \
            'BEGIN {printf "%.4f", (a + b > 0 ? h / (a + b) : 0)}')"
    done
done

# --- optional profile ------------------------------------------------------------
if [ -n "${BENCH_PERF:-}" ]; then
    command -v perf >/dev/null || die "perf not found"
    echo "== perf record --call-graph dwarf on parcours (pid ${PID[sqlite]}) during GET /api/me -> $BENCH_PERF"
    # the binaries have no frame pointers: unwind with DWARF
    perf record -F 499 --call-graph dwarf,16384 -p "${PID[sqlite]}" -o "$BENCH_PERF" \
        >"$TMP/perf.log" 2>&1 &
    perf_pid=$!
    PIDS+=("$perf_pid")
    sleep 0.5
    run_wrk "$DURATION" "$TMP/perf-wrk.txt" "${URLS[2]}" "$TOKEN_sqlite"
    kill -TERM "$perf_pid" 2>/dev/null || true
    wait "$perf_pid" 2>/dev/null || true
    echo "   $(rps "$TMP/perf-wrk.txt") req/s under perf; read it with: perf report -i $BENCH_PERF --no-children"
fi

sleep 1
RSS_AFTER=$(rss_kb "${PID[sqlite]}")
RSS_HELLO=$(rss_kb "${PID[hello]}")

# --- report ---------------------------------------------------------------------
echo
echo "== medians of $RUNS runs (wrk -t$WRK_THREADS -c$CONNS -d$DURATION, $(nproc) cores shared by wrk and the server)"
printf '| %-30s | %8s | %8s | %14s | %14s | %11s | %15s |\n' "what" "req/s" "p99 (ms)" \
    "vs hello req/s" "server CPU/req" "wrk CPU/req" "CPU-bound ratio"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' "--------------------------------" "---------:" "---------:" \
    "---------------:" "---------------:" "------------:" "----------------:"
for ((i = 0; i < N; i++)); do
    r=$(median <<<"${RPS[$i]}")
    p=$(median <<<"${P99[$i]}")
    q=$(median <<<"${RATIO[$i]}")
    c=$(median <<<"${CPU[$i]}")
    w=$(median <<<"${WCPU[$i]}")
    cq=$(median <<<"${CRATIO[$i]}")
    printf '| %-30s | %8.0f | %8.2f | %14.0f%% | %11.1f us | %8.1f us | %14.0f%% |\n' \
        "${NAMES[$i]}" "$r" "$p" "$(awk -v q="$q" 'BEGIN {print q * 100}')" "$c" "$w" \
        "$(awk -v q="$cq" 'BEGIN {print q * 100}')"
done
echo
echo "RSS (VmRSS): parcours idle after start-up $(mib "$RSS_START") MiB;" \
    "after login $(mib "$RSS_LOGIN") MiB; idle after the load $(mib "$RSS_AFTER") MiB;" \
    "hello after the load $(mib "$RSS_HELLO") MiB"
echo

# --- targets ----------------------------------------------------------------------
FAIL=0
me_ratio=$(median <<<"${RATIO[2]}")
if awk -v q="$me_ratio" 'BEGIN {exit !(q >= 0.5)}'; then verdict=PASS; else verdict=FAIL; FAIL=1; fi
printf '%s  authenticated GET /api/me >= 50%% of hello-world req/s (median ratio %.0f%%;' \
    "$verdict" "$(awk -v q="$me_ratio" 'BEGIN {print q * 100}')"
printf ' CPU-bound estimate %.0f%%)\n' "$(awk -v q="$(median <<<"${CRATIO[2]}")" 'BEGIN {print q * 100}')"
if [ "$RSS_START" -lt 20480 ]; then verdict=PASS; else verdict=FAIL; FAIL=1; fi
printf '%s  parcours idle RSS after start-up < 20 MiB (%s MiB)\n' "$verdict" "$(mib "$RSS_START")"
if [ "$BAD" != 0 ]; then
    echo "WARNING: some runs had non-2xx answers or socket errors (see above)"
fi
if [ "$FAIL" != 0 ] && [ "${BENCH_STRICT:-0}" = 1 ]; then
    exit 1
fi
exit 0
