#include "api/input.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void free_json(void *p)
{
    cJSON_Delete(p);
}

/* Refuses members of obj not in allowed; path names the object in messages. */
static bool only_allowed(req *r, const cJSON *obj, const char *path, const char *const *allowed)
{
    for (const cJSON *m = obj->child; m; m = m->next) {
        bool known = false;
        for (const char *const *a = allowed; a && *a && !known; a++)
            known = strcmp(*a, m->string) == 0;
        if (!known) {
            const char *field =
                path ? arena_printf(&r->arena, "%s.%s", path, m->string) : m->string;
            reply_problem(r, 422, "field.unknown", "Données invalides",
                          arena_printf(&r->arena, "Champ inconnu : « %s ».", field), field);
            return false;
        }
    }
    return true;
}

bool input_object(req *r, const cJSON *obj, const char *field, const char *const *allowed,
                  bool required, const cJSON **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);
    *out = NULL;
    if (!v || cJSON_IsNull(v)) {
        if (!required)
            return true;
        reply_problem(r, 422, "field.required", "Données invalides",
                      arena_printf(&r->arena, "Le champ « %s » est obligatoire.", field), field);
        return false;
    }
    if (!cJSON_IsObject(v)) {
        reply_problem(r, 422, "field.type", "Données invalides",
                      arena_printf(&r->arena, "Le champ « %s » doit être un objet.", field), field);
        return false;
    }
    if (!only_allowed(r, v, field, allowed))
        return false;
    *out = v;
    return true;
}

bool input_array(req *r, const cJSON *obj, const char *field, int max, const cJSON **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return true;
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > max) {
        reply_problem(r, 422, "field.type", "Données invalides",
                      arena_printf(&r->arena, "Le champ « %s » doit être une liste de %d éléments au plus.",
                                   field, max),
                      field);
        return false;
    }
    *out = v;
    return true;
}

cJSON *input_json_object(req *r, const char *const *allowed)
{
    const char *type = req_header_value(r, "Content-Type");
    if (!type || strncasecmp(type, "application/json", 16) != 0 ||
        (type[16] != '\0' && type[16] != ';' && type[16] != ' ')) {
        reply_problem(r, 415, "content_type.unsupported", "Type de contenu non pris en charge",
                      "Le corps doit être envoyé en application/json.", NULL);
        return NULL;
    }
    if (!utf8_valid(r->body.data ? r->body.data : "", r->body.len)) {
        reply_problem(r, 400, "json.invalid_utf8", "Requête invalide",
                      "Le corps n'est pas de l'UTF-8 valide.", NULL);
        return NULL;
    }
    /* cJSON ends strings at an escaped NUL and would silently truncate the
     * value: no field of ours may contain one */
    if (r->body.data && (memmem(r->body.data, r->body.len, "\\u0000", 6) ||
                         memmem(r->body.data, r->body.len, "\\U0000", 6))) {
        reply_problem(r, 400, "json.nul", "Requête invalide",
                      "Le caractère NUL (\\u0000) n'est accepté dans aucun champ.", NULL);
        return NULL;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(r->body.data ? r->body.data : "", r->body.len, &end,
                                            false);
    if (!root) {
        size_t pos = end && r->body.data ? (size_t)(end - r->body.data) : 0;
        reply_problem(r, 400, "json.malformed", "Requête invalide",
                      arena_printf(&r->arena, "JSON mal formé vers l'octet %zu.", pos), NULL);
        return NULL;
    }
    req_on_free(r, free_json, root);
    /* trailing bytes after the value (other than white space) are an error too */
    while (end && (size_t)(end - r->body.data) < r->body.len &&
           (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t'))
        end++;
    if (end && (size_t)(end - r->body.data) < r->body.len) {
        reply_problem(r, 400, "json.malformed", "Requête invalide",
                      arena_printf(&r->arena, "Données en trop après le JSON, octet %zu.",
                                   (size_t)(end - r->body.data)),
                      NULL);
        return NULL;
    }
    if (!cJSON_IsObject(root)) {
        reply_problem(r, 400, "json.not_object", "Requête invalide",
                      "Le corps doit être un objet JSON.", NULL);
        return NULL;
    }
    return only_allowed(r, root, NULL, allowed) ? root : NULL;
}

bool input_string(req *r, const cJSON *obj, const char *field, bool required, size_t max,
                  const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);
    *out = NULL;
    if (!v || cJSON_IsNull(v)) {
        if (!required)
            return true;
        reply_problem(r, 422, "field.required", "Données invalides",
                      arena_printf(&r->arena, "Le champ « %s » est obligatoire.", field), field);
        return false;
    }
    if (!cJSON_IsString(v)) {
        reply_problem(r, 422, "field.type", "Données invalides",
                      arena_printf(&r->arena, "Le champ « %s » doit être une chaîne.", field),
                      field);
        return false;
    }
    size_t n = strlen(v->valuestring);
    if (n > max) {
        reply_problem(r, 422, "field.too_long", "Données invalides",
                      arena_printf(&r->arena, "Le champ « %s » dépasse %zu octets.", field, max),
                      field);
        return false;
    }
    if (required && n == 0) {
        reply_problem(r, 422, "field.required", "Données invalides",
                      arena_printf(&r->arena, "Le champ « %s » ne peut pas être vide.", field),
                      field);
        return false;
    }
    *out = v->valuestring;
    return true;
}

bool input_bool(req *r, const cJSON *obj, const char *field, bool required, bool *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);
    if (!v) {
        if (!required)
            return true;
        reply_problem(r, 422, "field.required", "Données invalides",
                      arena_printf(&r->arena, "Le champ « %s » est obligatoire.", field), field);
        return false;
    }
    if (!cJSON_IsBool(v)) {
        reply_problem(r, 422, "field.type", "Données invalides",
                      arena_printf(&r->arena, "Le champ « %s » doit valoir true ou false.", field),
                      field);
        return false;
    }
    *out = cJSON_IsTrue(v);
    return true;
}

static bool parse_id(const char *s, int64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+' || strlen(s) > 18)
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v <= 0)
        return false;
    *out = v;
    return true;
}

bool input_id(req *r, const cJSON *obj, const char *field, bool required, int64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);
    *out = 0;
    if (!v || cJSON_IsNull(v)) {
        if (!required)
            return true;
        reply_problem(r, 422, "field.required", "Données invalides",
                      arena_printf(&r->arena, "Le champ « %s » est obligatoire.", field), field);
        return false;
    }
    bool ok = false;
    if (cJSON_IsString(v))
        ok = parse_id(v->valuestring, out);
    else if (cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble < 9007199254740992.0 &&
             v->valuedouble == (double)(int64_t)v->valuedouble) {
        *out = (int64_t)v->valuedouble;
        ok = true;
    }
    if (!ok)
        reply_problem(r, 422, "field.type", "Données invalides",
                      arena_printf(&r->arena, "Le champ « %s » doit être un identifiant.", field),
                      field);
    return ok;
}

bool input_query_int(req *r, const char *name, int64_t def, int64_t min, int64_t max,
                     int64_t *out)
{
    const char *s = req_query(r, name);
    if (!s) {
        *out = def;
        return true;
    }
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || errno || *end || v < min || v > max) {
        reply_problem(r, 400, "query.invalid", "Requête invalide",
                      arena_printf(&r->arena, "Le paramètre « %s » doit être un entier de %lld à %lld.",
                                   name, (long long)min, (long long)max),
                      name);
        return false;
    }
    *out = v;
    return true;
}

bool input_path_id(req *r, const char *name, int64_t *out)
{
    if (parse_id(req_param(r, name), out))
        return true;
    reply_problem(r, 404, "not_found", "Ressource introuvable",
                  arena_printf(&r->arena, "Identifiant invalide : « %s ».", req_param(r, name)),
                  NULL);
    return false;
}
