#!/bin/sh
# Import benchmark: `parcours import annuaire` on a generated PS_LibreAcces file
# (bench/gen_annuaire.py), on a fresh SQLite database, then on PostgreSQL when
# PARCOURS_BENCH_PG names a server (a role that may create databases). Each backend
# is measured twice: the first import (inserts) and a re-import of the same file
# (updates). Peak memory is /usr/bin/time -v's maximum resident set size, split
# into private (anon) and file-mapped pages by sampling /proc.
#   sh bench/import.sh [LINES] [BINARY]      default 200000 build/release/parcours
set -eu
lines=${1:-200000}
bin=$(realpath "${2:-build/release/parcours}")
tmp=$(mktemp -d /tmp/parcours-import-bench.XXXXXX)
pgdb=""
cleanup() {
    [ -n "$pgdb" ] && psql "$PARCOURS_BENCH_PG" -qc "DROP DATABASE IF EXISTS $pgdb" >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

python3 "$(dirname "$0")/gen_annuaire.py" "$lines" >"$tmp/annuaire.txt"
echo "file: $lines lines, $(wc -c <"$tmp/annuaire.txt") bytes; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"

# Samples /proc/PID/status until PID ends; prints the peaks of RssAnon (private
# memory: heap, SQLite's page cache) and RssFile (mapped file pages: SQLite's
# mmap of the database), which /usr/bin/time adds up in its maximum RSS.
peaks() {
    anon=0 file=0
    while [ -r "/proc/$1/status" ]; do
        set -- "$1" $(awk '/^RssAnon/ { a = $2 } /^RssFile/ { f = $2 } END { print a + 0, f + 0 }' \
            "/proc/$1/status" 2>/dev/null || echo 0 0)
        [ "$2" -gt "$anon" ] && anon=$2
        [ "$3" -gt "$file" ] && file=$3
        sleep 0.05
    done
    echo "$anon $file"
}

measure() { # backend url
    "$bin" init --db "$2" --secret-file "$tmp/secret" >/dev/null
    for pass in first re-import; do
        status=0
        /usr/bin/time -v "$bin" import annuaire "$tmp/annuaire.txt" --db "$2" \
            --secret-file "$tmp/secret" >"$tmp/out" 2>"$tmp/time" &
        timer=$!
        sleep 0.05
        child=$(pgrep -P "$timer" | head -n 1 || true)
        set -- "$1" "$2" $( [ -n "$child" ] && peaks "$child" || echo 0 0)
        wait "$timer" || status=$?
        [ "$status" -eq 0 ] || { cat "$tmp/out" "$tmp/time" >&2; exit 1; }
        echo "$3 $4" >"$tmp/peaks"
        awk -v backend="$1" -v pass="$pass" -v lines="$lines" -F': ' '
            /Elapsed \(wall clock\)/ { n = split($2, t, ":"); wall = (n == 3) ? t[1] * 3600 + t[2] * 60 + t[3] : t[1] * 60 + t[2] }
            /User time/ { cpu += $2 }
            /System time/ { cpu += $2 }
            /Maximum resident set size/ { rss = $2 / 1024 }
            END { getline p < peaks; split(p, k, " ")
                  printf "%-8s %-10s %7.1f s wall (%5.0f lines/s)  %6.1f s CPU (%6.0f lines/s)  max RSS %5.1f MiB (anon %5.1f, file %5.1f)\n",
                  backend, pass, wall, lines / wall, cpu, lines / cpu, rss, k[1] / 1024, k[2] / 1024 }' \
            peaks="$tmp/peaks" "$tmp/time"
    done
    grep -o 'inserted [0-9]*, updated [0-9]*' "$tmp/out" | sed "s/^/         last pass: /"
}

measure sqlite "sqlite:$tmp/parcours.db"
echo "         database file: $(du -m "$tmp/parcours.db" | cut -f1) MiB"
if [ -n "${PARCOURS_BENCH_PG:-}" ]; then
    pgdb="parcours_bench_$$"
    psql "$PARCOURS_BENCH_PG" -qc "CREATE DATABASE $pgdb" >/dev/null
    url=$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$PARCOURS_BENCH_PG" "$pgdb")
    measure postgres "$url"
fi
