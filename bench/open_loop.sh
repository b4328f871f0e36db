# shellcheck shell=bash
# bench/open_loop.sh: sourced by the bench scripts (bash). Latency at a fixed
# offered rate with bench/loadgen (see its header): requests arrive at random at
# RATE per second over CONNS keep-alive connections, whatever the server does,
# and each one's latency counts from its arrival. wrk measures the saturated
# closed loop; this measures what a population of users sees at a given load.

LOADGEN=build/bench/loadgen

open_loop_build() {
    mkdir -p build/bench
    cc -O2 -std=c17 -D_GNU_SOURCE -Wall -Wextra bench/loadgen.c -lm -o "$LOADGEN"
}

# open_loop OUT RATE CONNS SECONDS HEADER URL [PATHS]: one run (1 s of warm-up
# inside it, not measured); loadgen's key=value line goes to OUT. A run whose
# requests failed or did not complete still writes its line (exit status 2).
open_loop() {
    local out=$1 rate=$2 conns=$3 secs=$4 header=$5 url=$6 paths=${7:-}
    local args=(-r "$rate" -d "$secs" -w 1 -c "$conns" -H "$header")
    [ -n "$paths" ] && args+=(-p "$paths")
    "$LOADGEN" "${args[@]}" "$url" >"$out" 2>&1 || [ $? = 2 ]
}

# lg FILE KEY: one figure of a loadgen line (offered, achieved, p99_ms, ...)
lg() { sed -n "s/.* $2=\([0-9.]*\).*/\1/p" "$1"; }

# lg_bad FILE: requests of that line that failed, did not complete or were not 2xx
lg_bad() { echo $(($(lg "$1" failed) + $(lg "$1" incomplete) + $(lg "$1" non2xx))); }
