# The journal benchmarks' data set, sourced by bench/journal.sh and
# bench/journal_instr.sh (from the repository's root).

# Builds build/bench/gen_journal against the release library.
journal_gen_build() {
    mkdir -p build/bench
    cc -O2 -std=c17 -D_GNU_SOURCE -Isrc bench/gen_journal.c build/release/libparcours.a \
        $(pkg-config --libs libmicrohttpd sqlite3 libpq libsodium libcjson) -lpthread -lm \
        -o build/bench/gen_journal
}

# journal_make URL SECRET PATIENTS MEMBERS NOTES: a new database with the demo
# accounts and MEMBERS - 1 bench users; each patient's circle is dr.martin and
# those users; NOTES notes spread at random over the patients.
journal_make() {
    local common=(--db "$1" --secret-file "$2") users=() i
    build/release/parcours init "${common[@]}" >/dev/null
    build/release/parcours demo "${common[@]}" >/dev/null
    for i in $(seq 1 $(($4 - 1))); do
        echo "bench-password-$i" | build/release/parcours user add "bench.$i" --role professional \
            --password-stdin "${common[@]}" >/dev/null
        users+=("bench.$i")
    done
    build/bench/gen_journal "$1" "$3" "$4" "$5" dr.martin "${users[@]}"
}
