/* libFuzzer target for the directory import's parser (core/directory_import):
 * the header mapping and the parsing and checking of one data line, as
 * `parcours import annuaire` applies them to an untrusted file. No database.
 *
 * Build and run (from the repository root, after `make` has generated
 * build/release/gen/migrations.c):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
 *       -std=c17 -D_GNU_SOURCE -Isrc $(pkg-config --cflags libpq libcjson) fuzz/fuzz_annuaire.c \
 *       $(find src -name '*.c' ! -name main.c) build/release/gen/migrations.c \
 *       $(pkg-config --libs libmicrohttpd sqlite3 libpq libsodium libcjson) -lpthread -lm \
 *       -o build/fuzz_annuaire
 *   build/fuzz_annuaire -max_total_time=60 -max_len=4096 fuzz/corpus/annuaire
 *
 * The input's first line is the header, the rest one data line. Beyond memory
 * safety it checks the contracts the importer relies on: a rejection always
 * has a code and a message; an accepted row has an IDNPS of type + identifier,
 * a non-empty name key made of A-Z and one space, and an organisation import
 * key whenever it has an organisation. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/directory_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

static bool key_alphabet(const char *k)
{
    int spaces = 0;
    for (; *k; k++) {
        if (*k == ' ')
            spaces++;
        else if (*k < 'A' || *k > 'Z')
            return false;
    }
    return spaces == 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > DIRECTORY_IMPORT_MAX_LINE)
        return 0;
    const uint8_t *nl = memchr(data, '\n', size);
    size_t hlen = nl ? (size_t)(nl - data) : size;
    size_t llen = nl ? size - hlen - 1 : 0;
    char *header = malloc(hlen + 1), *line = malloc(llen + 1);
    memcpy(header, data, hlen);
    header[hlen] = '\0';
    if (llen)
        memcpy(line, nl + 1, llen);
    line[llen] = '\0';

    arena a;
    arena_init(&a, 0);
    dir_import_columns cols;
    core_error err = {0};
    if (directory_import_header(&a, header, hlen, &cols, &err) != CORE_OK) {
        CHECK(err.code && err.message);
        goto out;
    }
    CHECK(cols.count >= 1);
    for (int i = 0; i < DIC_COUNT; i++)
        CHECK(cols.at[i] >= -1 && cols.at[i] < cols.count);
    dir_import_row row;
    memset(&err, 0, sizeof err);
    core_rc rc = directory_import_parse(&a, &cols, line, llen, &row, &err);
    if (rc != CORE_OK) {
        CHECK(rc == CORE_INVALID && err.code && err.message);
        goto out;
    }
    CHECK(row.pro.idnps && row.pro.id_type && row.pro.identifier);
    CHECK(strlen(row.pro.idnps) == 1 + strlen(row.pro.identifier));
    CHECK(row.pro.idnps[0] == row.pro.id_type[0]);
    CHECK(row.pro.norm_name && key_alphabet(row.pro.norm_name) && row.pro.norm_name[0] != ' ');
    CHECK(row.pro.family_name && row.pro.profession_code);
    if (row.has_org)
        CHECK(row.org.import_key && *row.org.import_key && row.org.name && row.org.norm_name &&
              *row.org.norm_name);
out:
    arena_free(&a);
    free(header);
    free(line);
    return 0;
}
