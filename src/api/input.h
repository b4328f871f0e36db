/* input: reading request bodies and query strings strictly. Each function
 * either returns the value or answers the request with a precise problem
 * (which field, why) and returns false/NULL: the handler then just returns. */
#ifndef PARCOURS_API_INPUT_H
#define PARCOURS_API_INPUT_H

#include <cjson/cJSON.h>

#include "http/request.h"

/* The body as a JSON object: 415 unless Content-Type is application/json, 400
 * for invalid UTF-8, malformed JSON (with the position) or a non-object.
 * `allowed` lists the accepted member names (NULL-terminated); any other
 * member is refused with 422, so that typos do not pass silently. */
cJSON *input_json_object(req *r, const char *const *allowed);

/* A string member of 0..max bytes, without control characters when `plain`.
 * A missing member is an error only when required (then *out = NULL). */
bool input_string(req *r, const cJSON *obj, const char *field, bool required, size_t max,
                  const char **out);
bool input_bool(req *r, const cJSON *obj, const char *field, bool required, bool *out);
/* An id given as a JSON string or integer (ids are strings on the wire). */
bool input_id(req *r, const cJSON *obj, const char *field, bool required, int64_t *out);

/* A nested object member with its own allow-list (NULL-terminated). */
bool input_object(req *r, const cJSON *obj, const char *field, const char *const *allowed,
                  bool required, const cJSON **out);
/* A member that is an array (at most max items); *out NULL when absent. */
bool input_array(req *r, const cJSON *obj, const char *field, int max, const cJSON **out);

/* Query-string integer in [min,max], def when absent. */
bool input_query_int(req *r, const char *name, int64_t def, int64_t min, int64_t max,
                     int64_t *out);
/* Path parameter ":name" as a positive id; 404 when it is not a number. */
bool input_path_id(req *r, const char *name, int64_t *out);

#endif
