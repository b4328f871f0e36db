#!/usr/bin/env bash
# Instructions per latest-50-notes read, counted by callgrind: a measure that
# does not move with the machine's load (unlike time or CPU time on a shared
# VM), for A/B of builds. It counts instructions, not memory stalls or system
# calls: a change that touches fewer pages shows in bench/journal.sh, not here.
#   bench/journal_instr.sh [BIN ...]          default: build/release/parcours
#   e.g. bench/journal_instr.sh /tmp/parcours.before build/release/parcours
# A fresh database of PATIENTS (1,000) patients x 10 members and NOTES (100,000)
# notes, made with the current build (a binary of an older schema may refuse
# it); each binary serves it under valgrind, logs in, then the counters are
# zeroed and READS (600) reads of random patients are counted. The audit spool
# is moved once, at the end (its writer's commits would otherwise follow the
# clock, and each one empties the readers' page caches). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 2; }
PATIENTS=${PATIENTS:-1000}
NOTES=${NOTES:-100000}
READS=${READS:-600}
# shellcheck source=bench/journal_data.sh
. bench/journal_data.sh
make -s >/dev/null
journal_gen_build
[ $# -ge 1 ] || set -- build/release/parcours
tmp=$(mktemp -d /tmp/parcours-bench-instr.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

db=(--db "sqlite:$tmp/j.db" --secret-file "$tmp/secret")
journal_make "sqlite:$tmp/j.db" "$tmp/secret" "$PATIENTS" 10 "$NOTES" >/dev/null
awk -v n="$PATIENTS" -v k="$READS" 'BEGIN { srand(3); for (i = 0; i < k; i++)
    printf "/api/patients/%d/notes?limit=50\n", 1 + int(rand() * n) }' >"$tmp/paths"

# inclusive instructions of the first function whose name matches (fails
# when none does: a function inlined away would otherwise read as 0)
incl() {
    local n
    n=$(callgrind_annotate --inclusive=yes "$tmp/cg.out" 2>/dev/null |
        awk -v f="$1" '!found && $0 ~ f { gsub(",", "", $1); print $1; found = 1 }')
    [ -n "$n" ] || { echo "$bin: $1 not in the profile" >&2; exit 1; }
    echo "$n"
}

for bin in "$@"; do
    rm -f "$tmp"/cg.out* "$tmp/out"
    PARCOURS_AUDIT_SPOOL_GATHER_US=600000000 valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" --toggle-collect=on_request \
        "$bin" serve "${db[@]}" --http 127.0.0.1:0 --threads 1 >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    for _ in $(seq 1 300); do grep -q listening "$tmp/out" 2>/dev/null && break; sleep 0.1; done
    port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$tmp/out")
    [ -n "$port" ] || { echo "$bin did not start:" >&2; cat "$tmp/err" >&2; exit 1; }
    token=$(curl -s -X POST "http://127.0.0.1:$port/api/session" -H 'Content-Type: application/json' \
        -d '{"login":"dr.martin","password":"parcours-demo"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
    callgrind_control --zero "$pid" >/dev/null # forget the login (argon2id)
    ok=0
    while read -r path; do
        code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
            "http://127.0.0.1:$port$path")
        [ "$code" = 200 ] && ok=$((ok + 1))
    done <"$tmp/paths"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    pid=
    [ "$ok" = "$READS" ] || { echo "$bin: only $ok of $READS reads answered 200" >&2; exit 1; }
    total=$(incl 'server.c:on_request \\[')
    list=$(incl 'journal_store.c:journal_store_list \\[')
    render=$(incl 'api_journal.c:render_note \\[')
    authz=$(incl 'circle.c:authz_patient_family \\[')
    printf '%-40s instructions per read: request %d, notes query %d, rendering %d, circle check %d\n' \
        "$bin" $((total / ok)) $((list / ok)) $((render / ok)) $((authz / ok))
done
