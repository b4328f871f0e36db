/* libFuzzer target for patient identity: core/ins and core/name_match.
 *
 * Build and run (from the repository root):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
 *       -std=c17 -D_GNU_SOURCE -Isrc fuzz/fuzz_names.c src/core/ins.c src/core/name_match.c \
 *       -o build/fuzz_names
 *   build/fuzz_names -max_total_time=60 -max_len=600 fuzz/corpus/names
 *
 * The input is split in two strings at its first NUL byte (or in the middle when
 * there is none): the first is the value under test, the second the other name
 * for pairwise functions. Beyond memory safety, the target checks the contracts
 * that callers rely on (output alphabets, bounds, idempotence, symmetry) and
 * traps when one breaks. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/ins.h"
#include "core/name_match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Larger than NM_NAME_MAX so that the length limits are exercised too. */
#define PART_MAX 600

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

static void split(const uint8_t *data, size_t size, char *a, char *b)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t la = nul ? (size_t)(nul - data) : size / 2;
    size_t start_b = nul ? la + 1 : la;
    size_t lb = size - start_b;

    if (la > PART_MAX)
        la = PART_MAX;
    if (lb > PART_MAX)
        lb = PART_MAX;
    memcpy(a, data, la);
    a[la] = '\0';
    memcpy(b, data + start_b, lb);
    b[lb] = '\0';
}

static void fuzz_ins(const char *a, const char *b)
{
    ins_error err;
    char sex = b[0] == 'M' || b[0] == 'F' ? b[0] : 0;
    ins_result r = ins_check(a, sex, &err);

    CHECK(err.result == r);
    CHECK(strcmp(err.code, ins_result_code(r)) == 0);
    size_t mlen = strnlen(err.message, sizeof err.message);
    CHECK(mlen < sizeof err.message);
    for (size_t i = 0; i < mlen; i++)
        CHECK(err.message[i] >= 0x20 && err.message[i] < 0x7f);
    CHECK(err.position <= INS_LEN);
    CHECK(ins_check(a, sex, NULL) == r);
    if (r == INS_OK) {
        char nir[INS_NIR_LEN + 1];
        CHECK(strlen(a) == INS_LEN);
        CHECK(err.message[0] == '\0');
        memcpy(nir, a, INS_NIR_LEN);
        nir[INS_NIR_LEN] = '\0';
        int key = ins_compute_key(nir);
        CHECK(key >= 1 && key <= 97);
        CHECK(key == (a[13] - '0') * 10 + (a[14] - '0'));
        CHECK(ins_sex_of(a) != 0);
    }

    char built[INS_BUF_SIZE];
    ins_result rb = ins_build(a, built, sizeof built, NULL);
    if (rb == INS_OK) {
        CHECK(strncmp(built, a, INS_NIR_LEN) == 0);
        CHECK(ins_check(built, ins_sex_of(built), NULL) == INS_OK);
    } else {
        CHECK(built[0] == '\0');
    }
    int key = ins_compute_key(a);
    CHECK(key == -1 || (key >= 1 && key <= 97));

    ins_system s = ins_oid_kind(a);
    if (s != INS_SYSTEM_UNKNOWN)
        CHECK(strcmp(ins_system_oid(s), a) == 0 || strcmp(ins_system_uri(s), a) == 0);

    ins_status st;
    if (ins_status_parse(a, &st)) {
        CHECK(strcmp(ins_status_code(st), a) == 0);
        CHECK(ins_status_from_evidence(ins_status_has_insi(st), ins_status_has_document(st)) == st);
    }
}

static bool only_codes(const char *s)
{
    for (; *s; s++)
        if (!strchr("AEIOUYW123DFGJKLMNPRSTVX", *s))
            return false;
    return true;
}

static void fuzz_names(const char *a, const char *b)
{
    char compact[NM_NORM_SIZE], words[NM_NORM_SIZE], again[NM_NORM_SIZE];
    char key[NM_PHONETIC_SIZE], key2[NM_PHONETIC_SIZE];

    nm_result rc = nm_normalize(a, compact, sizeof compact);
    nm_result rw = nm_normalize_words(a, words, sizeof words);
    nm_result rp = nm_phonetic(a, key, sizeof key);
    /* The three agree on what is a valid name, and the documented buffer sizes
     * are always enough. */
    CHECK(rc == rw && rc == rp);
    CHECK(rc != NM_ERR_SPACE);

    if (rc == NM_OK) {
        size_t n = strlen(compact);
        CHECK(n <= strlen(a));
        for (size_t i = 0; i < n; i++)
            CHECK(compact[i] >= 'A' && compact[i] <= 'Z');
        /* Idempotent. */
        CHECK(nm_normalize(compact, again, sizeof again) == NM_OK);
        CHECK(strcmp(again, compact) == 0);

        size_t w = strlen(words);
        CHECK(w == 0 || (words[0] != ' ' && words[w - 1] != ' '));
        CHECK(strstr(words, "  ") == NULL);
        CHECK(nm_normalize(words, again, sizeof again) == NM_OK);
        CHECK(strcmp(again, compact) == 0);

        CHECK(only_codes(key));
        CHECK(strlen(key) <= 2 * n);
        CHECK(nm_phonetic(words, key2, sizeof key2) == NM_OK);
        CHECK(strcmp(key, key2) == 0);

        CHECK(nm_prefix_match(a, ""));
        CHECK(nm_prefix_match(a, a));
        CHECK(nm_similarity(a, a) == (n > 0 ? 1.0 : 0.0));
    } else {
        CHECK(compact[0] == '\0' && words[0] == '\0' && key[0] == '\0');
    }

    double s = nm_similarity(a, b);
    CHECK(s >= 0.0 && s <= 1.0);
    CHECK(s == nm_similarity(b, a));
    char other[NM_NORM_SIZE];
    if (rc == NM_OK && nm_normalize(b, other, sizeof other) == NM_OK)
        CHECK(s == nm_similarity_normalized(compact, other));
    double raw = nm_similarity_normalized(a, b);
    CHECK(raw >= 0.0 && raw <= 1.0);
    /* Mutual prefixes are equal compact forms. */
    if (nm_prefix_match(a, b) && nm_prefix_match(b, a))
        CHECK(s == 1.0 || compact[0] == '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char a[PART_MAX + 1], b[PART_MAX + 1];
    split(data, size, a, b);
    fuzz_ins(a, b);
    fuzz_names(a, b);
    return 0;
}
