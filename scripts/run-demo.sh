#!/bin/sh
# make run: a ready-to-use platform on the embedded database. Creates
# var/parcours.db (SQLite) with the demonstration accounts on the first run,
# migrates it on later runs, and serves http://127.0.0.1:8080/.
set -eu
bin=${1:-build/release/parcours}
db=${PARCOURS_DB:-sqlite:var/parcours.db}
export PARCOURS_DB="$db"
mkdir -p var
"$bin" init
"$bin" demo
echo
echo "Ouvrez http://${PARCOURS_HTTP:-127.0.0.1:8080}/ (Ctrl-C pour arrêter)."
exec "$bin" serve
