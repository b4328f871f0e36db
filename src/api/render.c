#include "api/render.h"

#include <stdio.h>
#include <string.h>

void render_id(jw *w, const char *key, int64_t id)
{
    jw_key(w, key);
    if (!id) {
        jw_null(w);
        return;
    }
    char num[24];
    jw_str_plain(w, num, json_format_int(id, num));
}

void render_time(jw *w, const char *key, int64_t ms)
{
    char when[40];
    time_format_iso(ms, when, sizeof when);
    jw_key(w, key);
    jw_str_plain(w, when, strlen(when));
}

void render_account(jw *w, const account *a)
{
    jw_obj_begin(w);
    render_id(w, "id", a->id);
    jw_kstr(w, "login", a->login);
    jw_kstr(w, "display_name", a->display_name);
    jw_kstr(w, "role", a->role);
    render_id(w, "professional_id", a->professional_id);
    jw_kbool(w, "disabled", a->disabled);
    if (a->created_at)
        render_time(w, "created_at", a->created_at);
    if (a->updated_at)
        render_time(w, "updated_at", a->updated_at);
    jw_obj_end(w);
}

void render_audit(jw *w, const audit_row *e)
{
    jw_obj_begin(w);
    render_id(w, "seq", e->seq);
    render_time(w, "at", e->at);
    render_id(w, "user_id", e->user_id);
    jw_kstr(w, "user_login", e->user_login);
    jw_kstr(w, "action", e->action);
    jw_kstr(w, "object_type", e->object_type);
    jw_kstr(w, "object_id", e->object_id);
    jw_kstr(w, "patient_id", e->patient_id);
    jw_kstr(w, "outcome", e->outcome);
    jw_kstr(w, "client_addr", e->client_addr);
    jw_kstr(w, "request_id", e->request_id);
    jw_kstr(w, "detail", e->detail);
    jw_kstr(w, "hash", e->hash);
    jw_obj_end(w);
}

static void render_given_names(jw *w, const char *list)
{
    jw_key(w, "birth_given_names");
    jw_arr_begin(w);
    const char *p = list ? list : "";
    while (*p) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (n)
            jw_strn(w, p, n);
        p += n;
    }
    jw_arr_end(w);
}

static void render_ins(jw *w, const patient *p)
{
    jw_key(w, "ins");
    if (!p->ins_value) {
        jw_null(w);
        return;
    }
    bool qualified = strcmp(p->identity_status, "QUAL") == 0;
    jw_obj_begin(w);
    jw_kstr(w, "value", p->ins_value);
    jw_kstr(w, "oid", p->ins_oid);
    jw_kbool(w, "qualified", qualified);
    jw_obj_end(w);
}

void render_patient_summary(jw *w, const patient *p)
{
    jw_obj_begin(w);
    render_id(w, "id", p->id);
    jw_kstr(w, "birth_family_name", p->birth_family_name);
    jw_kstr(w, "used_family_name", p->used_family_name);
    render_given_names(w, p->birth_given_names);
    jw_kstr(w, "used_given_name", p->used_given_name);
    jw_kstr(w, "sex", p->sex);
    jw_kstr(w, "birth_date", p->birth_date);
    jw_kstr(w, "birthplace_code", p->birthplace_code);
    jw_kstr(w, "identity_status", p->identity_status);
    render_ins(w, p);
    jw_obj_end(w);
}

void render_patient(jw *w, const patient *p, const patient_identifier *ids, int nids)
{
    jw_obj_begin(w);
    render_id(w, "id", p->id);
    jw_kint(w, "version", p->version);
    jw_kstr(w, "identity_status", p->identity_status);
    jw_kstr(w, "birth_family_name", p->birth_family_name);
    jw_kstr(w, "used_family_name", p->used_family_name);
    render_given_names(w, p->birth_given_names);
    jw_kstr(w, "first_given_name", p->first_given_name);
    jw_kstr(w, "used_given_name", p->used_given_name);
    jw_kstr(w, "sex", p->sex);
    jw_kstr(w, "birth_date", p->birth_date);
    jw_kstr(w, "birthplace_code", p->birthplace_code);
    jw_kstr(w, "birth_country", p->birth_country);
    jw_key(w, "address");
    jw_obj_begin(w);
    jw_kstr(w, "line", p->address_line);
    jw_kstr(w, "postcode", p->postcode);
    jw_kstr(w, "city", p->city);
    jw_kstr(w, "country", p->country);
    jw_obj_end(w);
    jw_kstr(w, "phone", p->phone);
    jw_kstr(w, "phone2", p->phone2);
    jw_kstr(w, "email", p->email);
    render_ins(w, p);
    jw_key(w, "identifiers");
    jw_arr_begin(w);
    if (p->ins_value && strcmp(p->identity_status, "QUAL") == 0) {
        jw_obj_begin(w);
        jw_kstr(w, "system", p->ins_oid);
        jw_kstr(w, "value", p->ins_value);
        jw_kstr(w, "type", "INS");
        jw_obj_end(w);
    }
    for (int i = 0; i < nids; i++) {
        jw_obj_begin(w);
        jw_kstr(w, "system", ids[i].system);
        jw_kstr(w, "value", ids[i].value);
        jw_kstr(w, "type", ids[i].type);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    render_time(w, "created_at", p->created_at);
    render_time(w, "updated_at", p->updated_at);
    jw_obj_end(w);
}

void render_match(jw *w, const idmatch *m)
{
    static const char *verdicts[] = {"absent", "equal", "close", "different"};
    jw_kint(w, "score", m->score);
    jw_key(w, "reasons");
    jw_arr_begin(w);
    for (int i = 0; i < m->ntraits; i++) {
        jw_obj_begin(w);
        jw_kstr(w, "trait", m->traits[i].trait);
        jw_kstr(w, "verdict", verdicts[m->traits[i].verdict]);
        if (m->traits[i].how)
            jw_kstr(w, "how", m->traits[i].how);
        jw_obj_end(w);
    }
    jw_arr_end(w);
}
