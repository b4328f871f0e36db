#!/bin/sh
# A throw-away PostgreSQL cluster for the tests, on 127.0.0.1 and a free port,
# in a temporary directory, run as an unprivileged user (initdb refuses root).
#   scripts/pg-cluster.sh start DIR   prints the postgres:// URL of a superuser
#   scripts/pg-cluster.sh stop DIR
set -eu
cmd=$1
dir=$2
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/initdb" ] || { echo "pg-cluster: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
if [ "$(id -u)" = 0 ]; then
    runas() { runuser -u postgres -- "$@"; }
else
    runas() { "$@"; }
fi
case "$cmd" in
start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
           echo $((20000 + $$ % 20000)))
    runas "$bindir/initdb" -D "$dir/data" -U parcours -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    runas "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-h 127.0.0.1 -p $port -k $dir -c fsync=on -c max_connections=200" start >/dev/null ||
        { cat "$dir/server.log" >&2; exit 1; }
    echo "$port" >"$dir/port"
    echo "postgres://parcours@127.0.0.1:$port/postgres"
    ;;
stop)
    [ -d "$dir/data" ] && runas "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
*)
    echo "usage: pg-cluster.sh start|stop DIR" >&2
    exit 2
    ;;
esac
