/* synth_ins: the INS of a synthetic load stay unique. A generated NIR whose
 * order number is already given out takes the next free one (in index order,
 * so a load is the same for a seed); the set holds every NIR given out. */
#include "core/synth.h"
#include "core/synth_internal.h"
#include "core/ins.h"
#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>

struct synth_ins_set {
    uint64_t *slots; /* 0 = empty; else the NIR's code + 1 */
    size_t cap, used;
};

/* 13 characters, digits or A/B (Corsica), read in base 12. */
static uint64_t nir_code(const char *nir)
{
    uint64_t v = 0;
    for (int i = 0; i < INS_NIR_LEN; i++) {
        char ch = nir[i];
        v = v * 12 + (uint64_t)(ch == 'A' ? 10 : ch == 'B' ? 11 : ch - '0');
    }
    return v + 1;
}

synth_ins_set *synth_ins_set_new(int64_t expected)
{
    synth_ins_set *s = xcalloc(1, sizeof *s);
    s->cap = 1024;
    while (s->cap < (size_t)(expected > 0 ? expected : 0) * 2)
        s->cap *= 2;
    s->slots = xcalloc(s->cap, sizeof *s->slots);
    return s;
}

void synth_ins_set_free(synth_ins_set *s)
{
    if (!s)
        return;
    free(s->slots);
    free(s);
}

/* Inserts code; false when it was already there. */
static bool set_add(synth_ins_set *s, uint64_t code)
{
    if ((s->used + 1) * 2 > s->cap) {
        size_t ncap = s->cap * 2;
        uint64_t *n = xcalloc(ncap, sizeof *n);
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->slots[i])
                continue;
            size_t h = (size_t)mix64(s->slots[i]) & (ncap - 1);
            while (n[h])
                h = (h + 1) & (ncap - 1);
            n[h] = s->slots[i];
        }
        free(s->slots);
        s->slots = n;
        s->cap = ncap;
    }
    size_t h = (size_t)mix64(code) & (s->cap - 1);
    while (s->slots[h]) {
        if (s->slots[h] == code)
            return false;
        h = (h + 1) & (s->cap - 1);
    }
    s->slots[h] = code;
    s->used++;
    return true;
}

void synth_ins_claim(synth_ins_set *s, synth_record *r, arena *ar)
{
    patient_input *in = &r->in;
    if (!in->ins_value)
        return;
    char nir[INS_NIR_LEN + 1], ins[INS_BUF_SIZE];
    memcpy(nir, in->ins_value, INS_NIR_LEN);
    nir[INS_NIR_LEN] = '\0';
    int order = (nir[10] - '0') * 100 + (nir[11] - '0') * 10 + (nir[12] - '0');
    for (int tries = 0; tries < 999; tries++) {
        if (set_add(s, nir_code(nir))) {
            if (tries > 0 && ins_build(nir, ins, sizeof ins, NULL) == INS_OK)
                in->ins_value = arena_strdup(ar, ins);
            return;
        }
        order = order % 999 + 1;
        nir[10] = (char)('0' + order / 100);
        nir[11] = (char)('0' + order / 10 % 10);
        nir[12] = (char)('0' + order % 10);
    }
    /* 999 people of one sex born the same month in one place: no INS left */
    in->ins_value = NULL;
    in->ins_oid = NULL;
    in->insi = false;
    r->identity_status =
        ins_status_code(ins_status_from_evidence(false, in->document_type != NULL));
}
